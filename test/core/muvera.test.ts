import { describe, expect, it } from 'vitest';
import { encodeFde, fdeDimension, muveraParams, type MuveraParams } from '../../src/core/muvera.ts';
import { muveraEvaluate } from '../../src/core/muveraEval.ts';
import { maxSimScores, packCorpus } from '../../src/core/maxsim.ts';
import { syntheticCorpus } from '../../src/core/synthetic.ts';

// One repetition, one hyperplane (the x axis: bucket 1 where x > 0), no projection.
const p: MuveraParams = { d: 2, kSim: 1, reps: 1, dProj: 2, hyperplanes: Float32Array.from([1, 0]), projections: null };
const v = (...xs: number[]) => Float32Array.from(xs);

describe('MUVERA fixed-dimensional encodings (hand-computed)', () => {
  it('documents average per bucket, queries sum, and the dot product is MaxSim when each winner shares its bucket', () => {
    const doc = encodeFde(p, v(1, 0.2, -1, 0.5), 0, 2, 'document');
    expect(Array.from(doc)).toEqual(Array.from(v(-1, 0.5, 1, 0.2))); // bucket 0, then bucket 1
    const query = encodeFde(p, v(0.8, 0.6, 0.6, 0.8), 0, 2, 'query');
    [0, 0, 1.4, 1.4].forEach((x, i) => expect(query[i]).toBeCloseTo(x, 6)); // both in bucket 1, summed; bucket 0 empty stays 0
    const dot = query.reduce((s, x, i) => s + x * doc[i], 0);
    // MaxSim: 0.8 * 1 + 0.6 * 0.2 = 0.92 and 0.6 * 1 + 0.8 * 0.2 = 0.76
    expect(dot).toBeCloseTo(0.92 + 0.76, 6);
  });

  it("a document's empty bucket takes its vector nearest in sign bits; a query's stays empty", () => {
    const doc = encodeFde(p, v(1, 0.2, 0.5, 0.5), 0, 2, 'document');
    [1, 0.2, 0.75, 0.35].forEach((x, i) => expect(doc[i]).toBeCloseTo(x, 6)); // bucket 0 filled from the first (tie)
  });

  it('sizes and bad settings', () => {
    expect(fdeDimension(muveraParams(128, { kSim: 4, reps: 10, dProj: 16, seed: 1 }))).toBe(10 * 16 * 16);
    expect(() => muveraParams(8, { kSim: 13, reps: 1, dProj: 8, seed: 1 })).toThrow('MUVERA: k_sim must be an integer in [0, 12], got 13');
  });

  it('on a seeded corpus the encodings rank like MaxSim (Spearman-free check: top-1 agreement) and re-ranking closes the gap', () => {
    const corpus = syntheticCorpus('tiny', 2);
    const packed = packCorpus(corpus.docs);
    const params = muveraParams(packed.d, { kSim: 3, reps: 20, dProj: packed.d, seed: 3 });
    const D = fdeDimension(params);
    const fde = corpus.docs.map((doc) => encodeFde(params, doc.data, 0, doc.n, 'document'));
    let agree = 0;
    const scores = new Float32Array(packed.ids.length);
    for (const q of corpus.queries) {
      maxSimScores(q.data, q.n, packed, scores);
      const exact = scores.indexOf(Math.max(...scores));
      const qe = encodeFde(params, q.data, 0, q.n, 'query');
      const approx = fde.map((f) => f.reduce((s, x, i) => s + x * qe[i], 0));
      if (approx.indexOf(Math.max(...approx)) === exact) agree++;
      expect(qe.length).toBe(D);
    }
    expect(agree / corpus.queries.length).toBeGreaterThan(0.7);
    const report = muveraEvaluate(corpus, { kSim: 3, reps: 20, dProj: packed.d, seed: 3 }, [5, packed.ids.length]);
    // Re-ranking every document is exhaustive MaxSim: the same metrics, the same top 10.
    const all = report.stages.at(-1)!;
    expect(all.metrics['ndcg@10']).toBeCloseTo(report.exhaustive.metrics['ndcg@10'], 12);
    expect(all.recallOfExhaustive10).toBe(1);
    expect(report.stages[0].stage).toBe('fde');
  });
});
