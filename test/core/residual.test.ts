import { describe, expect, it } from 'vitest';
import { centroidCount, decodeResidual, residualBytes, residualIndex } from '../../src/core/residual.ts';
import { packCorpus } from '../../src/core/maxsim.ts';
import { parseEvalStorageList, parseStorageList } from '../../src/core/storage/stored.ts';
import { randomDoc } from '../helpers.ts';

const f16 = (x: number) => Math.round(x * 2 ** 11) / 2 ** 11; // fp16 rounding for values in [0.5, 1)

describe('residual compression (ColBERTv2)', () => {
  it("picks ColBERTv2's number of centroids, 2^floor(log2(16 sqrt N)), at most 2^floor(log2(N / 8))", () => {
    expect(centroidCount(10_000)).toBe(1024); // 1,600 -> 1,024; 1,250 -> 1,024
    expect(centroidCount(1_000_000)).toBe(8192); // 16,000 -> 8,192
    expect(centroidCount(972)).toBe(64); // 499 -> 256; 121 -> 64
    expect(centroidCount(4)).toBe(1);
  });

  it('hand-computed: one centroid, 1-bit residuals, cutoff and bucket values at the quantiles, exact decoding', () => {
    // Four unit vectors, (1,0), (0,1), (1,0), (0,1): one centroid, the normalised mean (1,1)/sqrt 2,
    // stored in fp16 (0.70703125). Residuals: 0.29296875 and -0.70703125, four of each.
    const docs = [0, 1].map((i) => ({ id: `d${i}`, n: 2, d: 2, data: Float32Array.from([1, 0, 0, 1]) }));
    const r = residualIndex(packCorpus(docs), 1);
    const c = f16(Math.SQRT1_2);
    expect(c).toBe(0.70703125);
    expect(r.k).toBe(1);
    expect(Array.from(r.centroids)).toEqual([c, c]);
    // NumPy's linear quantiles of the 8 sorted residuals: q = 0.5 sits between the 4th and 5th
    // values (their midpoint); q = 0.25 and 0.75 fall inside the runs of equal values.
    expect(Array.from(r.cutoffs)).toEqual([Math.fround((1 - c - c) / 2)]);
    expect(Array.from(r.weights)).toEqual([Math.fround(-c), Math.fround(1 - c)]);
    // Codes: 1 where the residual is above the cutoff: (1,0) -> bits 1,0; (0,1) -> bits 0,1.
    expect(Array.from(r.residuals)).toEqual([0b01, 0b10, 0b01, 0b10]);
    // Decoded: centroid + bucket value = exactly the input, and renormalised (all were unit vectors).
    expect(Array.from(decodeResidual(r).data)).toEqual([1, 0, 0, 1, 1, 0, 0, 1]);
    // Bytes: 4 vectors x (2-byte id + 1 byte of bits) + the fp16 codebook (1 x 2 x 2) + 2 bucket values x 4.
    expect(residualBytes(r)).toBe(4 * 3 + 4 + 8);
  });

  it('plain means (not unit vectors) are decoded as centroid + residual, not renormalised', () => {
    const docs = [randomDoc('a', 40, 8, 1), randomDoc('b', 40, 8, 2)].map((x) => ({ ...x, data: x.data.map((v) => v * 0.5) }));
    const r = residualIndex(packCorpus(docs), 2);
    expect(r.renormalise).toBe(false);
    const out = decodeResidual(r).data;
    const norms = Array.from({ length: 80 }, (_, i) => Math.hypot(...out.subarray(i * 8, i * 8 + 8)));
    expect(norms.some((v) => Math.abs(v - 1) > 0.05)).toBe(true);
  });

  it('two bits per value reconstruct closer than one (mean absolute error on seeded documents)', () => {
    const docs = Array.from({ length: 20 }, (_, i) => randomDoc(`d${i}`, 30, 16, i + 1));
    const packed = packCorpus(docs);
    const err = (bits: 1 | 2) => {
      const out = decodeResidual(residualIndex(packed, bits)).data;
      let e = 0;
      for (let i = 0; i < out.length; i++) e += Math.abs(out[i] - packed.data[i]);
      return e / out.length;
    };
    expect(err(2)).toBeLessThan(err(1));
  });

  it('res1 and res2 are index-wide: the comparison and export take them, the per-vector list (streaming, scale) does not', () => {
    expect(parseEvalStorageList('fp32,res2,res1')).toEqual(['fp32', 'res2', 'res1']);
    expect(() => parseStorageList('res2')).toThrow('unknown storage type "res2"; known: fp32, fp16, int8, binary');
  });
});
