import { assignToNearest, gatherRows, normalizeRowInPlace, normalizeRows, poolByGroup, topKIndices } from '../linalg.ts';
import { sampleWithoutReplacement } from '../rng.ts';
import type { CompressionMethod } from './types.ts';

/**
 * Attention-guided clustering, after "Multi-Vector Index Compression in Any Modality"
 * (arXiv 2602.21202, section 3): saliency picks the centroids, cosine similarity assigns every
 * token, saliency weights pool each cluster. The three options reproduce the paper's ablations
 * (Table 9): plain mean instead of saliency weights, random centroids instead of the top-m, and
 * the selected tokens alone with no clustering.
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
      key: 'clustering',
      label: 'Cluster',
      type: 'boolean',
      description: 'true: pool every token into its nearest centroid (the method); false: keep the centroids only (ablation).',
    },
  ],
  defaults: { centroids: 'saliency', weighting: 'saliency', clustering: true },
  usesSaliency: true,
  usesSeed: true,
  compress(doc, m, options, { rng }) {
    const { n, d } = doc;
    const saliency = doc.saliency!;
    const centroidIdx =
      options.centroids === 'random' ? sampleWithoutReplacement(rng, n, m) : topKIndices(saliency, m);
    const unit = normalizeRows(doc.data, n, d);
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
