#!/usr/bin/python3
"""Reference partitions for the Ward H-Pool tests, made once with Debian's SciPy and committed.

    /usr/bin/python3 scripts/make_ward_fixtures.py > test/fixtures/ward.json

Each case: float32 tokens (n x d), and for several budgets m the partition SciPy gives for
fcluster(linkage(normalize(X), "ward"), m, "maxclust"), plus for the small cases the
colpali-engine variant (Ward over rows of the cosine-distance matrix).
"""
import json
import sys

import numpy as np
import scipy
from scipy.cluster.hierarchy import fcluster, linkage


def tokens(rng, n, d, centres):
    c = rng.standard_normal((centres, d))
    which = rng.integers(0, centres, n)
    x = c[which] + 0.5 * rng.standard_normal((n, d))
    return x.astype(np.float32)


def unit(x):
    x = x.astype(np.float64)
    return x / np.sqrt((x * x).sum(axis=1, keepdims=True))


def main():
    rng = np.random.default_rng(20260222)
    cases = []
    for name, n, d, centres, budgets, rows_variant in [
        ("n2", 2, 3, 2, [1, 2], True),
        ("n7", 7, 4, 3, [1, 2, 3, 5, 6], True),
        ("n40", 40, 8, 5, [1, 4, 5, 8, 16, 39], True),
        ("n150-d16", 150, 16, 12, [4, 8, 16, 32, 64], True),
        ("n300-d32", 300, 32, 20, [4, 8, 16, 32, 64, 128], False),
        ("n200-d64-noise", 200, 64, 1, [5, 32, 100], False),
    ]:
        x = tokens(rng, n, d, centres)
        u = unit(x)
        z = linkage(u, method="ward")
        case = {
            "name": name,
            "n": n,
            "d": d,
            "data": [float(v) for v in x.ravel()],
            "heights": [float(h) for h in z[:, 2]],
            "partitions": {str(m): (fcluster(z, m, criterion="maxclust") - 1).tolist() for m in budgets},
        }
        if rows_variant:
            dist = 1.0 - u @ u.T
            np.fill_diagonal(dist, 0.0)
            zr = linkage(dist, method="ward")
            case["distanceRowPartitions"] = {
                str(m): (fcluster(zr, m, criterion="maxclust") - 1).tolist() for m in budgets
            }
        cases.append(case)
    json.dump({"scipy": scipy.__version__, "numpy": np.__version__, "cases": cases}, sys.stdout)


main()
