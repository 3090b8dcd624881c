import { gatherRows, poolByGroup } from '../linalg.ts';
import type { MultiVector } from '../multivector.ts';
import { wardClusters } from '../ward.ts';
import { unitRowsFloat64 } from './hierarchicalPool.ts';
import type { CompressionMethod, OptionSpec } from './types.ts';

/**
 * Adaptive pruning after DocPruner (arXiv 2509.23883): a document keeps the tokens whose saliency
 * exceeds its own threshold, mean + k x standard deviation (population) of its saliency, so a
 * busy page keeps more vectors than an empty one. The budget m caps what is kept (the most salient
 * first), and at least the most salient token is always kept. Index bytes count what each
 * document really stores.
 */
const thresholdOption: OptionSpec = {
  key: 'k',
  label: 'Threshold k',
  type: 'number',
  min: -3,
  max: 5,
  description: "Keep tokens with saliency above mean + k x standard deviation of the document's saliency (DocPruner sweeps k; 0 keeps the above-average tokens).",
};

/** Indices of the tokens above the document's threshold, most salient first, at most `cap`, at least one. */
export function survivors(doc: MultiVector, k: number, cap: number): Int32Array {
  const s = doc.saliency!;
  const n = s.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += s[i] / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (s[i] - mean) ** 2 / n;
  const threshold = mean + k * Math.sqrt(v);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => s[b] - s[a] || a - b);
  const kept = order.filter((i) => s[i] > threshold).slice(0, cap);
  return Int32Array.from(kept.length ? kept : order.slice(0, 1));
}

export const adaptivePrune: CompressionMethod = {
  id: 'prune',
  label: 'Adaptive pruning (DocPruner)',
  description:
    'Adaptive token pruning after DocPruner (arXiv 2509.23883): each document keeps the tokens whose saliency ' +
    'exceeds mean + k standard deviations of its own saliency, unchanged, so every document gets its own ' +
    'budget; m caps it. No merging.',
  options: [thresholdOption],
  defaults: { k: 0 },
  usesSaliency: true,
  usesSeed: false,
  compress(doc, m, options) {
    const keep = survivors(doc, Number(options.k), m);
    const assignments = new Int32Array(doc.n).fill(-1);
    keep.forEach((tok, c) => (assignments[tok] = c));
    return { data: gatherRows(doc.data, doc.d, keep), k: keep.length, assignments };
  },
};

export const pruneMerge: CompressionMethod = {
  id: 'prune-merge',
  label: 'Prune, then merge',
  description:
    'Prune-then-merge: the tokens above the DocPruner threshold (mean + k standard deviations of the ' +
    "document's saliency) survive, the rest are dropped, and the survivors are merged to at most m by Ward " +
    'clustering of their unit vectors (as hpool), each cluster replaced by its mean.',
  options: [thresholdOption],
  defaults: { k: 0 },
  usesSaliency: true,
  usesSeed: false,
  compress(doc, m, options) {
    const keep = survivors(doc, Number(options.k), doc.n);
    const { d } = doc;
    const unit = new Float64Array(keep.length * d);
    keep.forEach((tok, i) => unit.set(unitRowsFloat64(doc.data, tok, 1, d), i * d));
    const { labels, k } = keep.length <= m ? { labels: Int32Array.from(keep, (_, i) => i), k: keep.length } : wardClusters(unit, keep.length, d, m);
    const { pooled } = poolByGroup(Float32Array.from(unit), keep.length, d, labels, k);
    const assignments = new Int32Array(doc.n).fill(-1);
    keep.forEach((tok, i) => (assignments[tok] = labels[i]));
    return { data: pooled, k, assignments };
  },
};
