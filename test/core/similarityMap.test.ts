import { describe, expect, it } from 'vitest';
import { similarityMap } from '../../src/core/similarityMap.ts';

describe('similarity maps', () => {
  // d = 2; three input tokens: e1, e2 and (e1 + e2) / sqrt 2; two query tokens: e1 and e2.
  const r = Math.SQRT1_2;
  const tokens = new Float32Array([1, 0, 0, 1, r, r]);
  const query = new Float32Array([1, 0, 0, 1]);

  it('uncompressed: each token against itself, the winner per query token', () => {
    const map = similarityMap(query, 2, tokens, 3, 2, null, 3);
    // <e1, .> = 1, 0, r; <e2, .> = 0, 1, r (computed by hand).
    expect(Array.from(map.sims)).toEqual([1, 0, Math.fround(r), 0, 1, Math.fround(r)]);
    expect(Array.from(map.winners)).toEqual([0, 1]);
    expect(Array.from(map.best)).toEqual([1, 1]);
  });

  it('compressed: a pooled vector paints every token it absorbed; dropped tokens have no value', () => {
    // Two stored vectors: the first absorbed tokens 0 and 2, the second is token 1; token 2 dropped in the selection case.
    const stored = new Float32Array([0.6, 0.8, 0, 1]);
    const pooled = similarityMap(query, 2, stored, 2, 2, new Int32Array([0, 1, 0]), 3);
    expect(Array.from(pooled.sims)).toEqual([0.6, 0, 0.6, 0.8, 1, 0.8].map(Math.fround));
    expect(Array.from(pooled.winners)).toEqual([0, 1]);
    const selected = similarityMap(query, 2, stored, 2, 2, new Int32Array([0, 1, -1]), 3);
    expect(Number.isNaN(selected.sims[2])).toBe(true);
    expect(Number.isNaN(selected.sims[5])).toBe(true);
  });

  it('refuses stored vectors that are not the tokens without assignments', () => {
    expect(() => similarityMap(query, 2, tokens, 3, 2, null, 4)).toThrow(/assignments/);
  });
});
