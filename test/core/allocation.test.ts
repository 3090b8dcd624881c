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
  it('"agc@tokens" parses, formats, labels; a bad allocation is refused; export refuses adaptive budgets', () => {
    const spec = parseMethodSpec('agc:weighting=mean@tokens');
    expect(spec.allocation).toBe('tokens');
    expect(formatMethodSpec(spec)).toBe('agc-mean@tokens');
    expect(methodSpecLabel(spec)).toBe('AGC, no attention weights (budget ∝ tokens)');
    expect(() => parseMethodSpec('agc@length')).toThrow('method "agc@length": after "@" comes a budget allocation, one of tokens, salient, entropy');
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
