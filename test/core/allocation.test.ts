import { describe, expect, it } from 'vitest';
import { allocateBudgets, allocationWeight } from '../../src/core/allocation.ts';
import { runExperiment } from '../../src/core/experiment.ts';
import { formatMethodSpec, methodSpecLabel, parseMethodSpec } from '../../src/core/methodSpec.ts';
import type { MultiVector } from '../../src/core/multivector.ts';
import { syntheticCorpus } from '../../src/core/synthetic.ts';
import { IndexBuilder } from '../../src/core/exportIndex.ts';

const doc = (id: string, n: number, saliency?: number[]): MultiVector => ({
  id, n, d: 1, data: new Float32Array(n).fill(1), ...(saliency ? { saliency: Float32Array.from(saliency) } : {}),
});

describe('budgets that adapt (per-document budgets at the same total)', () => {
  it('tokens: 100 + 300 tokens at m = 8 -> 16 vectors shared 1 + 3/4 of the rest: 4.75 -> 5 and 11 (largest remainder)', () => {
    // Each gets 1, the remaining 14 go 14 x 100/400 = 3.5 and 14 x 300/400 = 10.5: floors 3 and 10, then one
    // more to the first (equal remainders, document order): 1 + 3 + 1 = 5 and 1 + 10 = 11.
    expect(Array.from(allocateBudgets([doc('a', 100), doc('b', 300)], 8, 'tokens'))).toEqual([5, 11]);
  });
  it('the largest remainders get the leftover vectors, not the first documents', () => {
    // 100, 250 and 650 tokens at m = 4: 12 vectors, 9 after one each, shares 0.9, 2.25 and 5.85;
    // floors 0, 2, 5 leave 2, which go to the remainders .9 and .85 (not .25): 2, 3 and 7.
    expect(Array.from(allocateBudgets([doc('a', 100), doc('b', 250), doc('c', 650)], 4, 'tokens'))).toEqual([2, 3, 7]);
  });
  it('a document cannot take more than its tokens: the rest goes to the others; the total stays m x documents', () => {
    // Perplexity 3 (three equal tokens) against 1 (one token holds all the saliency): a's share of the
    // 18 left after one each is 13.5, but it has 3 tokens; b takes the rest.
    const oneHot = Array.from({ length: 300 }, (_, i) => (i === 0 ? 1 : 0));
    expect(Array.from(allocateBudgets([doc('a', 3, [1, 1, 1]), doc('b', 300, oneHot)], 10, 'entropy'))).toEqual([3, 17]);
    expect(Array.from(allocateBudgets([doc('a', 2), doc('b', 3)], 10, 'tokens'))).toEqual([2, 3]); // fewer tokens than the budget: all of them
  });
  it('salient counts tokens above the mean; entropy is the perplexity exp(H) of the normalised saliency', () => {
    expect(allocationWeight(doc('s', 4, [1, 1, 1, 5]), 'salient')).toBe(1); // mean 2: one token above
    expect(allocationWeight(doc('s', 4, [1, 1, 1, 1]), 'entropy')).toBeCloseTo(4, 12); // uniform over 4: perplexity 4
    expect(allocationWeight(doc('s', 4, [0, 0, 0, 2]), 'entropy')).toBeCloseTo(1, 12);
  });
  it('outliers counts tokens above mean + 2 standard deviations: a flat background gets little, unlike salient', () => {
    // Flat: 40 tokens alternating 0.1 and 0.2. Mean 0.15, standard deviation 0.05, threshold 0.25:
    // no token is an outlier (weight 1), while 20 tokens are above the mean (salient 20).
    const flat = doc('flat', 40, Array.from({ length: 40 }, (_, i) => (i % 2 ? 0.2 : 0.1)));
    // Objects: 38 tokens of 0.1 and two of 5. Mean (3.8 + 10) / 40 = 0.345; variance
    // (38 x 0.245^2 + 2 x 4.655^2) / 40 = 1.14047, sd 1.06793, threshold 2.4809: the two 5s (and
    // the same two above the mean).
    const objects = doc('objects', 40, [...Array.from({ length: 38 }, () => 0.1), 5, 5]);
    expect(allocationWeight(flat, 'salient')).toBe(20);
    expect(allocationWeight(flat, 'outliers')).toBe(1);
    expect(allocationWeight(objects, 'salient')).toBe(2);
    expect(allocationWeight(objects, 'outliers')).toBe(2);
    // Eight 0s, 1.5 and 3: mean 0.45, variance (8 x 0.2025 + 1.1025 + 6.5025) / 10 = 0.9225, sd
    // 0.96047; 1.5 is above mean + 1 sd (1.4105) but not mean + 2 sd (2.3709): only the 3 counts.
    expect(allocationWeight(doc('m', 10, [0, 0, 0, 0, 0, 0, 0, 0, 1.5, 3]), 'outliers')).toBe(1);
    // m = 4, 8 vectors, 6 after one each. salient: shares 6 x 20/22 = 5.45 and 0.55, floors 5 and
    // 0, the leftover to the larger remainder (.55): 6 and 2. outliers: shares 2 and 4: 3 and 5.
    expect(Array.from(allocateBudgets([flat, objects], 4, 'salient'))).toEqual([6, 2]);
    expect(Array.from(allocateBudgets([flat, objects], 4, 'outliers'))).toEqual([3, 5]);
  });
  it('"agc@tokens" parses, formats, labels; a bad allocation is refused; export refuses adaptive budgets', () => {
    const spec = parseMethodSpec('agc:weighting=mean@tokens');
    expect(spec.allocation).toBe('tokens');
    expect(formatMethodSpec(spec)).toBe('agc-mean@tokens');
    expect(methodSpecLabel(spec)).toBe('AGC, no attention weights (budget ∝ tokens)');
    expect(() => parseMethodSpec('agc@length')).toThrow('method "agc@length": after "@" comes a budget allocation, one of tokens, salient, entropy, outliers');
    expect(() => new IndexBuilder({ spec, budget: 8, storage: 'fp32', d: 4, seed: 1 } as never)).toThrow(/for comparisons only; export with a fixed budget/);
  });
  it('in a comparison: the same total vectors as the fixed budget, spread unevenly', () => {
    const corpus = syntheticCorpus('tiny', 1);
    const r = runExperiment(corpus, { methods: ['agc', 'agc@salient'].map(parseMethodSpec), budgets: [4], ks: [10], seed: 1 });
    const fixed = r.rows.find((x) => x.method === 'agc')!;
    const adaptive = r.rows.find((x) => x.method === 'agc@salient')!;
    expect(adaptive.storedVectors).toBe(fixed.storedVectors);
    expect(adaptive.bytes).toBe(fixed.bytes);
    expect(adaptive.label).toBe('AGC (budget ∝ salient tokens)');
  });
});
