import { kernelProductsF64 } from '../../kernels/ops.ts';
import { poolByGroup, normalizeRowInPlace } from '../linalg.ts';
import { cutMaxClusters, pdistSquare, wardLinkage, wardLinkageSquare, type Merge } from '../ward.ts';
import type { CompressionMethod } from './types.ts';

/**
 * H-Pool (Clavie et al., "Reducing the footprint of multi-vector retrieval with minimal performance
 * impact via token pooling", arXiv 2409.14683). Ward clustering cut at m clusters, mean per cluster.
 *
 * What Ward sees (`observations`):
 * - "tokens" (default): the token vectors themselves. For unit vectors the Euclidean distance is
 *   sqrt(2 - 2 cos), a monotone function of the cosine distance, so this is Ward on cosine
 *   geometry; its partition equals SciPy's fcluster(linkage(X, "ward"), m, "maxclust").
 * - "distance-rows": the square matrix 1 - <x_i, x_j> handed to SciPy's linkage, which treats each
 *   ROW as an n-dimensional observation (a token described by its distances to all tokens). This is
 *   what colpali-engine's HierarchicalTokenPooler, PyLate up to 1.4 and the paper's code run.
 *   The libraries build the row distances in O(n^3); here Ward runs on points with the same
 *   distances in d dimensions (rowSpace below), O(n^2 d).
 * - "distance-condensed": the pairwise 1 - <x_i, x_j> themselves as Ward's distances (PyLate after
 *   1.4, commit 06305e3: the upper triangle passed to linkage as a condensed matrix).
 * `input` says whether tokens are L2-normalised before the distances and the pooling ("unit"), or
 * used as the encoder gave them ("raw": colpali-engine and the paper's code take plain dot products
 * of the hidden states). The library presets (registry.ts) fix these choices as each source does.
 */
export const hierarchicalPool: CompressionMethod = {
  id: 'hpool',
  label: 'H-Pool (Ward)',
  description:
    'Hierarchical token pooling (Clavie et al. 2024, arXiv 2409.14683): Ward agglomerative clustering of ' +
    'the L2-normalised tokens, cut into m clusters, each replaced by its mean. Needs no saliency and no ' +
    'training; used by colpali-engine, PyLate and Sentence Transformers (presets hpool-colpali, hpool-pylate, ' +
    "hpool-pylate14 and hpool-paper run each one's own variant).",
  options: [
    {
      key: 'observations',
      label: 'Ward input',
      type: 'enum',
      choices: ['tokens', 'distance-rows', 'distance-condensed'],
      description:
        'tokens: cluster the token vectors; distance-rows: cluster rows of the matrix 1 - dot, as colpali-engine, ' +
        "PyLate <= 1.4 and the paper's code do; distance-condensed: Ward on the 1 - dot distances themselves (PyLate after 1.4).",
    },
    {
      key: 'input',
      label: 'Token input',
      type: 'enum',
      choices: ['unit', 'raw'],
      description: "unit: L2-normalise tokens before distances and pooling; raw: use them as given (colpali-engine and the paper's code).",
    },
    {
      key: 'protectFirst',
      label: 'Protect first token',
      type: 'boolean',
      description: "Keep token 0 (CLS) as its own vector and pool the rest into m-1 clusters, as the paper's code and PyLate do.",
    },
    {
      key: 'normalize',
      label: 'Normalise means',
      type: 'boolean',
      description: "L2-normalise every output vector (colpali-engine and the paper's code do; PyLate keeps plain means).",
    },
  ],
  defaults: { observations: 'tokens', input: 'unit', protectFirst: false, normalize: false },
  usesSaliency: false,
  usesSeed: false,
  compress(doc, m, options, ctx) {
    const { n, d } = doc;
    const protect = options.protectFirst === true && m >= 2;
    const start = protect ? 1 : 0;
    const count = n - start;
    const clusters = protect ? m - 1 : m;
    // The float64 rows Ward sees and their float32 copy for the means, in this thread's buffers:
    // only the tree is kept for the next budget (the grid keeps it for every document of the corpus).
    const { all, all32 } = rowsOf(doc.data, n, d, options.input === 'raw');
    const x = all.subarray(start * d);
    // Ward's tree does not depend on m: built once per document (and protection), cut at every budget.
    const { labels, k } = count === 1 ? { labels: new Int32Array(1), k: 1 } : cutMaxClusters(memoised(ctx?.memo, `ward:${protect}`, () => linkageOf(x, count, d, options.observations)), count, clusters);
    const assignments = new Int32Array(n);
    const offset = protect ? 1 : 0;
    if (protect) assignments[0] = 0;
    for (let i = 0; i < count; i++) assignments[start + i] = labels[i] + offset;
    const total = k + offset;
    const { pooled } = poolByGroup(all32, n, d, assignments, total);
    if (options.normalize === true) for (let c = 0; c < total; c++) normalizeRowInPlace(pooled, c, d);
    return { data: pooled, k: total, assignments };
  },
};

/** This thread's buffers for rowsOf, grown as needed. */
const rowBuffers = { all: new Float64Array(0), all32: new Float32Array(0) };

/**
 * The document's rows as Ward sees them (L2-normalised in float64, or as given) and their float32
 * copy, in buffers reused from call to call (valid until the next call on this thread).
 */
function rowsOf(data: Float32Array, n: number, d: number, raw: boolean): { all: Float64Array; all32: Float32Array } {
  if (rowBuffers.all.length < n * d) rowBuffers.all = new Float64Array(n * d);
  if (rowBuffers.all32.length < n * d) rowBuffers.all32 = new Float32Array(n * d);
  const all = rowBuffers.all.subarray(0, n * d);
  const all32 = rowBuffers.all32.subarray(0, n * d);
  if (raw) for (let i = 0; i < n * d; i++) all[i] = data[i];
  else unitRowsFloat64(data, 0, n, d, all);
  for (let i = 0; i < n * d; i++) all32[i] = all[i];
  return { all, all32 };
}

/** Ward's merges over what `observations` says Ward sees (see above). */
function linkageOf(x: Float64Array, count: number, d: number, observations: unknown): Merge[] {
  if (observations === 'distance-condensed') return wardLinkage(condensedOneMinusDots(x, count, d), count);
  // The n x n matrix (9.5 MB at n = 1,088) is reused from document to document: allocating it
  // each time faulted its pages in afresh, which cost a pool's workers 40% (their page faults
  // contend in one process).
  // Larger documents (over 2,048 tokens: 32 MiB) get a matrix of their own, not kept afterwards.
  const keep = count * count <= KEPT_SQUARE_VALUES;
  if (keep && square.length < count * count) square = new Float64Array(count * count);
  return wardLinkageSquare(pdistSquare(observations === 'distance-rows' ? rowSpace(x, count, d) : x, count, d, keep ? square : undefined), count);
}

/** Ward's working matrix, kept for the next document of this thread (at most KEPT_SQUARE_VALUES). */
let square = new Float64Array(0);
const KEPT_SQUARE_VALUES = 2048 * 2048;

/** `make()`, or the value kept under `key` by an earlier budget. */
function memoised<T>(memo: Map<string, unknown> | undefined, key: string, make: () => T): T {
  if (!memo) return make();
  if (!memo.has(key)) memo.set(key, make());
  return memo.get(key) as T;
}

/** Rows start..start+count of x, L2-normalised in float64 (as SciPy would see them), into `out` if given. */
export function unitRowsFloat64(x: Float32Array, start: number, count: number, d: number, out = new Float64Array(count * d)): Float64Array {
  for (let i = 0; i < count; i++) {
    const o = (start + i) * d;
    let sq = 0;
    for (let k = 0; k < d; k++) sq += x[o + k] * x[o + k];
    const inv = 1 / Math.sqrt(sq);
    for (let k = 0; k < d; k++) out[i * d + k] = x[o + k] * inv;
  }
  return out;
}

/**
 * Points z_i (n x d) whose pairwise distances are those between the rows of 1 - X X^T, without
 * forming the n x n rows. Rows i and j of 1 - X X^T differ by G_i - G_j (G = X X^T; the ones cancel),
 * so |r_i - r_j|^2 = (G G^T)_ii + (G G^T)_jj - 2 (G G^T)_ij, and G G^T = X C X^T with C = X^T X
 * (d x d). With C = L L^T (Cholesky), G G^T = (X L)(X L)^T: the rows of Z = X L are such points,
 * and Ward on them equals Ward on the rows (the O(n^2 d) pdist instead of O(n^3); the libraries'
 * fixtures check the partitions). C is positive semi-definite; a pivot that rounding leaves at or
 * below zero (a rank-deficient X) gets a zero column, which keeps L L^T = C.
 */
export function rowSpace(x: Float64Array, n: number, d: number): Float64Array {
  const c = gramOfColumns(x, n, d);
  const l = new Float64Array(d * d);
  let scale = 0;
  for (let a = 0; a < d; a++) scale = Math.max(scale, c[a * d + a]);
  for (let j = 0; j < d; j++) {
    let s = c[j * d + j];
    for (let k = 0; k < j; k++) s -= l[j * d + k] * l[j * d + k];
    if (s <= scale * 1e-13) continue; // a zero pivot: column j of L stays zero
    const ljj = Math.sqrt(s);
    l[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = c[j * d + i]; // C is kept in its upper triangle: C_ij = c[min * d + max]
      for (let k = 0; k < j; k++) t -= l[i * d + k] * l[j * d + k];
      l[i * d + j] = t / ljj;
    }
  }
  return timesLower(x, n, d, l);
}

/**
 * C = X^T X (d x d; its upper triangle is read): C_ab = sum over rows i, in order, of x_ia x_ib.
 * On the kernels when they run here (the same float64 sums in the same order: the same values).
 */
function gramOfColumns(x: Float64Array, n: number, d: number): Float64Array {
  // C_ab = sum_i x_ia x_ib: the columns of X (its rows as stored) against the rows of X^T.
  const xT = new Float64Array(d * n);
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) xT[a * n + i] = x[i * d + a];
  const viaKernel = kernelProductsF64(x, d, xT, d, n);
  if (viaKernel) return viaKernel;
  const c = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let a = 0; a < d; a++) {
      const xa = x[o + a];
      if (xa === 0) continue; // adds +-0: the sum is unchanged
      for (let b = a; b < d; b++) c[a * d + b] += xa * x[o + b];
    }
  }
  return c;
}

/**
 * Z = X L for lower-triangular L (d x d): z_ib = sum over a >= b, in order, of x_ia L_ab. The
 * kernels sum over every a, the terms a < b being +-0, which leave a sum that starts at +0
 * unchanged: the same values.
 */
function timesLower(x: Float64Array, n: number, d: number, l: Float64Array): Float64Array {
  // z_ib = sum_a L_ab x_ia: the columns of L (its rows as stored) against the rows of X.
  const viaKernel = kernelProductsF64(l, d, x, n, d);
  if (viaKernel) return viaKernel;
  const z = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let a = 0; a < d; a++) {
      const xa = x[o + a];
      if (xa === 0) continue;
      for (let b = 0; b <= a; b++) z[o + b] += xa * l[a * d + b];
    }
  }
  return z;
}

/** The pairs i < j of 1 - <x_i, x_j> in SciPy's condensed order. */
function condensedOneMinusDots(x: Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array((n * (n - 1)) / 2);
  let idx = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += x[i * d + k] * x[j * d + k];
      out[idx++] = 1 - s;
    }
  }
  return out;
}
