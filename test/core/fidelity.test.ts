import { describe, expect, it } from 'vitest';
import { runExperiment } from '../../src/core/experiment.ts';
import { parseMethodSpec } from '../../src/core/methodSpec.ts';
import { overlapAtK, ranks, spearman } from '../../src/core/fidelity.ts';
import { syntheticCorpus } from '../../src/core/synthetic.ts';
import { compressDocument } from '../../src/core/compress.ts';
import { maxSimScores, packCorpus } from '../../src/core/maxsim.ts';

describe('fidelity to the uncompressed index', () => {
  it('ranks average ties', () => {
    expect([...ranks([10, 20, 20, 5])]).toEqual([2, 3.5, 3.5, 1]);
  });

  it('spearman: 1 for the same order, -1 reversed, NaN for a constant side; matches a hand computation', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 3], [5, 5, 5])).toBeNaN();
    // ranks a = 1..5, b = 2,1,4,3,5: d^2 = 1+1+1+1+0 = 4, rho = 1 - 6*4/(5*24) = 0.8
    expect(spearman([1, 2, 3, 4, 5], [20, 10, 40, 30, 50])).toBeCloseTo(0.8, 12);
  });

  it('overlap@k counts the shared top-k', () => {
    expect(overlapAtK(['a', 'b', 'c'], ['b', 'a', 'd'], 2)).toBe(1);
    expect(overlapAtK(['a', 'x', 'c'], ['b', 'a', 'd'], 3)).toBeCloseTo(1 / 3, 12);
    expect(overlapAtK(['a'], [], 3)).toBeNaN();
  });

  it('the uncompressed row is perfectly faithful; a tiny random budget is not', () => {
    const corpus = syntheticCorpus('tiny', 1);
    const result = runExperiment(corpus, { methods: ['none', 'random', 'agc'].map(parseMethodSpec), budgets: [2], ks: [1, 5], seed: 1 });
    const row = (m: string) => result.rows.find((r) => r.method === m)!;
    expect(row('none').fidelity).toEqual({ 'overlap@1': 1, 'overlap@5': 1, spearman: 1 });
    // The compressed rows' figures, recomputed here by brute force from each document's compressed
    // vectors: scores, rankings, shared top-k and Spearman's rho per query, then the mean.
    for (const method of ['random', 'agc']) {
      const compressed = corpus.docs.map((doc) => compressDocument(doc, parseMethodSpec(method), 2, { seed: 1 }));
      const full = packCorpus(corpus.docs);
      const small = packCorpus(compressed);
      let o1 = 0;
      let o5 = 0;
      let rho = 0;
      for (const q of corpus.queries) {
        const ref = Array.from(maxSimScores(q.data, q.n, full));
        const got = Array.from(maxSimScores(q.data, q.n, small));
        const order = (s: number[]) => s.map((v, i) => ({ v, i })).sort((a, b) => b.v - a.v || a.i - b.i).map((x) => x.i);
        const shared = (k: number) => order(got).slice(0, k).filter((i) => order(ref).slice(0, k).includes(i)).length / k;
        o1 += shared(1);
        o5 += shared(5);
        rho += spearman(got, ref);
      }
      const nq = corpus.queries.length;
      expect(row(method).fidelity['overlap@1']).toBeCloseTo(o1 / nq, 12);
      expect(row(method).fidelity['overlap@5']).toBeCloseTo(o5 / nq, 12);
      expect(row(method).fidelity.spearman).toBeCloseTo(rho / nq, 12);
    }
    expect(row('random').fidelity['overlap@5']).toBeLessThan(1);
  });
});
