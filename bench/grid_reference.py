#!/usr/bin/python3
"""Reference for bench/grid.ts: H-Pool as colpali-engine's HierarchicalTokenPooler computes it, per
document and per budget: SciPy Ward linkage on the L2-normalised tokens, fcluster maxclust, NumPy
means. Same arrays (written by grid.ts as docs.npy). Prints JSON: total seconds."""
import json
import sys
import time

import numpy as np
import scipy
from scipy.cluster.hierarchy import fcluster, linkage


def main():
    folder, budgets = sys.argv[1], [int(x) for x in sys.argv[2].split(",")]
    docs = np.load(f"{folder}/docs.npy").astype(np.float64)
    t0 = time.perf_counter()
    for x in docs:
        u = x / np.linalg.norm(x, axis=1, keepdims=True)
        for m in budgets:
            labels = fcluster(linkage(u, "ward"), m, "maxclust")
            k = labels.max()
            pooled = np.zeros((k, u.shape[1]))
            np.add.at(pooled, labels - 1, u)
            pooled /= np.bincount(labels - 1, minlength=k)[:, None]
    json.dump({"seconds": time.perf_counter() - t0, "scipy": scipy.__version__}, sys.stdout)


main()
