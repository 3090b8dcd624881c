import type { StorageCodec } from './codec.ts';

/** One sign bit per dimension (1 where x > 0), rows padded to whole 32-bit words. */
export function binarize(data: Float32Array, count: number, d: number): Uint32Array {
  const words = Math.ceil(d / 32);
  const out = new Uint32Array(count * words);
  for (let r = 0; r < count; r++)
    for (let k = 0; k < d; k++) if (data[r * d + k] > 0) out[r * words + (k >>> 5)] |= 1 << (k & 31);
  return out;
}

/**
 * 4 ceil(d / 32) bytes per vector: one sign bit per dimension (Vespa's binarised ColBERT). The query
 * is binarised too and <a, b> of two +-1 vectors is d - 2 hamming(a, b), so the score is the sum over
 * query tokens of the max over stored vectors of (d - 2 hamming) / d. Qdrant scores dot products, so
 * binary indexes do not go there.
 */
export const binary: StorageCodec<'binary'> = {
  id: 'binary',
  label: 'binary (Hamming)',
  help: '1 bit per value; the query is binarised too, Hamming MaxSim as in Vespa',
  dash: '8 2 2 2',
  width: (d) => Math.ceil(d / 32),
  bytesPerVector: (d) => 4 * Math.ceil(d / 32),
  array: Uint32Array,
  dtype: 'U32',
  scaled: false,
  kernel: 'bits',
  encode: (data, count, d) => ({ vectors: binarize(data, count, d) }),
  // +-1 scaled by 1/d, so a token's best match lies in [-1, 1] like a cosine.
  query(query, qn, d) {
    const out = new Float32Array(qn * d);
    for (let i = 0; i < out.length; i++) out[i] = (query[i] > 0 ? 1 : -1) / d;
    return out;
  },
  decodeRows(vectors, _scales, d, start, end, out) {
    const v = vectors as Uint32Array;
    const words = Math.ceil(d / 32);
    for (let r = 0; r < end - start; r++)
      for (let k = 0; k < d; k++) out[r * d + k] = (v[(start + r) * words + (k >>> 5)] >>> (k & 31)) & 1 ? 1 : -1;
  },
  fromFile: (emb) => ({ vectors: new Uint32Array((emb.data as Int32Array).buffer.slice(0)) }),
};
