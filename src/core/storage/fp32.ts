import type { StorageCodec } from './codec.ts';

/** 4 d bytes per vector: the values as computed. */
export const fp32: StorageCodec<'fp32'> = {
  id: 'fp32',
  label: 'fp32',
  help: '4 bytes per value',
  dash: false,
  width: (d) => d,
  bytesPerVector: (d) => 4 * d,
  array: Float32Array,
  dtype: 'F32',
  scaled: false,
  kernel: 'f32',
  qdrant: 'float32',
  encode: (data, count, d) => ({ vectors: data.subarray(0, count * d) }), // a view: nothing to convert
  decodeRows(vectors, _scales, d, start, end, out) {
    out.set((vectors as Float32Array).subarray(start * d, end * d));
  },
  fromFile: (emb) => ({ vectors: emb.data as Float32Array }), // shared, not copied
};
