import { gatherRows, topKIndices } from '../linalg.ts';
import type { CompressionMethod } from './types.ts';

export const topSaliency: CompressionMethod = {
  id: 'top-saliency',
  label: 'Top saliency',
  description:
    'Keeps the m most salient tokens unchanged and drops the rest (token pruning, no merging). Equal to ' +
    "AGC's selection-only ablation up to normalisation; Light-ColPali (arXiv 2506.04997) found such " +
    'pruning loses to merging.',
  options: [],
  defaults: {},
  usesSaliency: true,
  usesSeed: false,
  compress(doc, m) {
    const keep = topKIndices(doc.saliency!, m);
    const assignments = new Int32Array(doc.n).fill(-1);
    keep.forEach((tok, c) => (assignments[tok] = c));
    return { data: gatherRows(doc.data, doc.d, keep), k: m, assignments };
  },
};
