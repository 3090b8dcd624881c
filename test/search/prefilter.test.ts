import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { packCorpus, topK, type VectorSet } from '../../src/core/maxsim.ts';
import { decodeCorpus, scoreStored, storeCorpus } from '../../src/core/storage/stored.ts';
import { setKernels } from '../../src/kernels/space.ts';
import { BinaryPrefilter, smallestC } from '../../src/search/prefilter.ts';

afterEach(() => setKernels(true));
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

function make(d: number, rows: number[], qn: number, seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  // one value in seven exactly zero: a zero has no positive sign in any stored type
  const value = (_: unknown, i: number) => (i % 7 === 3 ? 0 : next());
  const docs: VectorSet[] = rows.map((n, i) => ({ id: `d${i}`, n, d, data: Float32Array.from({ length: n * d }, value) }));
  return { docs, q: Float32Array.from({ length: qn * d }, next) };
}

/** Sum over query tokens of the smallest Hamming distance between sign patterns, by hand. */
function bruteSums(q: Float32Array, qn: number, docs: { n: number; data: Float32Array }[], d: number): number[] {
  return docs.map((doc) => {
    if (doc.n === 0) return qn * (Math.ceil(d / 32) * 32 + 1);
    let total = 0;
    for (let i = 0; i < qn; i++) {
      let best = Infinity;
      for (let j = 0; j < doc.n; j++) {
        let ham = 0;
        for (let k = 0; k < d; k++) if (q[i * d + k] > 0 !== doc.data[j * d + k] > 0) ham++;
        best = Math.min(best, ham);
      }
      total += best;
    }
    return total;
  });
}

describe('binary prefilter', () => {
  it('Hamming sums equal brute force for every stored type, any d (one word, several, more than 16 chunks), empty documents', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 31, 32, 100, 128, 160, 512, 2100),
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 11 }),
        fc.constantFrom('fp32', 'fp16', 'int8', 'binary'),
        fc.boolean(),
        fc.integer(),
        (d, rows, qn, storage, kernels, seed) => {
          setKernels(kernels);
          const { docs, q } = make(d, rows, qn, seed);
          const stored = storeCorpus(packCorpus(docs), storage as 'fp32');
          const decoded = decodeCorpus(stored);
          // the stored values' signs (binary keeps +-1, so its decoded form carries them too)
          const asDocs = docs.map((doc, i) => ({ n: doc.n, data: decoded.data.subarray(decoded.offsets[i] * d, decoded.offsets[i + 1] * d) }));
          const pf = BinaryPrefilter.build(stored);
          expect(Array.from(pf.hammingSums(q, qn))).toEqual(bruteSums(q, qn, asDocs, d));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('smallestC keeps every value below the boundary and the first of the boundary ties, in index order', () => {
    expect(Array.from(smallestC(Int32Array.from([5, 1, 3, 3, 0, 3, 9]), 4))).toEqual([1, 2, 3, 4]);
    expect(Array.from(smallestC(Int32Array.from([5, 1, 3, 3, 0, 3, 9]), 2))).toEqual([1, 4]);
    expect(Array.from(smallestC(Int32Array.from([2, 2, 2]), 2))).toEqual([0, 1]);
    expect(Array.from(smallestC(Int32Array.from([2, 2, 2]), 5))).toEqual([0, 1, 2]);
  });

  it('with every document a candidate, two-stage search returns exhaustive search exactly', () => {
    for (const storage of ['fp32', 'fp16', 'int8'] as const) {
      const { docs, q } = make(48, [4, 0, 7, 2, 9, 1, 5, 3], 5, 11);
      const stored = storeCorpus(packCorpus(docs), storage);
      const exhaustive = topK(scoreStored(q, 5, stored), 5);
      const { hits, candidates } = BinaryPrefilter.build(stored).search(q, 5, 5, docs.length);
      expect(candidates).toBe(docs.length);
      expect(hits).toEqual(exhaustive);
    }
  });

  it('re-ranks only the candidates: a document outside them is never returned', () => {
    const d = 32;
    // doc 0 matches the query's signs exactly; doc 1 has opposite signs but a huge exact score
    const q = Float32Array.from({ length: d }, (_, k) => (k % 2 ? 1 : -1) * 0.1);
    const near = Float32Array.from(q);
    const far = Float32Array.from(q, (x) => -x * 0.01);
    far[0] = -1000; // one same-signed, very large value: doc 1 wins the exact score, loses on signs
    const stored = storeCorpus(packCorpus([{ id: 'a', n: 1, d, data: near }, { id: 'b', n: 1, d, data: far }]), 'fp32');
    expect(topK(scoreStored(q, 1, stored), 1)[0].doc).toBe(1);
    const { hits } = BinaryPrefilter.build(stored).search(q, 1, 1, 1);
    expect(hits.map((h) => h.doc)).toEqual([0]);
  });
});
