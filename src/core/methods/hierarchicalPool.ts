import { poolByGroup, normalizeRowInPlace } from '../linalg.ts';
import { wardClusters } from '../ward.ts';
import type { CompressionMethod } from './types.ts';

/**
 * H-Pool (Clavie et al., "Reducing the footprint of multi-vector retrieval with minimal performance
 * impact via token pooling", arXiv 2409.14683). Ward clustering cut at m clusters, mean per cluster.
 *
 * Two variants of the observations Ward sees:
 * - "tokens" (default): the L2-normalised token vectors themselves. For unit vectors the Euclidean
 *   distance is sqrt(2 - 2 cos), a monotone function of the cosine distance, so this is Ward on
 *   cosine geometry, and its partition equals SciPy's fcluster(linkage(X, "ward"), m, "maxclust").
 * - "distance-rows": what colpali-engine's HierarchicalTokenPooler and the paper's code actually do:
 *   they pass the square cosine-distance matrix to SciPy's linkage, which treats each ROW as an
 *   n-dimensional observation (a token is described by its distances to all tokens). This costs
 *   O(n^3) to build the row distances (about 2.2 G multiply-adds at n = 1,300), so it is offered
 *   for faithful comparison, not as the default.
 */
export const hierarchicalPool: CompressionMethod = {
  id: 'hpool',
  label: 'H-Pool (Ward)',
  description:
    'Hierarchical token pooling (Clavie et al. 2024, arXiv 2409.14683): Ward agglomerative clustering of ' +
    'the L2-normalised tokens, cut into m clusters, each replaced by its mean. Needs no saliency and no ' +
    'training; used by colpali-engine and Sentence Transformers.',
  options: [
    {
      key: 'observations',
      label: 'Ward input',
      type: 'enum',
      choices: ['tokens', 'distance-rows'],
      description:
        'tokens: cluster the unit token vectors; distance-rows: cluster rows of the cosine-distance matrix, ' +
        "as colpali-engine's HierarchicalTokenPooler does (cubic time).",
    },
    {
      key: 'protectFirst',
      label: 'Protect first token',
      type: 'boolean',
      description: "Keep token 0 (CLS) as its own vector and pool the rest into m-1 clusters, as the paper's code does.",
    },
    {
      key: 'normalize',
      label: 'Normalise means',
      type: 'boolean',
      description: 'L2-normalise each pooled mean (the source keeps the plain mean, whose norm shrinks with spread).',
    },
  ],
  defaults: { observations: 'tokens', protectFirst: false, normalize: false },
  usesSaliency: false,
  usesSeed: false,
  compress(doc, m, options) {
    const { n, d } = doc;
    const protect = options.protectFirst === true && m >= 2;
    const start = protect ? 1 : 0;
    const count = n - start;
    const clusters = protect ? m - 1 : m;
    const unitAll = unitRowsFloat64(doc.data, 0, n, d);
    const unit = unitAll.subarray(start * d);
    const obs = options.observations === 'distance-rows' ? cosineDistanceRows(unit, count, d) : unit;
    const obsDim = options.observations === 'distance-rows' ? count : d;
    const { labels, k } = wardClusters(obs, count, obsDim, clusters);
    const assignments = new Int32Array(n);
    const offset = protect ? 1 : 0;
    if (protect) assignments[0] = 0;
    for (let i = 0; i < count; i++) assignments[start + i] = labels[i] + offset;
    const total = k + offset;
    const { pooled } = poolByGroup(Float32Array.from(unitAll), n, d, assignments, total);
    if (options.normalize === true) for (let c = 0; c < total; c++) normalizeRowInPlace(pooled, c, d);
    return { data: pooled, k: total, assignments };
  },
};

/** Rows start..start+count of x, L2-normalised in float64 (as SciPy would see them). */
function unitRowsFloat64(x: Float32Array, start: number, count: number, d: number): Float64Array {
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

/** The square matrix 1 - cos(x_i, x_j) for unit rows, row-major n x n. */
function cosineDistanceRows(unit: Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += unit[i * d + k] * unit[j * d + k];
      const v = i === j ? 0 : 1 - s;
      out[i * n + j] = v;
      out[j * n + i] = v;
    }
  }
  return out;
}
