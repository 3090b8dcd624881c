/**
 * Ward agglomerative clustering in O(n^2) time and memory, by the nearest-neighbour chain
 * algorithm (Murtagh 1983; Müllner, "Modern hierarchical, agglomerative clustering algorithms",
 * arXiv 1109.2378), which is also what SciPy's `linkage(X, method="ward")` runs. The steps below
 * follow SciPy's order of operations (condensed Euclidean distances, Lance-Williams update on
 * unsquared distances, stable sort of the merges by height, union-find relabelling) so that
 * `fcluster(..., "maxclust")` partitions agree with SciPy's, which test/fixtures checks.
 */
import { kernelGramUpper } from '../kernels/ops.ts';
import { crossDots } from './linalg.ts';

/** One merge: clusters a < b (ids as in SciPy: 0..n-1 leaves, n+i the cluster made by merge i). */
export interface Merge {
  a: number;
  b: number;
  height: number;
  size: number;
}

/**
 * Condensed pairwise Euclidean distances of the rows of x (n x d), as SciPy's pdist, computed
 * through the Gram matrix: |a - b|^2 = |a|^2 + |b|^2 - 2<a, b>, with the dot products
 * register-blocked four rows at a time (linalg.crossDots) over the upper triangle only, faster than differencing every pair. Rounding
 * can differ from SciPy's direct differences in the last bits of near-zero distances; the SciPy
 * fixtures check that partitions still agree.
 */
export function pdistEuclidean(x: Float64Array, n: number, d: number): Float64Array {
  const sq = squaredNorms(x, n, d);
  const out = new Float64Array((n * (n - 1)) / 2);
  // The SIMD kernel computes the same float64 dot products (same order, same rounding).
  const viaKernel = kernelGramUpper(x, n, d, (dots, w) => {
    let idx = 0;
    for (let a = 0; a < n - 1; a++)
      for (let j = a + 1, row = a * w; j < n; j++) out[idx++] = Math.sqrt(Math.max(0, sq[a] + sq[j] - 2 * dots[row + j]));
  });
  if (viaKernel) return out;
  const BLOCK = 4;
  let idx = 0;
  for (let i = 0; i < n - 1; i += BLOCK) {
    const rows = Math.min(BLOCK, n - 1 - i);
    const rest = n - i - 1; // rows i+1 .. n-1
    const dots = crossDots(x.subarray(i * d, (i + rows) * d), rows, x.subarray((i + 1) * d), rest, d);
    for (let r = 0; r < rows; r++) {
      const a = i + r;
      // pairs (a, j) for j > a sit at columns j - i - 1 of this block
      for (let j = a + 1; j < n; j++) out[idx++] = Math.sqrt(Math.max(0, sq[a] + sq[j] - 2 * dots[r * rest + j - i - 1]));
    }
  }
  return out;
}

/**
 * The same distances as pdistEuclidean (the same values, bit for bit) as the full square n x n
 * matrix that Ward's nearest-neighbour chain works on, written from the kernel's Gram rows without
 * the condensed copy: each upper row as it comes, then the lower triangle mirrored tile by tile
 * (writing it one column at a time missed the cache once per value). `into` (at least n x n
 * values; its first n x n are overwritten, the diagonal left as it is: never read) saves
 * allocating the matrix for every document.
 */
export function pdistSquare(x: Float64Array, n: number, d: number, into?: Float64Array): Float64Array {
  const sq = squaredNorms(x, n, d);
  const out = into ? into.subarray(0, n * n) : new Float64Array(n * n);
  const viaKernel = kernelGramUpper(x, n, d, (dots, w) => {
    for (let a = 0; a < n - 1; a++)
      for (let j = a + 1, row = a * w, o = a * n; j < n; j++) out[o + j] = Math.sqrt(Math.max(0, sq[a] + sq[j] - 2 * dots[row + j]));
  });
  if (!viaKernel) return squareOf(pdistEuclidean(x, n, d), n, out);
  mirrorUpper(out, n);
  return out;
}

/** out[j][i] = out[i][j] for every i < j, in tiles of 32 x 32 (both tiles stay in cache). */
function mirrorUpper(out: Float64Array, n: number): void {
  const T = 32;
  for (let bi = 0; bi < n; bi += T)
    for (let bj = bi; bj < n; bj += T)
      for (let i = bi; i < Math.min(bi + T, n); i++)
        for (let j = Math.max(bj, i + 1); j < Math.min(bj + T, n); j++) out[j * n + i] = out[i * n + j];
}

/** Each row's squared length, summed in order. */
function squaredNorms(x: Float64Array, n: number, d: number): Float64Array {
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += x[i * d + k] * x[i * d + k];
    sq[i] = s;
  }
  return sq;
}

/** A condensed distance matrix as the full square one (into `sq` when given). */
function squareOf(dist: Float64Array, n: number, sq: Float64Array = new Float64Array(n * n)): Float64Array {
  for (let i = 0, idx = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++, idx++) {
      sq[i * n + j] = dist[idx];
      sq[j * n + i] = dist[idx];
    }
  }
  return sq;
}

/**
 * Ward linkage of n points given their condensed distance matrix (left unchanged).
 * Returns n-1 merges sorted by height, in SciPy's format.
 */
export function wardLinkage(dist: Float64Array, n: number): Merge[] {
  if (n < 2) return [];
  // Work on the full square matrix: the nearest-neighbour scans then read one contiguous row.
  return wardLinkageSquare(squareOf(dist, n), n);
}

/** wardLinkage from the full square matrix (pdistSquare), which it overwrites. */
export function wardLinkageSquare(square: Float64Array, n: number): Merge[] {
  if (n < 2) return [];
  return relabel(nearestNeighbourChain(square, n), n);
}

/** The merges in the order the nearest-neighbour chain finds them, in slot ids (the merged cluster keeps slot y). */
function nearestNeighbourChain(sq: Float64Array, n: number): Merge[] {
  const size = new Int32Array(n).fill(1);
  const chain = new Int32Array(n);
  // The live slots in ascending order: scans skip merged-away slots (half the work over a run)
  // and visit the rest in the order a full scan would, so ties break the same way.
  const alive = Int32Array.from({ length: n }, (_, i) => i);
  let live = n;
  let chainLength = 0;
  const raw: Merge[] = [];
  for (let step = 0; step < n - 1; step++) {
    if (chainLength === 0) {
      chainLength = 1;
      chain[0] = alive[0];
    }
    let x = 0;
    let y = 0;
    let currentMin = Infinity;
    for (;;) {
      x = chain[chainLength - 1];
      if (chainLength > 1) {
        y = chain[chainLength - 2];
        currentMin = sq[x * n + y];
      } else {
        currentMin = Infinity;
      }
      const xo = x * n;
      for (let k = 0; k < live; k++) {
        const i = alive[k];
        if (i === x) continue;
        const v = sq[xo + i];
        if (v < currentMin) {
          currentMin = v;
          y = i;
        }
      }
      if (chainLength > 1 && y === chain[chainLength - 2]) break;
      chain[chainLength++] = y;
    }
    chainLength -= 2;
    if (x > y) [x, y] = [y, x];
    raw.push({ a: x, b: y, height: currentMin, size: size[x] + size[y] });
    // x merges into y: x leaves the live slots.
    const at = alive.subarray(0, live).indexOf(x);
    alive.copyWithin(at, at + 1, live);
    live--;
    wardUpdate(sq, n, size, x, y, currentMin, alive, live);
  }
  return raw;
}

/** Lance-Williams update for Ward after merging slots x and y into y, written as SciPy's _hierarchy_distance_update.ward. */
function wardUpdate(sq: Float64Array, n: number, size: Int32Array, x: number, y: number, dxy: number, alive: Int32Array, live: number): void {
  const nx = size[x];
  const ny = size[y];
  size[x] = 0;
  size[y] = nx + ny;
  const dxy2 = dxy * dxy;
  for (let k = 0; k < live; k++) {
    const i = alive[k];
    if (i === y) continue;
    const ni = size[i];
    const dxi = sq[x * n + i];
    const dyi = sq[y * n + i];
    const t = 1 / (nx + ny + ni);
    const v = Math.sqrt((ni + nx) * t * dxi * dxi + (ni + ny) * t * dyi * dyi - ni * t * dxy2);
    sq[y * n + i] = v;
    sq[i * n + y] = v;
  }
}

/** Stable sort by height (SciPy: argsort kind="mergesort"), then slot ids relabelled to cluster ids. */
function relabel(raw: Merge[], n: number): Merge[] {
  const order = raw.map((_, i) => i).sort((p, q) => raw[p].height - raw[q].height || p - q);
  const parent = new Int32Array(2 * n - 1);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const find = (v: number): number => {
    let r = v;
    while (parent[r] !== r) r = parent[r];
    while (parent[v] !== r) {
      const next = parent[v];
      parent[v] = r;
      v = next;
    }
    return r;
  };
  return order.map((o, i) => {
    const m = raw[o];
    const ra = find(m.a);
    const rb = find(m.b);
    parent[ra] = n + i;
    parent[rb] = n + i;
    return { a: Math.min(ra, rb), b: Math.max(ra, rb), height: m.height, size: m.size };
  });
}

/**
 * Flat clusters as SciPy's `fcluster(Z, t=maxClusters, criterion="maxclust")` for a monotone
 * linkage such as Ward: the smallest height threshold that leaves at most `maxClusters` clusters,
 * keeping every merge at or below it. Ties in height at the cut can leave fewer clusters, exactly
 * as in SciPy. Labels are 0..k-1 in order of each cluster's first member.
 */
export function cutMaxClusters(merges: Merge[], n: number, maxClusters: number): { labels: Int32Array; k: number } {
  let threshold = -Infinity;
  if (maxClusters < n) threshold = merges[n - 1 - maxClusters].height;
  const parent = new Int32Array(2 * n - 1);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const find = (v: number): number => {
    while (parent[v] !== v) v = parent[v] = parent[parent[v]];
    return v;
  };
  merges.forEach((m, i) => {
    if (m.height <= threshold) {
      parent[find(m.a)] = n + i;
      parent[find(m.b)] = n + i;
    }
  });
  const labels = new Int32Array(n);
  const labelOf = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const r = find(i);
    let l = labelOf.get(r);
    if (l === undefined) labelOf.set(r, (l = labelOf.size));
    labels[i] = l;
  }
  return { labels, k: labelOf.size };
}

/** Ward clustering of the rows of x (n x d, float64) into at most maxClusters flat clusters. */
export function wardClusters(x: Float64Array, n: number, d: number, maxClusters: number): { labels: Int32Array; k: number } {
  if (n === 1) return { labels: new Int32Array(1), k: 1 };
  return cutMaxClusters(wardLinkageSquare(pdistSquare(x, n, d), n), n, maxClusters);
}
