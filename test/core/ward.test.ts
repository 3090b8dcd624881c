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
    for (const [mText, expected] of Object.entries(c.partitions)) {
      const m = Number(mText);
      if (m > c.n - 2) continue; // SciPy's maxclust quirk at m = n-1, tested below
      it(`${c.name}: H-Pool partition at m = ${m} equals fcluster(..., maxclust)`, () => {
        const doc = { id: c.name, n: c.n, d: c.d, data: Float32Array.from(c.data) };
        const out = compressDocument(doc, parseMethodSpec('hpool'), m);
        expect(canonical(out.assignments)).toEqual(canonical(expected));
        expect(out.n).toBe(new Set(expected).size);
      });
    }
    const rows = (c as { distanceRowPartitions?: Record<string, number[]> }).distanceRowPartitions;
    for (const [mText, expected] of Object.entries(rows ?? {})) {
      const m = Number(mText);
      if (m > c.n - 2) continue;
      it(`${c.name}: colpali-engine variant (Ward over distance rows) at m = ${m} equals SciPy`, () => {
        const doc = { id: c.name, n: c.n, d: c.d, data: Float32Array.from(c.data) };
        const out = compressDocument(doc, parseMethodSpec('hpool:observations=distance-rows'), m);
        expect(canonical(out.assignments)).toEqual(canonical(expected));
      });
    }
  }

  it('gives exactly n-1 clusters at m = n-1, where SciPy 1.10 returns n-2 (documented difference)', () => {
    const c = fixture.cases.find((x) => x.name === 'n7')!;
    expect(new Set(c.partitions['6']).size).toBe(5); // SciPy's own answer
    const merges = wardLinkage(pdistEuclidean(unit(c.data, c.n, c.d), c.n, c.d), c.n);
    expect(cutMaxClusters(merges, c.n, 6).k).toBe(6);
  });

  it('cuts ties in height as SciPy does: equal heights merge together, leaving fewer clusters', () => {
    // Four points on a square: the two shortest merges have equal height.
    const x = Float64Array.from([0, 0, 0, 1, 10, 0, 10, 1]);
    const merges = wardLinkage(pdistEuclidean(x, 4, 2), 4);
    expect(merges[0].height).toBe(merges[1].height);
    expect(cutMaxClusters(merges, 4, 3).k).toBe(2);
  });
});
