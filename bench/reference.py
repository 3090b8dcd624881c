#!/usr/bin/python3
"""Reference timings for bench/main.ts, run on the same arrays (written by it as .npy files).

SciPy Ward + fcluster (what H-Pool computes) and NumPy MaxSim (one matmul per query against all
stored vectors, then a segmented max and a sum: the fast way to do it in NumPy). Prints JSON.
"""
import json
import sys
import time

import numpy as np
import scipy
from scipy.cluster.hierarchy import fcluster, linkage


def median_time(fn, min_reps=3, min_seconds=1.0):
    times = []
    start = time.perf_counter()
    while len(times) < min_reps or time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if len(times) >= 200:
            break
    return float(np.median(times))


def main():
    folder, dims, m = sys.argv[1], [int(x) for x in sys.argv[2].split(",")], int(sys.argv[3])
    out = {"scipy": scipy.__version__, "numpy": np.__version__, "ward_ms": {}, "maxsim": {}}
    for d in dims:
        x = np.load(f"{folder}/tokens_d{d}.npy").astype(np.float64)
        u = x / np.linalg.norm(x, axis=1, keepdims=True)
        out["ward_ms"][str(d)] = 1000 * median_time(lambda: fcluster(linkage(u, "ward"), m, "maxclust"))
        corpus = np.load(f"{folder}/corpus_d{d}.npy")
        offsets = np.load(f"{folder}/offsets_d{d}.npy")
        queries = np.load(f"{folder}/queries_d{d}.npy")
        qn = int(np.load(f"{folder}/qn.npy")[0])
        starts = offsets[:-1]

        def run():
            for qi in range(queries.shape[0] // qn):
                q = queries[qi * qn:(qi + 1) * qn]
                s = q @ corpus.T
                np.maximum.reduceat(s, starts, axis=1).sum(axis=0)

        seconds = median_time(run)
        out["maxsim"][str(d)] = {"seconds": seconds}
    json.dump(out, sys.stdout)


main()
