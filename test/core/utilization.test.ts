import { describe, expect, it } from 'vitest';
import { packCorpus } from '../../src/core/maxsim.ts';
import { coefficientOfVariation, gini, tokenUtilization } from '../../src/core/utilization.ts';

describe('evenness statistics', () => {
  it('Gini is 0 for equal values and (n-1)/n when one value holds everything', () => {
    expect(gini([3, 3, 3])).toBe(0);
    expect(gini([0, 0, 0, 5])).toBeCloseTo(0.75, 12);
    expect(gini([1, 2, 3])).toBeCloseTo(2 / 9, 12);
  });
  it('CV is sigma/mu x 100 with the population sigma', () => {
    expect(coefficientOfVariation([1, 3])).toBeCloseTo(50, 12);
    expect(coefficientOfVariation([2, 2, 2])).toBe(0);
  });
});

describe('tokenUtilization', () => {
  // One document: 4 tokens on a 2x2 grid compressed to 2 vectors; token 3 was dropped.
  const stored = { id: 'doc', n: 2, d: 2, data: Float32Array.from([1, 0, 0, 1]) };
  const compressed = [{ ...stored, assignments: Int32Array.from([0, 0, 1, -1]), sourceTokens: 4 }];
  const positions = [{ row: Int16Array.from([0, 0, 1, 1]), col: Int16Array.from([0, 1, 0, 1]) }];
  const corpus = packCorpus([stored]);

  it('counts active vectors and spreads matches over the pooled tokens\' positions', () => {
    const queries = [{ id: 'q', n: 2, d: 2, data: Float32Array.from([1, 0, 0.9, 0.1]) }];
    const r = tokenUtilization({ corpus, compressed, positions, queries, qrels: new Map([['q', new Map([['doc', 1]])]]) });
    expect(r.storedVectors).toBe(2);
    expect(r.activeVectors).toBe(1);
    expect(r.activeFraction).toBe(0.5);
    expect(r.matches).toBe(2);
    // both matches won by vector 0 = tokens 0 and 1 (cells (0,0) and (0,1)), weight 1/2 each
    expect(Array.from(r.grid!.count)).toEqual([1, 1, 0, 0]);
    expect(r.grid!.strength[0]).toBeCloseTo((1 + 0.9) / 2, 6);
    expect(Number.isNaN(r.grid!.strength[2])).toBe(true);
    expect(r.vectorGini).toBeCloseTo(0.5, 12);
  });

  it('only relevant pairs count: a query judged non-relevant activates nothing', () => {
    const queries = [{ id: 'q', n: 1, d: 2, data: Float32Array.from([0, 1]) }];
    const r = tokenUtilization({ corpus, compressed, positions, queries, qrels: new Map([['q', new Map([['doc', 0]])]]) });
    expect(r.activeVectors).toBe(0);
    expect(r.matches).toBe(0);
  });
});
