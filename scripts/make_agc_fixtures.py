#!/usr/bin/python3
"""Reference outputs of AGC as the paper's code computes it, made once with Debian's NumPy.

    /usr/bin/python3 scripts/make_agc_fixtures.py > test/fixtures/agc.json

A port of omni-col-press src/encoder/select_encoder.py for one universal token (a CLS):
  _compute_saliency_from_universal_query: the head-averaged last-layer attention from the
      universal token (here: given, a probability vector over the document) goes through a
      softmax over the document's positions ("softmax"); "raw" skips it.
  encode: the top-m tokens by that saliency are the centroids (torch.topk; here ties go to the
      lower index), every token is assigned to the centroid of highest cosine (tokens and
      centroids L2-normalised for the similarity only), _cluster_pool pools the RAW hidden states
      as sum(w_j z_j) / sum(w_j) with the saliency as w, and every pooled vector is L2-normalised.
Computed in float64 from float32 inputs. Labels are numbered by each cluster's first token.
"""
import json
import sys

import numpy as np


def softmax(s):
    e = np.exp(s - s.max())
    return e / e.sum()


def agc(x32, s32, m, mode):
    x = x32.astype(np.float64)
    s = s32.astype(np.float64)
    w = softmax(s) if mode == "softmax" else s
    order = sorted(range(len(w)), key=lambda j: (-w[j], j))
    centroids = order[:m]
    u = x / np.sqrt((x * x).sum(axis=1, keepdims=True))
    assign = np.argmax(u @ u[centroids].T, axis=1)
    pooled = np.zeros((m, x.shape[1]))
    for c in range(m):
        members = assign == c
        pooled[c] = (w[members, None] * x[members]).sum(axis=0) / w[members].sum()
    pooled /= np.sqrt((pooled * pooled).sum(axis=1, keepdims=True))
    seen = {}
    labels = [seen.setdefault(int(a), len(seen)) for a in assign]
    rows = sorted(seen, key=lambda c: seen[c])
    return {"labels": labels, "vectors": [float(v) for v in pooled[rows].ravel()], "weights": [float(v) for v in w]}


def main():
    rng = np.random.default_rng(2602)
    cases = []
    for name, n, d, centres, budgets in [("a5", 5, 3, 2, [1, 2, 3, 4]), ("a20", 20, 6, 4, [1, 3, 5, 8, 19]), ("a64", 64, 16, 6, [4, 8, 16, 32])]:
        c = rng.standard_normal((centres, d))
        x = (c[rng.integers(0, centres, n)] + 0.6 * rng.standard_normal((n, d))) * rng.uniform(0.3, 3.0, (n, 1))
        x = x.astype(np.float32)
        logits = 2.5 * rng.standard_normal(n)
        s = softmax(logits).astype(np.float32)  # an attention row: probabilities over the document
        cases.append({
            "name": name, "n": n, "d": d,
            "data": [float(v) for v in x.ravel()],
            "saliency": [float(v) for v in s],
            "budgets": {str(m): {mode: agc(x, s, m, mode) for mode in ("softmax", "raw")} for m in budgets},
        })
    json.dump({"numpy": np.__version__, "cases": cases}, sys.stdout)


main()
