import { describe, expect, it } from 'vitest';
import { scoreInChunks } from '../../src/core/gridSteps.ts';
import { maxSimScores, packCorpus } from '../../src/core/maxsim.ts';
import { randomDoc } from '../helpers.ts';

describe('the reference scored a chunk of documents at a time', () => {
  it('gives the scores of the corpus packed whole, whatever the chunks (one document larger than a chunk, chunks of one, one chunk)', () => {
    const sizes = [3, 17, 1, 40, 8, 8, 25, 2];
    const docs = sizes.map((n, i) => randomDoc(`doc${i}`, n, 6, 100 + i));
    const queries = [randomDoc('q0', 4, 6, 7), randomDoc('q1', 1, 6, 8), randomDoc('q2', 9, 6, 9)];
    const whole = packCorpus(docs);
    const want = queries.map((q) => Array.from(maxSimScores(q.data, q.n, whole)));
    // 60 values: 10 rows of d = 6 per chunk, so doc3's 40 rows are a chunk of their own, over the size.
    for (const chunkValues of [60, 1, 6 * 200]) {
      const seen: number[] = [];
      const got = scoreInChunks(docs, queries, (done) => seen.push(done), chunkValues);
      expect(got.scores.map((s) => Array.from(s)), `chunks of ${chunkValues} values`).toEqual(want);
      // Progress counts documents, chunk by chunk, to the last.
      expect(seen.at(-1)).toBe(docs.length);
      seen.forEach((v, i) => expect(v).toBeGreaterThan(i ? seen[i - 1] : 0));
    }
    // Chunks of 10 rows, counted by hand: 3 (3 + 17 > 10), 17, 1 (1 + 40 > 10), 40, 8 (8 + 8 > 10), 8, 25, 2.
    const counted: number[] = [];
    scoreInChunks(docs, queries, (done) => counted.push(done), 60);
    expect(counted).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const pairs: number[] = [];
    scoreInChunks([docs[0], docs[2], docs[7], docs[4]], queries, (done) => pairs.push(done), 60); // 3 + 1 + 2 rows together, then 8
    expect(pairs).toEqual([3, 4]);
  });
});
