import type { CompressionMethod } from './types.ts';

export const none: CompressionMethod = {
  id: 'none',
  label: 'Uncompressed',
  description:
    'The reference: every token vector is stored and scored with MaxSim, as in ColBERT and ColPali. ' +
    'Index size grows linearly with document length; every other method is measured against it.',
  options: [],
  defaults: {},
  usesSaliency: false,
  usesSeed: false,
  compress(doc) {
    const assignments = new Int32Array(doc.n);
    for (let i = 0; i < doc.n; i++) assignments[i] = i;
    return { data: doc.data.slice(), k: doc.n, assignments };
  },
};
