import { assignToNearest, gatherRows, normalizeRowInPlace, normalizeRows, poolByGroup, topKIndices } from '../linalg.ts';
import { sampleWithoutReplacement } from '../rng.ts';
import type { CompressionMethod } from './types.ts';

/**
 * Attention-guided clustering, after "Multi-Vector Index Compression in Any Modality"
 * (arXiv 2602.21202, section 3): saliency picks the centroids, cosine similarity assigns every
 * token, saliency weights pool each cluster. Three options reproduce the paper's ablations
 * (Table 9): plain mean instead of saliency weights, random centroids instead of the top-m, and
 * the selected tokens alone with no clustering.
 *
 * `saliency=softmax` (the default) is what the paper's code computes
 * (omni-col-press, src/encoder/select_encoder.py, _compute_saliency_from_universal_query): the
 * last layer's attention probabilities, averaged over heads, pass through a second softmax over
 * the document's positions before they pick centroids and weight the pooling (_cluster_pool:
 * sum of w_j z_j over the cluster / sum of w_j, raw hidden states, then L2-normalised). With one
 * universal token (a CLS) that is softmax over the document of the saliency given here. The second
 * softmax of probabilities flattens the weights (each lies between 1 and e times the smallest);
 * `saliency=raw` keeps the attention as given, as the paper's text describes it.
 */
export const agc: CompressionMethod = {
  id: 'agc',
  label: 'AGC',
  description:
    'Attention-guided clustering (arXiv 2602.21202): the m tokens with the highest saliency (last-layer ' +
    'attention from universal query tokens, or from CLS in a training-free model) become centroids; every ' +
    'token joins the centroid it is most cosine-similar to; each cluster is pooled with saliency weights ' +
    'and L2-normalised.',
  options: [
    {
      key: 'centroids',
      label: 'Centroids',
      type: 'enum',
      choices: ['saliency', 'random'],
      description: 'saliency: the top-m tokens by saliency (the method); random: m seeded random tokens (ablation).',
    },
    {
      key: 'weighting',
      label: 'Pooling weights',
      type: 'enum',
      choices: ['saliency', 'mean'],
      description: 'saliency: weight each token by its saliency (the method); mean: plain average (ablation).',
    },
    {
      key: 'saliency',
      label: 'Saliency',
      type: 'enum',
      choices: ['softmax', 'raw'],
      description:
        "softmax: a softmax over the document's tokens of the given attention, as the paper's code computes it (the default); " +
        'raw: the attention as given, as the paper describes it. Both pick the same top-m centroids; the pooling weights differ.',
    },
    {
      key: 'clustering',
      label: 'Cluster',
      type: 'boolean',
      description: 'true: pool every token into its nearest centroid (the method); false: keep the centroids only (ablation).',
    },
  ],
  defaults: { centroids: 'saliency', weighting: 'saliency', saliency: 'softmax', clustering: true },
  usesSaliency: true,
  usesSeed: true,
  compress(doc, m, options, { rng, memo }) {
    const { n, d } = doc;
    // The softmaxed saliency does not depend on m: kept for the document's next budget (n values;
    // the unit vectors are made again: keeping them for every document of a corpus cost its size again).
    let saliency = memo?.get('agc:softmax') as ArrayLike<number> | undefined;
    if (options.saliency === 'raw') saliency = doc.saliency!;
    else if (!saliency) {
      saliency = softmax(doc.saliency!);
      memo?.set('agc:softmax', saliency);
    }
    const unit = normalizeRows(doc.data, n, d);
    const centroidIdx =
      options.centroids === 'random' ? sampleWithoutReplacement(rng, n, m) : topKIndices(saliency, m);
    const centroids = gatherRows(unit, d, centroidIdx);
    if (options.clustering === false) {
      const assignments = new Int32Array(n).fill(-1);
      centroidIdx.forEach((tok, c) => (assignments[tok] = c));
      return { data: centroids, k: m, assignments };
    }
    const { assignment } = assignToNearest(unit, n, centroids, m, d);
    // A centroid token is always in its own cluster, even when another centroid is an exact
    // duplicate of it (the tie would otherwise send both to the lower index and leave one empty).
    centroidIdx.forEach((tok, c) => (assignment[tok] = c));
    const weights = options.weighting === 'mean' ? undefined : saliency;
    const { pooled } = poolByGroup(doc.data, n, d, assignment, m, weights);
    for (let c = 0; c < m; c++) normalizeRowInPlace(pooled, c, d);
    return { data: pooled, k: m, assignments: assignment };
  },
};

/**
 * exp(s_j - max s) / sum_k exp(s_k - max s) over one document's tokens, in float64 (so the order
 * of the given values, and with it the top-m, is kept where float32 would round neighbours together).
 */
export function softmax(s: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < s.length; i++) max = Math.max(max, s[i]);
  const out = new Float64Array(s.length);
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += out[i] = Math.exp(s[i] - max);
  for (let i = 0; i < s.length; i++) out[i] /= sum;
  return out;
}

