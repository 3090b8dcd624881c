import { gatherRows } from '../linalg.ts';
import { sampleWithoutReplacement } from '../rng.ts';
import type { CompressionMethod } from './types.ts';

export const randomSelect: CompressionMethod = {
  id: 'random',
  label: 'Random',
  description:
    'Keeps m tokens drawn uniformly at random (seeded) and drops the rest. A floor every method should ' +
    'beat; Light-ColPali (arXiv 2506.04997) reports it is harder to beat than it looks.',
  options: [],
  defaults: {},
  usesSaliency: false,
  usesSeed: true,
  compress(doc, m, _options, { rng }) {
    const keep = Int32Array.from(sampleWithoutReplacement(rng, doc.n, m)).sort();
    const assignments = new Int32Array(doc.n).fill(-1);
    keep.forEach((tok, c) => (assignments[tok] = c));
    return { data: gatherRows(doc.data, doc.d, keep), k: m, assignments };
  },
};
