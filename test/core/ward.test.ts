import { describe, expect, it } from 'vitest';
import fixture from '../fixtures/ward.json';
import { compressDocument } from '../../src/core/compress.ts';
import { parseMethodSpec } from '../../src/core/methodSpec.ts';
import { cutMaxClusters, pdistEuclidean, wardLinkage } from '../../src/core/ward.ts';
import { canonical } from '../helpers.ts';

function unit(data: number[], n: number, d: number): Float64Array {
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let sq = 0;
    for (let k = 0; k < d; k++) sq += data[i * d + k] ** 2;
    for (let k = 0; k < d; k++) out[i * d + k] = data[i * d + k] / Math.sqrt(sq);
  }
  return out;
}

describe('Ward linkage against SciPy fixtures', () => {
  for (const c of fixture.cases) {
    it(`${c.name}: merge heights equal SciPy's linkage(X, "ward")`, () => {
      const merges = wardLinkage(pdistEuclidean(unit(c.data, c.n, c.d), c.n, c.d), c.n);
      expect(merges.length).toBe(c.n - 1);
      merges.forEach((m, i) => expect(m.height).toBeCloseTo(c.heights[i], 9));
    });
    if (c.n <= 40) {
      it(`${c.name}: the fixtures hold every budget m = 1 .. n - 1`, () => {
        const every = Array.from({ length: c.n - 1 }, (_, i) => String(i + 1));
        expect(Object.keys(c.partitions)).toEqual(every);
        expect(Object.keys(c.distanceRowPartitions ?? {})).toEqual(every);
      });
    }
    for (const [mText, expected] of Object.entries(c.partitions)) {
      const m = Number(mText);
      it(`${c.name}: H-Pool partition at m = ${m} equals SciPy's maxclust cut (gh-12651 fixed)`, () => {
        const doc = { id: c.name, n: c.n, d: c.d, data: Float32Array.from(c.data) };
        const out = compressDocument(doc, parseMethodSpec('hpool'), m);
        expect(canonical(out.assignments)).toEqual(canonical(expected));
        expect(out.n).toBe(new Set(expected).size);
      });
    }
    const rows = (c as { distanceRowPartitions?: Record<string, number[]> }).distanceRowPartitions;
    for (const [mText, expected] of Object.entries(rows ?? {})) {
      const m = Number(mText);
      it(`${c.name}: Ward over distance rows at m = ${m} equals SciPy`, () => {
        const doc = { id: c.name, n: c.n, d: c.d, data: Float32Array.from(c.data) };
        const out = compressDocument(doc, parseMethodSpec('hpool:observations=distance-rows'), m);
        expect(canonical(out.assignments)).toEqual(canonical(expected));
      });
    }
  }

  it('gives exactly n - 1 clusters at m = n - 1, as SciPy >= 1.15 does (1.10 gave n - 2: bug gh-12651)', () => {
    const c = fixture.cases.find((x) => x.name === 'n7')!;
    const merges = wardLinkage(pdistEuclidean(unit(c.data, c.n, c.d), c.n, c.d), c.n);
    expect(cutMaxClusters(merges, c.n, 6).k).toBe(6);
    expect(new Set(c.partitions['6']).size).toBe(6);
  });

  it('cuts ties in height as SciPy does: equal heights merge together, leaving fewer clusters', () => {
    // Four points on a square: the two shortest merges have equal height.
    const x = Float64Array.from([0, 0, 0, 1, 10, 0, 10, 1]);
    const merges = wardLinkage(pdistEuclidean(x, 4, 2), 4);
    expect(merges[0].height).toBe(merges[1].height);
    expect(cutMaxClusters(merges, 4, 3).k).toBe(2);
  });
});

describe("H-Pool presets against ports of each library's code (test/fixtures/ward.json, presets)", () => {
  const ids = { paper: 'hpool-paper', colpali: 'hpool-colpali', pylate14: 'hpool-pylate14', pylate: 'hpool-pylate' } as const;
  type Preset = { name: string; n: number; d: number; data: number[]; budgets: Record<string, Record<string, { labels: number[]; vectors: number[] }>> };
  for (const c of fixture.presets as unknown as Preset[]) {
    if (c.n <= 12) {
      it(`${c.name}: the fixtures hold every budget m = 1 .. n - 1 for every preset`, () => {
        expect(Object.keys(c.budgets)).toEqual(Array.from({ length: c.n - 1 }, (_, i) => String(i + 1)));
        for (const b of Object.values(c.budgets)) expect(Object.keys(b).sort()).toEqual(Object.keys(ids).sort());
      });
    }
    for (const [mText, byKind] of Object.entries(c.budgets)) {
      for (const [kind, expected] of Object.entries(byKind)) {
        it(`${c.name}: ${ids[kind as keyof typeof ids]} at m = ${mText}: the same partition and vectors`, () => {
          const doc = { id: c.name, n: c.n, d: c.d, data: Float32Array.from(c.data) };
          const out = compressDocument(doc, parseMethodSpec(ids[kind as keyof typeof ids]), Number(mText));
          expect(canonical(out.assignments)).toEqual(expected.labels);
          expect(out.data.length).toBe(expected.vectors.length);
          // Output rows are in order of each cluster's first token, as the fixture's.
          const order = [...new Set(Array.from(out.assignments))];
          order.forEach((cluster, row) => {
            for (let k = 0; k < c.d; k++) expect(out.data[cluster * c.d + k]).toBeCloseTo(expected.vectors[row * c.d + k], 5);
          });
        });
      }
    }
  }
});

