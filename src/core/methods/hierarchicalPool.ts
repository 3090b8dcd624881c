import { poolByGroup, normalizeRowInPlace } from '../linalg.ts';
import { cutMaxClusters, pdistEuclidean, wardLinkage, type Merge } from '../ward.ts';
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
 *   Building the row distances costs O(n^3) (about 2.2 G multiply-adds at n = 1,300).
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
        "PyLate <= 1.4 and the paper's code do (cubic time); distance-condensed: Ward on the 1 - dot distances themselves (PyLate after 1.4).",
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
    const all = options.input === 'raw' ? Float64Array.from(doc.data) : unitRowsFloat64(doc.data, 0, n, d);
    const x = all.subarray(start * d);
    // Ward's tree does not depend on m: built once per document (and protection), cut at every budget.
    const { labels, k } = count === 1 ? { labels: new Int32Array(1), k: 1 } : cutMaxClusters(memoised(ctx?.memo, `ward:${protect}`, () => linkageOf(x, count, d, options.observations)), count, clusters);
    const assignments = new Int32Array(n);
    const offset = protect ? 1 : 0;
    if (protect) assignments[0] = 0;
    for (let i = 0; i < count; i++) assignments[start + i] = labels[i] + offset;
    const total = k + offset;
    const { pooled } = poolByGroup(Float32Array.from(all), n, d, assignments, total);
    if (options.normalize === true) for (let c = 0; c < total; c++) normalizeRowInPlace(pooled, c, d);
    return { data: pooled, k: total, assignments };
  },
};

/** Ward's merges over what `observations` says Ward sees (see above). */
function linkageOf(x: Float64Array, count: number, d: number, observations: unknown): Merge[] {
  if (observations === 'distance-rows') return wardLinkage(pdistEuclidean(oneMinusDots(x, count, d), count, count), count);
  if (observations === 'distance-condensed') return wardLinkage(condensedOneMinusDots(x, count, d), count);
  return wardLinkage(pdistEuclidean(x, count, d), count);
}

/** `make()`, or the value kept under `key` by an earlier budget. */
function memoised<T>(memo: Map<string, unknown> | undefined, key: string, make: () => T): T {
  if (!memo) return make();
  if (!memo.has(key)) memo.set(key, make());
  return memo.get(key) as T;
}

/** Rows start..start+count of x, L2-normalised in float64 (as SciPy would see them). */
export function unitRowsFloat64(x: Float32Array, start: number, count: number, d: number): Float64Array {
  const out = new Float64Array(count * d);
  for (let i = 0; i < count; i++) {
    const o = (start + i) * d;
    let sq = 0;
    for (let k = 0; k < d; k++) sq += x[o + k] * x[o + k];
    const inv = 1 / Math.sqrt(sq);
    for (let k = 0; k < d; k++) out[i * d + k] = x[o + k] * inv;
  }
  return out;
}

/** The square matrix 1 - <x_i, x_j>, row-major n x n, diagonal included (1 - |x_i|^2, as the libraries compute it). */
function oneMinusDots(x: Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += x[i * d + k] * x[j * d + k];
      out[i * n + j] = 1 - s;
      out[j * n + i] = 1 - s;
    }
  }
  return out;
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
