#!/usr/bin/python3
"""Reference partitions for the H-Pool tests, made once with Debian's SciPy and committed.

    /usr/bin/python3 scripts/make_ward_fixtures.py > test/fixtures/ward.json

cases: float32 tokens (n x d) and, for every budget m < n of the small cases (several of the large
ones), the partition of Ward on the unit tokens and of Ward on the rows of 1 - U U^T.

presets: raw (not unit) float32 tokens and, for every m < n of the small cases, the partition and
the output vectors of each library's H-Pool, ported here from its source:
  paper    omni-col-press src/encoder/base_encoder.py _pooling_hierarchical_clustering: raw hidden
           states, square 1 - dot matrix to linkage (rows as observations), first token protected
           (m - 1 clusters, none protected at m = 1), plain means, then every vector L2-normalised.
  colpali  colpali-engine HierarchicalTokenPooler: raw dot products, square matrix to linkage, no
           protected token, each mean L2-normalised.
  pylate14 PyLate <= 1.4 pool_embeddings_hierarchical: tokens L2-normalised first (the encoder's
           default), square matrix to linkage, first token protected, plain means.
  pylate   PyLate after 1.4 (commit 06305e3): as pylate14 but the condensed upper triangle of
           1 - dot goes to linkage, so Ward runs on the cosine distances themselves.
The libraries pick m = max(n // pool_factor, 1) clusters; here the budget m is given directly.

The flat cut: SciPy 1.10's fcluster(Z, t, "maxclust") has bug gh-12651 (fewer than t clusters at
t = n - 1 and t >= n), fixed in SciPy 1.15. The cut here is what 1.15 returns: t >= n leaves every
point alone; otherwise every merge up to the (n - t)-th smallest height is applied, through SciPy's
own fcluster(Z, height, "distance"). Where SciPy 1.10's maxclust is not affected (t <= n - 2) the
script checks that both agree.
"""
import json
import sys
import warnings

import numpy as np
import scipy
from scipy.cluster.hierarchy import ClusterWarning, fcluster, linkage

warnings.simplefilter("ignore", ClusterWarning)  # a square matrix on purpose: rows as observations


def canon(labels):
    seen = {}
    return [seen.setdefault(int(v), len(seen)) for v in labels]


def maxclust(z, n, t):
    if n == 1:
        return [0]
    if t >= n:
        return list(range(n))
    height = np.sort(z[:, 2])[n - 1 - t]
    cut = canon(fcluster(z, height, criterion="distance"))
    if t <= n - 2:
        old = canon(fcluster(z, t, criterion="maxclust"))
        assert old == cut, (n, t)
    return cut


def tokens(rng, n, d, centres, spread=0.5):
    c = rng.standard_normal((centres, d))
    which = rng.integers(0, centres, n)
    x = c[which] + spread * rng.standard_normal((n, d))
    return x.astype(np.float32)


def unit(x):
    x = x.astype(np.float64)
    return x / np.sqrt((x * x).sum(axis=1, keepdims=True))


def preset(x32, m, kind):
    x = x32.astype(np.float64)
    if kind in ("pylate14", "pylate"):
        x = unit(x)
    p = 1 if kind in ("paper", "pylate14", "pylate") and m >= 2 else 0
    rest = x[p:]
    count = len(rest)
    if count == 1:
        labels = [0]
    else:
        dist = 1.0 - rest @ rest.T
        z = linkage(dist[np.triu_indices(count, k=1)] if kind == "pylate" else dist, method="ward")
        labels = maxclust(z, count, m - p)
    labels = canon(([0] if p else []) + [v + p for v in labels])
    k = max(labels) + 1
    pooled = np.stack([x[[i for i, v in enumerate(labels) if v == c]].mean(axis=0) for c in range(k)])
    if kind in ("paper", "colpali"):
        pooled = pooled / np.sqrt((pooled * pooled).sum(axis=1, keepdims=True))
    return {"labels": labels, "vectors": [float(v) for v in pooled.ravel()]}


def main():
    rng = np.random.default_rng(20260222)
    cases = []
    for name, n, d, centres, budgets, rows_variant in [
        ("n2", 2, 3, 2, None, True),
        ("n7", 7, 4, 3, None, True),
        ("n40", 40, 8, 5, None, True),
        ("n150-d16", 150, 16, 12, [4, 8, 16, 32, 64, 148, 149], True),
        ("n300-d32", 300, 32, 20, [4, 8, 16, 32, 64, 128], False),
        ("n200-d64-noise", 200, 64, 1, [5, 32, 100], False),
    ]:
        budgets = budgets or list(range(1, n))
        x = tokens(rng, n, d, centres)
        u = unit(x)
        z = linkage(u, method="ward")
        case = {
            "name": name,
            "n": n,
            "d": d,
            "data": [float(v) for v in x.ravel()],
            "heights": [float(h) for h in z[:, 2]],
            "partitions": {str(m): maxclust(z, n, m) for m in budgets},
        }
        if rows_variant:
            zr = linkage(1.0 - u @ u.T, method="ward")
            case["distanceRowPartitions"] = {str(m): maxclust(zr, n, m) for m in budgets}
        cases.append(case)

    presets = []
    for name, n, d, centres, budgets in [
        ("p3", 3, 4, 2, None),
        ("p6", 6, 5, 3, None),
        ("p12", 12, 6, 4, None),
        ("p60", 60, 8, 6, [1, 2, 3, 5, 8, 16, 30, 58, 59]),
    ]:
        # Raw hidden states: norms between 0.3 and 3, so normalising first changes the answer.
        x = tokens(rng, n, d, centres) * rng.uniform(0.3, 3.0, (n, 1)).astype(np.float32)
        x = x.astype(np.float32)
        budgets = budgets or list(range(1, n))
        presets.append({
            "name": name, "n": n, "d": d,
            "data": [float(v) for v in x.ravel()],
            "budgets": {str(m): {kind: preset(x, m, kind) for kind in ("paper", "colpali", "pylate14", "pylate")} for m in budgets},
        })
    json.dump({"scipy": scipy.__version__, "numpy": np.__version__, "cut": "SciPy >= 1.15 maxclust (see the script)", "cases": cases, "presets": presets}, sys.stdout)


main()
