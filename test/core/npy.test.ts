import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { float16ToFloat32, float32ToFloat16 } from '../../src/core/float16.ts';
import { readNpy, writeNpy } from '../../src/core/npy.ts';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/npy/${name}`, import.meta.url)));
const expected = Array.from({ length: 12 }, (_, i) => (i - 5.5) / 4);

describe('.npy files written by NumPy', () => {
  for (const name of ['f4_3x4.npy', 'f2_3x4.npy', 'f8_3x4.npy']) {
    it(`reads ${name}`, () => {
      const a = readNpy(fixture(name), name);
      expect(a.shape).toEqual([3, 4]);
      expect(Array.from(a.data)).toEqual(expected);
    });
  }
  it('reads int64 into int32', () => {
    expect(Array.from(readNpy(fixture('i8_5.npy')).data)).toEqual([0, 1, -2, 300, 70000]);
  });
  it('rejects Fortran order and big-endian data with a clear reason', () => {
    expect(() => readNpy(fixture('fortran.npy'), 'tokens.npy')).toThrow(/tokens.npy: Fortran-order arrays are not supported/);
    expect(() => readNpy(fixture('big_endian.npy'), 'x.npy')).toThrow(/x.npy: dtype >f4 is not supported/);
  });
  it('rejects non-npy and truncated files', () => {
    expect(() => readNpy(new TextEncoder().encode('hello world'), 'a.npy')).toThrow(/a.npy: not a NumPy .npy file/);
    const bytes = fixture('f4_3x4.npy');
    expect(() => readNpy(bytes.subarray(0, bytes.length - 4), 'cut.npy')).toThrow(/cut.npy: truncated data: shape \(3, 4\) needs 48 bytes, file has 44/);
  });
});

describe('writeNpy', () => {
  it('writes what NumPy writes, byte for byte, for float32', () => {
    const ours = writeNpy(Float32Array.from(expected), [3, 4]);
    expect(Buffer.from(ours).equals(Buffer.from(fixture('f4_3x4.npy')))).toBe(true);
  });
  it('round-trips int32 vectors and checks the shape', () => {
    const back = readNpy(writeNpy(Int32Array.from([5, -1, 7]), [3]));
    expect(back.shape).toEqual([3]);
    expect(Array.from(back.data)).toEqual([5, -1, 7]);
    expect(() => writeNpy(new Float32Array(5), [2, 3])).toThrow(/holds 6 values, data has 5/);
  });
});

describe('float16', () => {
  it('round-trips exactly representable values and rounds to nearest even', () => {
    for (const v of [0, 1, -2.5, 65504, 2 ** -24, 0.333251953125]) expect(float16ToFloat32(float32ToFloat16(v))).toBe(v);
    expect(float16ToFloat32(float32ToFloat16(1 + 2 ** -11))).toBe(1); // tie goes to even
    expect(float16ToFloat32(float32ToFloat16(1e6))).toBe(Infinity);
  });
});
