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

describe('tokenUtilization on pages of tiles', () => {
  // A page as a global view plus 2 x 2 tiles, each 2 x 2 patches: 20 tokens, the global view first.
  const tile = new Int16Array(20);
  const row = new Int16Array(20);
  const col = new Int16Array(20);
  for (let v = 0; v < 5; v++) for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) [tile[v * 4 + r * 2 + c], row[v * 4 + r * 2 + c], col[v * 4 + r * 2 + c]] = [v - 1, r, c];
  // Token t is the unit vector e_t (d = 20): a query token e_t wins exactly token t.
  const data = new Float32Array(20 * 20);
  for (let t = 0; t < 20; t++) data[t * 20 + t] = 1;
  const doc = { id: 'page', n: 20, d: 20, data };
  const compressed = [{ ...doc, assignments: Int32Array.from({ length: 20 }, (_, i) => i), sourceTokens: 20 }];
  const corpus = packCorpus([doc]);
  const query = (...tokens: number[]) => {
    const q = new Float32Array(tokens.length * 20);
    tokens.forEach((t, i) => (q[i * 20 + t] = 1));
    return [{ id: 'q', n: tokens.length, d: 20, data: q }];
  };
  const run = (positions: { tile?: Int16Array; row: Int16Array; col: Int16Array }[], ...tokens: number[]) =>
    tokenUtilization({ corpus, compressed, positions, queries: query(...tokens), qrels: new Map([['q', new Map([['page', 1]])]]) }).grid!;

  it("puts each tile's patch in its place on the page grid (4 x 4), and spreads a global-view patch over the 2 x 2 cells it covers", () => {
    // Token 4 + 4 * 3 + 1 * 2 + 0 = 18: tile 3 (bottom right), patch (1, 0): page cell (2 + 1, 2 + 0) = (3, 2).
    const one = run([{ tile, row, col }], 18);
    expect([one.rows, one.cols, one.tiles]).toEqual([4, 4, 2]);
    expect(Array.from(one.count).map((v, i) => (v ? i : -1)).filter((i) => i >= 0)).toEqual([3 * 4 + 2]);
    // Token 1: the global view's patch (0, 1): the page's top right quarter, cells (0..1, 2..3), a quarter each.
    const global = run([{ tile, row, col }], 1);
    expect(Array.from(global.count)).toEqual([0, 0, 0.25, 0.25, 0, 0, 0.25, 0.25, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('lays rows x cols tiles (ColModernVBERT: tiles first, the global view last) on the page grid, by the shape the document gives', () => {
    // 1 x 2 tiles + global, each view 2 x 2 patches: tokens 0-3 tile 0, 4-7 tile 1, 8-11 the global view.
    const t = Int16Array.from({ length: 12 }, (_, i) => (i < 8 ? Math.floor(i / 4) : -1));
    const r = Int16Array.from({ length: 12 }, (_, i) => Math.floor((i % 4) / 2));
    const c = Int16Array.from({ length: 12 }, (_, i) => i % 2);
    const page = (tokens: number[]) =>
      tokenUtilization({ corpus, compressed, positions: [{ tile: t, row: r, col: c }], tileShapes: [{ rows: 1, cols: 2 }], queries: query(...tokens), qrels: new Map([['q', new Map([['page', 1]])]]) }).grid!;
    // The page is 2 patches high, 4 wide. Token 5: tile 1 (the right one), patch (0, 1): cell (0, 2 + 1) = 3.
    const right = page([5]);
    expect([right.rows, right.cols, right.tiles, right.tileShape]).toEqual([2, 4, undefined, { rows: 1, cols: 2 }]);
    expect(Array.from(right.count)).toEqual([0, 0, 0, 1, 0, 0, 0, 0]);
    // Token 10: the global view's patch (1, 0), covering page rows 1..1 and columns 0..1: half each.
    expect(Array.from(page([10]).count)).toEqual([0, 0, 0, 0, 0.5, 0.5, 0, 0]);
    // Without the shape, 2 tiles are no k x k grid: no page grid is made up.
    expect(tokenUtilization({ corpus, compressed, positions: [{ tile: t, row: r, col: c }], queries: query(5), qrels: new Map([['q', new Map([['page', 1]])]]) }).grid).toBeUndefined();
  });

  it('keeps the view grid when documents were tiled differently (or not at all)', () => {
    const untiled = { row: Int16Array.from([0, 0, 1, 1]), col: Int16Array.from([0, 1, 0, 1]) };
    const mixed = run([{ tile, row, col }, untiled], 18);
    expect([mixed.rows, mixed.cols, mixed.tiles]).toEqual([2, 2, undefined]);
  });
});
