/**
 * The WebAssembly SIMD kernels against the TypeScript reference (and against brute force written
 * here), on random shapes: d not a multiple of 4, documents of one row and of none, queries longer
 * than the kernel's lane block, exact ties.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { float16ToFloat32 } from '../../src/core/float16.ts';
import { assignToNearest, normalizeRows, poolByGroup } from '../../src/core/linalg.ts';
import { maxSimBlock, maxSimScores, packCorpus, type VectorSet } from '../../src/core/maxsim.ts';
import { decodeCorpus, scoreStored, scoreStoredBatch, storeCorpus } from '../../src/core/storage/stored.ts';
import { pdistEuclidean } from '../../src/core/ward.ts';
import { IndexBuilder } from '../../src/core/exportIndex.ts';
import { parseMethodSpec } from '../../src/core/methodSpec.ts';
import { withResidentRows } from '../../src/kernels/ops.ts';
import { KernelSpace, kernelsEnabled, QUERY_LANES, scratch, setKernels } from '../../src/kernels/space.ts';
import { brute } from './brute.ts';

afterEach(() => setKernels(true));

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

const shapes = fc.record({
  d: fc.integer({ min: 1, max: 70 }),
  rows: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 12 }),
  qn: fc.integer({ min: 1, max: 21 }),
  seed: fc.integer(),
});

function make({ d, rows, qn, seed }: { d: number; rows: number[]; qn: number; seed: number }) {
  let s = seed >>> 0 || 1;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const docs: VectorSet[] = rows.map((n, i) => ({ id: `d${i}`, n, d, data: Float32Array.from({ length: n * d }, next) }));
  const q = Float32Array.from({ length: qn * d }, next);
  return { docs, q };
}

describe('WebAssembly SIMD kernels', () => {
  it('are available in Node and the corpus is allocated inside their memory', () => {
    expect(kernelsEnabled()).toBe(true);
    const corpus = packCorpus([{ id: 'a', n: 2, d: 3, data: Float32Array.from([1, 2, 3, 4, 5, 6]) }]);
    const space = KernelSpace.of(corpus.data);
    expect(space).toBeDefined();
    expect(KernelSpace.of(corpus.offsets)).toBe(space);
    expect(corpus.data.buffer).toBe(space!.memory.buffer);
  });

  it('MaxSim scores and winners equal brute force on random shapes (empty and one-row documents, any d)', () => {
    fc.assert(
      fc.property(shapes, (shape) => {
        const { docs, q } = make(shape);
        const corpus = packCorpus(docs);
        expect(KernelSpace.of(corpus.data)).toBeDefined();
        const winners = new Int32Array(docs.length * shape.qn);
        const scores = maxSimScores(q, shape.qn, corpus, undefined, winners);
        brute(q, shape.qn, docs, shape.d).forEach((ref, i) => {
          if (docs[i].n === 0) {
            expect(scores[i]).toBe(-Infinity);
            expect(Array.from(winners.subarray(i * shape.qn, (i + 1) * shape.qn)).every((w) => w === -1)).toBe(true);
            return;
          }
          expect(Math.abs(scores[i] - ref.total)).toBeLessThanOrEqual(ref.bound);
          ref.winners.forEach((w, t) => {
            // where two rows are closer than rounding can separate, either may win
            if (ref.margins[t] > 2 * ref.bound) expect(winners[i * shape.qn + t]).toBe(w + corpus.offsets[i]);
          });
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('fp16 and int8 indexes are scored in place as their decoded vectors, and agree with the reference path', () => {
    fc.assert(
      fc.property(shapes, (shape) => {
        const { docs, q } = make(shape);
        for (const storage of ['fp16', 'int8'] as const) {
          const stored = storeCorpus(packCorpus(docs), storage);
          expect(KernelSpace.of(stored.vectors)).toBeDefined();
          const decoded = decodeCorpus(stored);
          const asDocs = docs.map((doc, i) => ({ ...doc, data: decoded.data.subarray(decoded.offsets[i] * shape.d, decoded.offsets[i + 1] * shape.d) }));
          const scores = scoreStored(q, shape.qn, stored);
          const batch = scoreStoredBatch([{ data: q, n: shape.qn }, { data: q, n: shape.qn }], stored);
          setKernels(false);
          const reference = scoreStored(q, shape.qn, storeCorpus(packCorpus(docs), storage));
          setKernels(true);
          brute(q, shape.qn, asDocs, shape.d).forEach((ref, i) => {
            if (docs[i].n === 0) return expect(scores[i]).toBe(-Infinity);
            expect(Math.abs(scores[i] - ref.total)).toBeLessThanOrEqual(ref.bound);
            expect(Math.abs(reference[i] - scores[i])).toBeLessThanOrEqual(2 * ref.bound);
            expect(batch[0][i]).toBe(scores[i]);
            expect(batch[1][i]).toBe(scores[i]);
          });
        }
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });

  it('binary indexes are scored by the Hamming kernel in place, as the reference scores them (empty documents -Infinity)', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 7, 32, 100, 128, 512), fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 10 }), fc.integer({ min: 1, max: 13 }), fc.integer(), (d, rows, qn, seed) => {
        const { docs, q } = make({ d, rows, qn, seed });
        const stored = storeCorpus(packCorpus(docs), 'binary');
        expect(KernelSpace.of(stored.vectors)).toBeDefined();
        const got = scoreStored(q, qn, stored);
        setKernels(false);
        const ref = scoreStored(q, qn, storeCorpus(packCorpus(docs), 'binary'));
        setKernels(true);
        docs.forEach((doc, i) => {
          if (doc.n === 0) return expect(got[i]).toBe(-Infinity);
          // one rounding against the reference's qn: the same float32 but for the last bit at most
          expect(Math.abs(got[i] - ref[i])).toBeLessThanOrEqual(Math.abs(ref[i]) * 2 ** -23 + 1e-12);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('a query longer than the lane block runs in pieces with the same scores and winners', () => {
    const d = 19;
    const qn = QUERY_LANES + 45;
    const { docs, q } = make({ d, rows: [5, 0, 1, 30, 8], qn, seed: 7 });
    const corpus = packCorpus(docs);
    const winners = new Int32Array(docs.length * qn);
    const scores = maxSimScores(q, qn, corpus, undefined, winners);
    brute(q, qn, docs, d).forEach((ref, i) => {
      if (docs[i].n === 0) return expect(scores[i]).toBe(-Infinity);
      expect(Math.abs(scores[i] - ref.total)).toBeLessThanOrEqual(ref.bound);
      ref.winners.forEach((w, t) => {
        if (ref.margins[t] > 2 * ref.bound) expect(winners[i * qn + t]).toBe(w + corpus.offsets[i]);
      });
    });
  });

  it('ties go to the first row, as in the reference: duplicated rows in any position', () => {
    const d = 6;
    const row = [0.5, -1, 2, 0.25, 1, -0.5];
    const other = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
    // rows: other, row, other, row, row, other (7 rows exercise the 4-row block and the tail)
    const rows = [other, row, other, row, row, other, row];
    const doc = { id: 'a', n: rows.length, d, data: Float32Array.from(rows.flat()) };
    const corpus = packCorpus([{ id: 'z', n: 1, d, data: Float32Array.from(other) }, doc]);
    const q = Float32Array.from([...row, ...row.map((x) => -x)]);
    const winners = new Int32Array(4);
    maxSimScores(q, 2, corpus, undefined, winners);
    // token 0 matches `row` best (first at local 1 = global 2); token 1 prefers `other` (first at local 0 = global 1)
    expect(Array.from(winners)).toEqual([0, 0, 2, 1]);
    const best = new Float64Array(2);
    const arg = new Int32Array(2);
    maxSimBlock(q, 2, corpus.data, 1, 8, d, best, arg);
    expect(Array.from(arg)).toEqual([2, 1]);
    expect(best[0]).toBeCloseTo(row.reduce((s, x) => s + x * x, 0), 6);
  });

  it('ties go to the first row for every pair of positions (block rows, tail rows, every lane)', () => {
    const d = 5;
    const n = 11; // two blocks of four rows and a tail of three
    const row = [0.75, -0.5, 1.25, 0.5, -1];
    const qn = 10; // lanes 0-7 and 8-9: both halves of a lane block, and a second block
    // the row scaled by powers of two: every product is exact, so duplicates tie exactly
    const q = Float32Array.from(Array.from({ length: qn }, (_, t) => row.map((x) => x * 2 ** ((t % 5) - 2))).flat());
    for (let p = 0; p < n; p++)
      for (let r = p + 1; r < n; r++) {
        const data = new Float32Array(n * d);
        for (let j = 0; j < n; j++) for (let k = 0; k < d; k++) data[j * d + k] = j === p || j === r ? row[k] : 0.01 * (((j * 7 + k * 3) % 11) - 5);
        const corpus = packCorpus([{ id: 'a', n, d, data }]);
        const winners = new Int32Array(qn);
        maxSimScores(q, qn, corpus, undefined, winners);
        expect([p, r, ...winners]).toEqual([p, r, ...Array(qn).fill(p)]);
      }
  });

  it('reads the index in place: a change to the stored vectors changes the next score (no cached copy)', () => {
    const corpus = packCorpus([{ id: 'a', n: 1, d: 2, data: Float32Array.from([1, 0]) }]);
    const q = Float32Array.from([3, 4]);
    expect(maxSimScores(q, 1, corpus)[0]).toBe(3);
    corpus.data[1] = 1;
    expect(maxSimScores(q, 1, corpus)[0]).toBe(7);
  });

  it('an index built with a known capacity lives in kernel memory, finished or not, and scores like brute force', () => {
    for (const storage of ['fp32', 'fp16', 'int8'] as const) {
      const { docs, q } = make({ d: 10, rows: [4, 4, 4], qn: 3, seed: 3 });
      const builder = new IndexBuilder({ d: 10, spec: parseMethodSpec('none'), budget: null, storage, seed: 1, capacity: { documents: 4, vectors: 16, maxRows: 4 } });
      for (const doc of docs) builder.add({ ...doc, saliency: new Float32Array(doc.n) });
      const stored = builder.finish();
      expect(KernelSpace.of(stored.vectors)).toBeDefined();
      const scores = scoreStored(q, 3, stored);
      const decoded = decodeCorpus(stored);
      const asDocs = docs.map((doc, i) => ({ ...doc, data: decoded.data.subarray(i * 40, (i + 1) * 40) }));
      brute(q, 3, asDocs, 10).forEach((ref, i) => expect(Math.abs(scores[i] - ref.total)).toBeLessThanOrEqual(ref.bound));
    }
  });

  it('half precision decodes exactly: all 65,536 bit patterns (subnormals, infinities, NaN)', () => {
    // Kernel decode through an fp16 index of one 65,536-value row scored against unit queries
    // would be slow; decode through decodeCorpus's kernel-space path is TypeScript, so call the
    // kernel directly.
    const space = scratch()!;
    const mark = space.mark();
    const src = space.alloc(2 * 65536);
    const dst = space.alloc(4 * 65536);
    const h = new Uint16Array(space.memory.buffer, src, 65536);
    for (let i = 0; i < 65536; i++) h[i] = i;
    space.k.decodeHalf(src, dst, 65533); // an odd count: the scalar tail too
    const out = space.f32(dst, 65536);
    for (let i = 0; i < 65533; i++) {
      const e = (i >> 10) & 31;
      const m = i & 1023;
      const sign = i & 0x8000 ? -1 : 1;
      const expected = e === 31 ? (m ? NaN : sign * Infinity) : e === 0 ? sign * m * 2 ** -24 : sign * 2 ** (e - 15) * (1 + m / 1024);
      if (Number.isNaN(expected)) expect(Number.isNaN(out[i])).toBe(true);
      else if (out[i] !== expected) expect([i, out[i]]).toEqual([i, expected]);
    }
    expect(Object.is(out[0x8000], -0)).toBe(true);
    expect(float16ToFloat32(0x3c00)).toBe(1);
    space.release(mark);
  });

  it('cosine assignment equals the reference on random shapes, ties to the lower centroid', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 33 }), fc.integer(), (n, m, d, seed) => {
        const { docs } = make({ d, rows: [n, m], qn: 1, seed });
        const x = docs[0].data;
        // centroid m-1 duplicates centroid 0: a tie the lower index must win
        const c = Float32Array.from(docs[1].data);
        if (m > 1) c.set(c.subarray(0, d), (m - 1) * d);
        const got = assignToNearest(x, n, c, m, d);
        setKernels(false);
        const ref = assignToNearest(x, n, c, m, d);
        setKernels(true);
        for (let i = 0; i < n; i++) {
          let mag = 0;
          for (let k = 0; k < d; k++) mag += Math.abs(x[i * d + k]);
          const tol = (d + 2) * 2 ** -23 * mag * 2;
          expect(Math.abs(got.similarity[i] - ref.similarity[i])).toBeLessThanOrEqual(tol);
          if (got.assignment[i] !== ref.assignment[i]) {
            // only a near tie may differ: the reference's two candidates are within rounding
            let a = 0;
            let b = 0;
            for (let k = 0; k < d; k++) {
              a += x[i * d + k] * c[got.assignment[i] * d + k];
              b += x[i * d + k] * c[ref.assignment[i] * d + k];
            }
            expect(Math.abs(a - b)).toBeLessThanOrEqual(tol);
          }
          // centroid m - 1 equals centroid 0 exactly: the lower index always wins the tie
          if (m > 1) expect(got.assignment[i]).not.toBe(m - 1);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("resident rows' assigner (k-means' iterations) gives at every call what a full assignment gives, keeping products only for centroids that did not move", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 20 }), fc.integer(), fc.array(fc.array(fc.nat(11), { maxLength: 12 }), { minLength: 1, maxLength: 6 }), (n, m, d, seed, steps) => {
        const { docs } = make({ d, rows: [n, 3 * m], qn: 1, seed });
        const x = docs[0].data;
        const pool = docs[1].data; // 3m candidate centroids; each step moves some centroids to others of them
        const c = Float32Array.from(pool.subarray(0, m * d));
        withResidentRows(x, n, d, (rows) => {
          const assign = rows.assigner(m);
          for (const [s, moves] of steps.entries()) {
            // moves: centroid j takes candidate (j + s + 1) % 3m: some move, some move back, some stay
            for (const j of moves) if (j < m) c.set(pool.subarray(((j + s + 1) % (3 * m)) * d, (((j + s + 1) % (3 * m)) + 1) * d), j * d);
            if (m > 1 && s % 2 === 1) c.set(c.subarray(0, d), (m - 1) * d); // a tie with centroid 0 now and then
            const got = { a: new Int32Array(n), s: new Float32Array(n) };
            const want = { a: new Int32Array(n), s: new Float32Array(n) };
            assign(c, got.a, got.s);
            rows.assign(c, m, want.a, want.s);
            expect([...got.a], `step ${s}`).toEqual([...want.a]);
            expect([...got.s], `step ${s}`).toEqual([...want.s]);
          }
          return true;
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('resident rows: dot products with one vector at a time (k-means seeding) equal the float64 reference to float32 rounding, read from the one copy', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 33 }), fc.integer({ min: 1, max: 5 }), fc.integer(), (n, d, k, seed) => {
        const { docs } = make({ d, rows: [n, k], qn: 1, seed });
        const x = Float32Array.from(docs[0].data);
        const c = docs[1].data;
        const got = withResidentRows(x, n, d, (rows) => {
          // The rows are in the kernels' memory now: changing x afterwards must not change the products.
          x.fill(0);
          return Array.from({ length: k }, (_, j) => {
            const out = new Float64Array(n);
            rows.dots(c, j * d, out);
            return out;
          });
        });
        expect(got).not.toBeNull();
        const orig = docs[0].data;
        for (let j = 0; j < k; j++)
          for (let i = 0; i < n; i++) {
            let ref = 0;
            let mag = 0;
            for (let t = 0; t < d; t++) {
              ref += orig[i * d + t] * c[j * d + t];
              mag += Math.abs(orig[i * d + t] * c[j * d + t]);
            }
            expect(Math.abs(got![j][i] - ref)).toBeLessThanOrEqual((d + 2) * 2 ** -23 * mag + 1e-30);
          }
      }),
      { numRuns: RUNS },
    );
    setKernels(false);
    expect(withResidentRows(new Float32Array(4), 2, 2, () => 1)).toBeNull();
  });

  it("Ward's pairwise distances are bit-identical to the reference (float64, same rounding)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 60 }), fc.integer({ min: 1, max: 40 }), fc.integer(), (n, d, seed) => {
        const { docs } = make({ d, rows: [n], qn: 1, seed });
        const x = Float64Array.from(docs[0].data);
        const got = pdistEuclidean(x, n, d);
        setKernels(false);
        const ref = pdistEuclidean(x, n, d);
        setKernels(true);
        expect(got).toEqual(ref);
      }),
      { numRuns: RUNS },
    );
  });

  it('row normalisation and weighted pooling are bit-identical to the reference (float64 sums, same order)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 37 }), fc.integer({ min: 1, max: 6 }), fc.boolean(), fc.integer(), (n, d, k, weighted, seed) => {
        const { docs } = make({ d, rows: [n], qn: 1, seed });
        const x = docs[0].data;
        if (n > 2) x.fill(0, d, 2 * d); // a zero row stays zero
        const group = Int32Array.from({ length: n }, (_, i) => ((i * 7 + seed) % (k + 1)) - 1); // -1: not pooled
        const weights = weighted ? Float64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : Math.abs(x[i * d]) + 0.1)) : undefined;
        const unit = normalizeRows(x, n, d);
        const pooled = poolByGroup(x, n, d, group, k, weights);
        setKernels(false);
        const unitRef = normalizeRows(x, n, d);
        const pooledRef = poolByGroup(x, n, d, group, k, weights);
        setKernels(true);
        expect(unit).toEqual(unitRef);
        expect(pooled.pooled).toEqual(pooledRef.pooled);
        expect(pooled.sizes).toEqual(pooledRef.sizes);
      }),
      { numRuns: RUNS },
    );
  });

  it('turned off, every path runs the TypeScript reference on plain arrays', () => {
    setKernels(false);
    const corpus = packCorpus([{ id: 'a', n: 1, d: 2, data: Float32Array.from([1, 2]) }]);
    expect(KernelSpace.of(corpus.data)).toBeUndefined();
    expect(maxSimScores(Float32Array.from([1, 1]), 1, corpus)[0]).toBe(3);
    expect(scoreStored(Float32Array.from([1, 1]), 1, storeCorpus(corpus, 'fp16'))[0]).toBe(3);
  });
});
