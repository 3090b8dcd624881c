import { describe, expect, it } from 'vitest';
import { compressDocument } from '../../../src/core/compress.ts';
import { parseMethodSpec } from '../../../src/core/methodSpec.ts';
import type { MultiVector } from '../../../src/core/multivector.ts';
import agcJson from '../../fixtures/agc.json';
import { canonical, norm, randomDoc } from '../../helpers.ts';

// Worked by hand. Saliency picks t0 and t1 as centroids; by cosine, t2 = (3,1) joins t0 = (1,0)
// and t3 = (1,3) joins t1 = (0,2).
const doc: MultiVector = {
  id: 'hand',
  n: 4,
  d: 2,
  data: Float32Array.from([1, 0, 0, 2, 3, 1, 1, 3]),
  saliency: Float32Array.from([4, 3, 1, 2]),
};
interface AgcOutput {
  labels: number[];
  vectors: number[];
  weights: number[];
}
const agcFixture = agcJson as unknown as { cases: { name: string; n: number; d: number; data: number[]; saliency: number[]; budgets: Record<string, Record<string, AgcOutput>> }[] };
const close = (actual: Float32Array, expected: number[]) => expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, 6));

describe('AGC', () => {
  it('agc-raw pools each cluster with the saliency as given and L2-normalises (hand-computed)', () => {
    const out = compressDocument(doc, parseMethodSpec('agc-raw'), 2);
    expect(Array.from(out.assignments)).toEqual([0, 1, 0, 1]);
    // (4*(1,0) + 1*(3,1)) / 5 -> (7,1)/sqrt(50);  (3*(0,2) + 2*(1,3)) / 5 -> (1,6)/sqrt(37)
    close(out.data, [7 / Math.sqrt(50), 1 / Math.sqrt(50), 1 / Math.sqrt(37), 6 / Math.sqrt(37)]);
  });

  it("agc (the paper's code) weights by the softmax of the saliency over the document (hand-computed)", () => {
    const out = compressDocument(doc, parseMethodSpec('agc'), 2);
    expect(Array.from(out.assignments)).toEqual([0, 1, 0, 1]);
    // weights e^4, e^3, e^1, e^2 (the softmax's denominator cancels in the normalisation):
    // e^4 (1,0) + e (3,1) = (e^4 + 3e, e);  e^3 (0,2) + e^2 (1,3) = (e^2, 2e^3 + 3e^2)
    const e = Math.E;
    const a = [e ** 4 + 3 * e, e];
    const b = [e ** 2, 2 * e ** 3 + 3 * e ** 2];
    close(out.data, [...a.map((v) => v / Math.hypot(...a)), ...b.map((v) => v / Math.hypot(...b))]);
  });

  describe("against a NumPy port of the paper's select_encoder.py (test/fixtures/agc.json)", () => {
    for (const c of agcFixture.cases) {
      for (const [m, byMode] of Object.entries(c.budgets)) {
        for (const [mode, expected] of Object.entries(byMode)) {
          it(`${c.name}, m = ${m}, saliency=${mode}: the same clusters and vectors`, () => {
            const doc = { id: c.name, n: c.n, d: c.d, data: Float32Array.from(c.data), saliency: Float32Array.from(c.saliency) };
            const out = compressDocument(doc, parseMethodSpec(`agc:saliency=${mode}`), Number(m));
            expect(canonical(out.assignments)).toEqual(expected.labels);
            const order = [...new Set(Array.from(out.assignments))];
            order.forEach((cluster, row) => {
              for (let k = 0; k < c.d; k++) expect(out.data[cluster * c.d + k]).toBeCloseTo(expected.vectors[row * c.d + k], 5);
            });
          });
        }
      }
    }
    it('softmax of an attention row is almost flat: on the fixtures, max / min weight under 3 where the raw row spans more than 100', () => {
      const c = agcFixture.cases.find((x) => x.name === 'a64')!;
      const w = c.budgets['4']!.softmax!.weights;
      expect(Math.max(...w) / Math.min(...w)).toBeLessThan(Math.E);
      expect(Math.max(...c.saliency) / Math.min(...c.saliency)).toBeGreaterThan(100);
    });
  });

  it('ablation "no attention weights" uses the plain mean', () => {
    const out = compressDocument(doc, parseMethodSpec('agc-mean'), 2);
    close(out.data, [4 / Math.sqrt(17), 1 / Math.sqrt(17), 1 / Math.sqrt(26), 5 / Math.sqrt(26)]);
  });

  it('ablation "selection only" keeps the top-m tokens, normalised, and drops the rest', () => {
    const out = compressDocument(doc, parseMethodSpec('agc-select'), 2);
    close(out.data, [1, 0, 0, 1]);
    expect(Array.from(out.assignments)).toEqual([0, 1, -1, -1]);
  });

  it('selection only equals top-saliency selection up to normalisation', () => {
    const r = randomDoc('r', 60, 7, 5);
    const a = compressDocument(r, parseMethodSpec('agc-select'), 9);
    const b = compressDocument(r, parseMethodSpec('top-saliency'), 9);
    expect(Array.from(a.assignments)).toEqual(Array.from(b.assignments));
    for (let c = 0; c < 9; c++) {
      const vb = b.data.subarray(c * 7, c * 7 + 7);
      const nb = norm(vb);
      vb.forEach((v, k) => expect(a.data[c * 7 + k]).toBeCloseTo(v / nb, 5));
    }
  });

  it('ablation "random centroids" is seeded: same seed same result, centroids need not be the most salient', () => {
    const r = randomDoc('r', 60, 7, 5);
    const a = compressDocument(r, parseMethodSpec('agc-random'), 5, { seed: 1 });
    const b = compressDocument(r, parseMethodSpec('agc-random'), 5, { seed: 1 });
    const top = compressDocument(r, parseMethodSpec('agc'), 5, { seed: 1 });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.assignments)).not.toEqual(Array.from(top.assignments));
  });

  it('every output vector is unit length and every token is assigned', () => {
    const out = compressDocument(randomDoc('r', 200, 16, 8), parseMethodSpec('agc'), 12);
    for (let c = 0; c < out.n; c++) expect(norm(out.data.subarray(c * 16, c * 16 + 16))).toBeCloseTo(1, 5);
    expect(out.assignments.every((a) => a >= 0)).toBe(true);
  });

  it('keeps a centroid in its own cluster even when two centroid tokens are identical', () => {
    const dup: MultiVector = { id: 'dup', n: 3, d: 2, data: Float32Array.from([1, 0, 1, 0, 0, 1]), saliency: Float32Array.from([3, 2, 1]) };
    const out = compressDocument(dup, parseMethodSpec('agc'), 2);
    expect(out.n).toBe(2);
    expect(out.assignments[0]).not.toBe(out.assignments[1]);
  });
});
