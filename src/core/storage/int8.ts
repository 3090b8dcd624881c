import { ImportError } from '../importError.ts';
import type { StorageCodec } from './codec.ts';

/**
 * d + 4 bytes per vector: symmetric per-vector quantisation, q = round(x / s) with s = max |x| / 127,
 * so x ~ s q; the score is s <q_query, q> in fp32.
 */
export const int8: StorageCodec<'int8'> = {
  id: 'int8',
  label: 'int8 + scale',
  help: '1 byte per value plus one fp32 scale per vector',
  dash: '2 2',
  width: (d) => d,
  bytesPerVector: (d) => d + 4,
  array: Int8Array,
  dtype: 'I8',
  scaled: true,
  kernel: 'i8',
  qdrant: 'float32',
  encode(data, count, d) {
    const out = new Int8Array(count * d);
    const scales = new Float32Array(count);
    for (let r = 0; r < count; r++) {
      let max = 0;
      for (let k = 0; k < d; k++) max = Math.max(max, Math.abs(data[r * d + k]));
      const s = max > 0 ? max / 127 : 1;
      scales[r] = s;
      for (let k = 0; k < d; k++) out[r * d + k] = Math.max(-127, Math.min(127, Math.round(data[r * d + k] / s)));
    }
    return { vectors: out, scales };
  },
  decodeRows(vectors, scales, d, start, end, out) {
    const v = vectors as Int8Array;
    for (let r = 0; r < end - start; r++) {
      const s = scales![start + r];
      for (let k = 0, o = (start + r) * d; k < d; k++, o++) out[r * d + k] = v[o] * s;
    }
  },
  fromFile(emb, scales) {
    if (!scales || scales.shape.length !== 1 || scales.shape[0] !== emb.shape[0] || !(scales.data instanceof Float32Array))
      throw new ImportError(`doc_scales: an int8 index needs one float scale per vector (${emb.shape[0]})`);
    for (let i = 0; i < scales.data.length; i++)
      if (!Number.isFinite(scales.data[i]) || scales.data[i] <= 0) throw new ImportError(`doc_scales: scale ${i} is ${scales.data[i]}; scales must be finite and > 0`);
    return { vectors: Int8Array.from(emb.data as Int8Array), scales: Float32Array.from(scales.data) };
  },
};
