import { describe, expect, it } from 'vitest';
import { compressDocument } from '../../src/core/compress.ts';
import { ALL_METHOD_IDS, parseMethodSpec } from '../../src/core/methodSpec.ts';
import { randomDoc } from '../helpers.ts';

describe('compressDocument: edge cases every method shares', () => {
  for (const id of ALL_METHOD_IDS) {
    it(`${id}: m >= n returns the tokens unchanged`, () => {
      const doc = randomDoc('small', 5, 4);
      for (const m of [5, 9]) {
        const out = compressDocument(doc, parseMethodSpec(id), m);
        expect(out.n).toBe(5);
        expect(Array.from(out.data)).toEqual(Array.from(doc.data));
        expect(Array.from(out.assignments)).toEqual([0, 1, 2, 3, 4]);
      }
    });
    it(id === 'none' ? 'none: at m = 1 keeps every token unchanged (it is the uncompressed reference)' : `${id}: m = 1 gives one finite vector, and every token maps to it or is dropped`, () => {
      const doc = randomDoc('one', 30, 8, 3);
      const out = compressDocument(doc, parseMethodSpec(id), 1);
      if (id === 'none') {
        expect(out.n).toBe(30);
        expect(Array.from(out.data)).toEqual(Array.from(doc.data));
        return;
      }
      expect(out.n).toBe(1);
      expect(out.data.length).toBe(8);
      expect(out.data.every(Number.isFinite)).toBe(true);
      expect(out.assignments.every((a) => a === 0 || a === -1)).toBe(true);
    });
    it(`${id}: output never exceeds the budget and assignments index the output`, () => {
      const doc = randomDoc('grid', 50, 6, 4);
      const out = compressDocument(doc, parseMethodSpec(id), 7);
      if (id !== 'none') expect(out.n).toBeLessThanOrEqual(7);
      expect(out.assignments.length).toBe(50);
      for (const a of out.assignments) expect(a).toBeLessThan(out.n);
      // no stored vector stands for nothing
      const used = new Set(Array.from(out.assignments).filter((a) => a >= 0));
      expect(used.size).toBe(out.n);
    });
  }

  it('rejects bad documents with an error naming the document', () => {
    const spec = parseMethodSpec('agc');
    const zero = randomDoc('has-zero', 4, 3);
    zero.data.fill(0, 3, 6);
    expect(() => compressDocument(zero, spec, 2)).toThrow(/document "has-zero": token 1 is the zero vector/);
    const nan = randomDoc('has-nan', 4, 3);
    nan.data[7] = NaN;
    expect(() => compressDocument(nan, spec, 2)).toThrow(/document "has-nan": token 2 has a non-finite value/);
    expect(() => compressDocument(randomDoc('wide', 4, 5), spec, 2, { expectedD: 3 })).toThrow(
      /document "wide": has dimension 5 but the corpus has dimension 3/,
    );
    for (const m of [0, -1, 1.5]) {
      expect(() => compressDocument(randomDoc('budget', 4, 3), spec, m)).toThrow(/document "budget": budget m must be an integer >= 1/);
    }
    const short = randomDoc('short-saliency', 4, 3);
    short.saliency = new Float32Array(3);
    expect(() => compressDocument(short, spec, 2)).toThrow(/document "short-saliency": saliency has 3 values/);
    const neg = randomDoc('neg-saliency', 4, 3);
    neg.saliency![1] = -0.5;
    expect(() => compressDocument(neg, spec, 2)).toThrow(/saliency of token 1 is -0.5/);
  });

  it('records the saliency source, falling back to pooled similarity when the document has none', () => {
    const doc = randomDoc('no-saliency', 20, 4, 2, false);
    expect(compressDocument(doc, parseMethodSpec('agc'), 3).saliencySource).toBe('pooled-similarity');
    const given = { ...randomDoc('given', 20, 4), saliencySource: 'cls-attention' };
    expect(compressDocument(given, parseMethodSpec('agc'), 3).saliencySource).toBe('cls-attention');
    expect(compressDocument(given, parseMethodSpec('hpool'), 3).saliencySource).toBeUndefined();
  });

  it('is reproducible from the seed and independent of other documents', () => {
    const doc = randomDoc('seeded', 40, 5, 9);
    const a = compressDocument(doc, parseMethodSpec('random'), 6, { seed: 3 });
    const b = compressDocument(doc, parseMethodSpec('random'), 6, { seed: 3 });
    const c = compressDocument(doc, parseMethodSpec('random'), 6, { seed: 4 });
    expect(Array.from(a.assignments)).toEqual(Array.from(b.assignments));
    expect(Array.from(a.assignments)).not.toEqual(Array.from(c.assignments));
  });
});
