import { float16ToFloat32, float32ToFloat16 } from '../float16.ts';
import type { StorageCodec } from './codec.ts';

const HALF_TO_FLOAT = (() => {
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) t[h] = float16ToFloat32(h);
  return t;
})();

/** 2 d bytes per vector: IEEE half precision, round to nearest even. */
export const fp16: StorageCodec<'fp16'> = {
  id: 'fp16',
  label: 'fp16',
  help: '2 bytes per value, IEEE half precision',
  dash: '6 3',
  width: (d) => d,
  bytesPerVector: (d) => 2 * d,
  array: Uint16Array,
  dtype: 'F16',
  scaled: false,
  kernel: 'f16',
  qdrant: 'float16',
  encode(data, count, d) {
    const out = new Uint16Array(count * d);
    for (let i = 0; i < out.length; i++) out[i] = float32ToFloat16(data[i]);
    return { vectors: out };
  },
  decodeRows(vectors, _scales, d, start, end, out) {
    const v = vectors as Uint16Array;
    for (let i = 0, o = start * d; i < (end - start) * d; i++, o++) out[i] = HALF_TO_FLOAT[v[o]];
  },
  // F16 was widened exactly on reading; narrowing back is exact too.
  fromFile: (emb) => ({ vectors: Uint16Array.from(emb.data as Float32Array, (x) => float32ToFloat16(x)) }),
};
