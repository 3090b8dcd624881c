import { describe, expect, it } from 'vitest';
import { evaluateRankings, ndcgAt, recallAt, reciprocalRankAt } from '../../src/core/metrics.ts';

const ranking = ['a', 'b', 'c', 'd'];
const rel = new Map([['b', 2], ['d', 1], ['e', 1], ['x', 0]]);

describe('metrics (hand-checked)', () => {
  it('Recall@k counts every relevant document once', () => {
    expect(recallAt(ranking, rel, 1)).toBe(0);
    expect(recallAt(ranking, rel, 2)).toBeCloseTo(1 / 3, 12);
    expect(recallAt(ranking, rel, 10)).toBeCloseTo(2 / 3, 12);
  });
  it('nDCG@k uses linear gain over the ideal ordering of all judged grades', () => {
    // DCG@3 = 2/log2(3); IDCG@3 = 2/1 + 1/log2(3) + 1/log2(4)
    expect(ndcgAt(ranking, rel, 3)).toBeCloseTo(2 / Math.log2(3) / (2 + 1 / Math.log2(3) + 0.5), 12);
    expect(ndcgAt(['b', 'd', 'e'], rel, 3)).toBeCloseTo(1, 12);
  });
  it('MRR@k is the reciprocal rank of the first relevant document', () => {
    expect(reciprocalRankAt(ranking, rel, 10)).toBe(0.5);
    expect(reciprocalRankAt(ranking, rel, 1)).toBe(0);
  });
  it('queries with no relevant document are left out of the means and counted', () => {
    const rankings = new Map([['q1', ranking], ['q2', ['a']], ['q3', ['b']]]);
    const qrels = new Map([['q1', rel], ['q2', new Map([['a', 0]])], ['q3', new Map([['b', 1]])]]);
    const s = evaluateRankings(rankings, qrels, [1]);
    expect(s.judged).toBe(2);
    expect(s.unjudged).toBe(1);
    expect(s.means['recall@1']).toBeCloseTo((0 + 1) / 2, 12);
    expect(s.means['mrr@1']).toBeCloseTo(0.5, 12);
    // Per query, in the rankings' order; the unjudged q2 is NaN, not a free 0.
    expect(s.queryIds).toEqual(['q1', 'q2', 'q3']);
    expect(Array.from(s.perQuery['recall@1'])).toEqual([0, NaN, 1]);
    expect(Array.from(s.perQuery['mrr@1'])).toEqual([0, NaN, 1]);
  });
});
