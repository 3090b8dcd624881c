import { describe, expect, it } from 'vitest';
import { agreement } from '../../src/search/scaleIndex.ts';

const hits = (...pairs: [number, number][]) => pairs.map(([doc, score]) => ({ doc, score }));

describe('GPU against CPU top-k agreement, on hand-made hit lists', () => {
  it('identical lists: no difference, full overlap, same order, nothing missing', () => {
    const a = [hits([3, 0.9], [1, 0.5], [7, 0.25])];
    expect(agreement(a, a)).toEqual({ maxAbsScoreDiff: 0, maxRelScoreDiff: 0, topkOverlap: 1, sameOrder: 1, missing: 0 });
  });
  it('a score off by a little: absolute and relative differences as computed by hand', () => {
    const r = agreement([hits([3, 0.5], [1, 0.25])], [hits([3, 0.5], [1, 0.25 + 2 ** -20])]);
    expect(r.maxAbsScoreDiff).toBe(2 ** -20);
    expect(r.maxRelScoreDiff).toBe(2 ** -20 / 0.25);
    expect(r.sameOrder).toBe(1);
  });
  it('a swapped order: full overlap, not the same order', () => {
    const r = agreement([hits([3, 0.5], [1, 0.5])], [hits([1, 0.5], [3, 0.5])]);
    expect(r.topkOverlap).toBe(1);
    expect(r.sameOrder).toBe(0);
  });
  it('a document the GPU missed is counted (not skipped), and lowers the overlap; means over queries', () => {
    const cpu = [hits([3, 0.9], [1, 0.5]), hits([4, 0.3], [5, 0.2])];
    const gpu = [hits([3, 0.9], [8, 0.45]), hits([4, 0.3], [5, 0.2])];
    const r = agreement(cpu, gpu);
    expect(r.missing).toBe(1);
    expect(r.topkOverlap).toBe((0.5 + 1) / 2);
    expect(r.sameOrder).toBe(0.5);
    expect(r.maxAbsScoreDiff).toBe(0);
  });
  it('a NaN score is never agreement; empty lists agree only with empty lists; list counts must match', () => {
    expect(agreement([hits([1, 0.5])], [hits([1, NaN])]).maxAbsScoreDiff).toBeNaN();
    expect(agreement([[]], [[]]).topkOverlap).toBe(1);
    expect(agreement([[]], [hits([1, 0.5])]).topkOverlap).toBe(0);
    expect(() => agreement([[]], [])).toThrow('agreement: 1 CPU result lists against 0 GPU ones');
  });
});
