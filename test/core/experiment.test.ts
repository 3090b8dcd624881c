import { describe, expect, it } from 'vitest';
import { bootstrapInterval, pairedBootstrap } from '../../src/core/bootstrap.ts';
import { runExperiment, type ExperimentProgress } from '../../src/core/experiment.ts';
import { parseMethodSpec } from '../../src/core/methodSpec.ts';
import { toJSON } from '../../src/core/report.ts';
import { syntheticCorpus } from '../../src/core/synthetic.ts';

const methods = ['none', 'agc', 'hpool', 'random'].map(parseMethodSpec);

describe('runExperiment', () => {
  it('runs methods x budgets (uncompressed once) with consistent bytes and counts', () => {
    const corpus = syntheticCorpus('tiny', 2);
    const r = runExperiment(corpus, { methods, budgets: [2, 8], ks: [1, 10], seed: 1 });
    expect(r.rows.map((x) => `${x.method}@${x.budget}`)).toEqual([
      'none@null', 'agc@2', 'agc@8', 'hpool@2', 'hpool@8', 'random@2', 'random@8',
    ]);
    const full = r.rows[0];
    expect(full.storedVectors).toBe(r.tokens);
    for (const row of r.rows) {
      expect(row.storage).toBe('fp32');
      expect(row.bytes).toBe(row.storedVectors * r.dimension * 4);
      if (row.budget) expect(row.storedVectors).toBeLessThanOrEqual(row.budget * r.documents);
      expect(row.metrics['recall@10']).toBeGreaterThanOrEqual(row.metrics['recall@1']);
      expect(row.utilization.activeVectors).toBeLessThanOrEqual(row.storedVectors);
    }
    expect(r.rows.find((x) => x.method === 'agc')!.saliencySources).toEqual({ planted: r.documents });
  });

  it('scores every storage type as its own row, with its own bytes and metrics', () => {
    const corpus = syntheticCorpus('tiny', 2);
    const r = runExperiment(corpus, { methods: methods.slice(0, 2), budgets: [4], ks: [10], seed: 1, storages: ['fp32', 'fp16', 'int8', 'binary'] });
    expect(r.rows.map((x) => `${x.method}@${x.budget}:${x.storage}`)).toEqual([
      'none@null:fp32', 'none@null:fp16', 'none@null:int8', 'none@null:binary', 'agc@4:fp32', 'agc@4:fp16', 'agc@4:int8', 'agc@4:binary',
    ]);
    const [f32, f16, i8, bin] = r.rows.slice(4);
    expect([f16.bytes * 2, i8.bytes, bin.bytes]).toEqual([f32.bytes, f32.storedVectors * (r.dimension + 4), f32.storedVectors * 4]);
    // fp16 loses almost nothing; the uncompressed fp32 index agrees with itself perfectly.
    expect(Math.abs(f16.metrics['ndcg@10'] - f32.metrics['ndcg@10'])).toBeLessThan(0.02);
    expect(r.rows[0].fidelity['overlap@10']).toBe(1);
    expect(bin.fidelity.spearman).toBeLessThan(f32.fidelity.spearman);
  });

  it('reports a broken document and evaluates the rest', () => {
    const corpus = syntheticCorpus('tiny', 2);
    const broken = { ...corpus.docs[1], data: corpus.docs[1].data.slice() };
    broken.data[5] = NaN;
    const docs = [corpus.docs[0], broken, ...corpus.docs.slice(2)];
    const r = runExperiment({ ...corpus, docs }, { methods, budgets: [4], ks: [10], seed: 1 });
    expect(r.failures).toEqual([{ docId: broken.id, message: expect.stringContaining('non-finite value') }]);
    expect(r.documents).toBe(corpus.docs.length - 1);
  });

  it('reports progress and stops when aborted', () => {
    const corpus = syntheticCorpus('tiny', 2);
    const controller = new AbortController();
    const seen: ExperimentProgress[] = [];
    expect(() =>
      runExperiment(corpus, { methods, budgets: [4], ks: [10], seed: 1 }, {
        signal: controller.signal,
        progressEvery: 1,
        onProgress: (p) => {
          seen.push(p);
          if (p.stage === 'compress' && p.cell === 1) controller.abort();
        },
      }),
    ).toThrow(/abort/i);
    expect(seen.some((p) => p.stage === 'search')).toBe(true);
    expect(seen.some((p) => p.stage === 'done')).toBe(false);
  });

  it('is reproducible: the same seed gives identical metrics', () => {
    const corpus = syntheticCorpus('tiny', 3);
    const cfg = { methods: ['random', 'kmeans'].map(parseMethodSpec), budgets: [3], ks: [5], seed: 11 };
    const a = runExperiment(corpus, cfg);
    const b = runExperiment(corpus, cfg);
    expect(a.rows.map((r) => r.metrics)).toEqual(b.rows.map((r) => r.metrics));
  });

  describe('bootstrap intervals over queries', () => {
    const corpus = syntheticCorpus('tiny', 2);
    const r = runExperiment(corpus, { methods, budgets: [2, 8], ks: [1, 10], seed: 1 });
    const mean = (xs: ArrayLike<number>) => {
      const v = Array.from(xs).filter((x) => !Number.isNaN(x));
      return v.reduce((s, x) => s + x, 0) / v.length;
    };

    it('every row has per-query values and an interval around the mean for every metric and fidelity measure', () => {
      expect(r.bootstrap).toEqual({ resamples: 1000, seed: expect.any(Number), level: 0.95 });
      expect(r.queryIds).toEqual(corpus.queries.map((q) => q.id));
      for (const row of r.rows) {
        const means = { ...row.metrics, ...row.fidelity };
        expect(Object.keys(means)).toHaveLength(3 * 2 + 2 + 1);
        expect(Object.keys(row.intervals).sort()).toEqual(Object.keys(means).sort());
        expect(Object.keys(row.perQuery).sort()).toEqual(Object.keys(means).sort());
        for (const [name, m] of Object.entries(means)) {
          const [lo, hi] = row.intervals[name];
          const where = `${row.method}@${row.budget} ${name}`;
          expect(lo, where).toBeLessThanOrEqual(m + 1e-12);
          expect(hi, where).toBeGreaterThanOrEqual(m - 1e-12);
          expect(row.perQuery[name], where).toHaveLength(r.queries);
          expect(mean(row.perQuery[name]), where).toBeCloseTo(m, 12);
        }
      }
      // Some row is uncertain about something: the intervals are not all points.
      expect(r.rows.some((row) => row.intervals['ndcg@10'][1] - row.intervals['ndcg@10'][0] > 0.05)).toBe(true);
    });

    it('a measure equal on every query has lo = hi: the uncompressed index agrees with itself', () => {
      const full = r.rows[0];
      for (const name of ['overlap@1', 'overlap@10', 'spearman']) {
        expect(Array.from(full.perQuery[name]).every((v) => v === 1), name).toBe(true);
        expect(full.intervals[name], name).toEqual([1, 1]);
      }
    });

    it('every row is resampled with the one stated seed, so the intervals and paired tests can be redone from the result', () => {
      for (const row of r.rows)
        for (const [name, [lo, hi]] of Object.entries(row.intervals)) {
          const again = bootstrapInterval(row.perQuery[name], { seed: r.bootstrap.seed, resamples: r.bootstrap.resamples });
          expect([again.lo, again.hi], `${row.method}@${row.budget} ${name}`).toEqual([lo, hi]);
        }
      const agc8 = r.rows.find((x) => x.method === 'agc' && x.budget === 8)!;
      const random2 = r.rows.find((x) => x.method === 'random' && x.budget === 2)!;
      const test = pairedBootstrap(agc8.perQuery['ndcg@10'], random2.perQuery['ndcg@10'], r.bootstrap);
      expect(test.meanDiff).toBeCloseTo(agc8.metrics['ndcg@10'] - random2.metrics['ndcg@10'], 12);
      expect(test.lo).toBeGreaterThan(0);
      expect(test.p).toBeLessThan(0.05);
      expect(pairedBootstrap(agc8.perQuery['ndcg@10'], agc8.perQuery['ndcg@10'], r.bootstrap).p).toBe(1);
    });

    it('takes the number of resamples from the config and the seed from the run seed', () => {
      const few = runExperiment(corpus, { methods: methods.slice(0, 1), budgets: [2], ks: [10], seed: 1, resamples: 50 });
      expect(few.bootstrap).toEqual({ ...r.bootstrap, resamples: 50 });
      const other = runExperiment(corpus, { methods: methods.slice(0, 1), budgets: [2], ks: [10], seed: 2 });
      expect(other.bootstrap.seed).not.toBe(r.bootstrap.seed);
    });

    it('survives JSON export: per-query values become arrays, undefined values null', () => {
      const json = JSON.parse(toJSON(r));
      expect(json.bootstrap).toEqual(r.bootstrap);
      expect(json.rows[1].perQuery['ndcg@10']).toEqual(Array.from(r.rows[1].perQuery['ndcg@10']));
      expect(json.rows[1].intervals['ndcg@10']).toEqual(r.rows[1].intervals['ndcg@10']);
      const unjudged = runExperiment({ ...corpus, qrels: new Map([...corpus.qrels].slice(1)) }, { methods: methods.slice(0, 1), budgets: [2], ks: [10], seed: 1 });
      expect(unjudged.rows[0].unjudgedQueries).toBe(1);
      const perQuery = JSON.parse(toJSON(unjudged)).rows[0].perQuery['ndcg@10'];
      expect(perQuery.filter((v: number | null) => v === null)).toHaveLength(1);
    });
  });
});

describe('statistics edge cases', () => {
  const d = 4;
  const doc = (id: string, v: number[]) => ({ id, n: 2, d, data: Float32Array.from([...v, ...v.map((x) => -x)]) });
  const q = (id: string, v: number[]) => ({ id, n: 1, d, data: Float32Array.from(v) });
  it('an undefined Spearman (every document scores the same) is left out of the mean, not counted as 0', () => {
    // Two identical documents: every query scores them equally, so the rank correlation is undefined.
    const input = { docs: [doc('a', [1, 0, 0, 0]), doc('b', [1, 0, 0, 0])], queries: [q('q1', [1, 0, 0, 0]), q('q2', [0, 1, 0, 0])], qrels: new Map() };
    const r = runExperiment(input, { methods: [parseMethodSpec('none')], budgets: [], ks: [1], seed: 1 });
    expect(r.rows[0].fidelity.spearman).toBeNaN();
    expect(Array.from(r.rows[0].perQuery.spearman)).toEqual([NaN, NaN]);
  });
  it('token utilisation without judgments counts wins on the uncompressed top 10; a judged query keeps its own pairs', () => {
    // a = [e1, -e1], b = [e2, -e2], c = [(e1+e2)/sqrt2, ...]. Query q1 = e1 wins a's first vector
    // (on a), c's first vector (on c) and one of b's (all of b's score 0: the first, by order).
    // q2 = e2 is judged relevant to b only: it wins b's first vector there. Stored: 6 vectors.
    const r2 = Math.SQRT1_2;
    const docs = [doc('a', [1, 0, 0, 0]), doc('b', [0, 1, 0, 0]), doc('c', [r2, r2, 0, 0])];
    const queries = [q('q1', [1, 0, 0, 0]), q('q2', [0, 1, 0, 0])];
    const run = (qrels: Map<string, Map<string, number>>) => runExperiment({ docs, queries, qrels }, { methods: [parseMethodSpec('none')], budgets: [], ks: [10], seed: 1 }).rows[0].utilization;
    // q1 unjudged: pairs (q1, a), (q1, b), (q1, c) -> a0, b0, c0; q2 judged on b -> b0 again.
    const u = run(new Map([['q2', new Map([['b', 1]])]]));
    expect(u.storedVectors).toBe(6);
    expect(u.activeVectors).toBe(3);
    expect(u.matches).toBe(4);
    // Nothing judged: q2's top 10 is a, b, c too: the same three first vectors, 6 matches.
    const none = run(new Map());
    expect(none.activeVectors).toBe(3);
    expect(none.matches).toBe(6);
  });
  it('a repeated cutoff counts once, and two queries with one id are refused', () => {
    const input = { docs: [doc('a', [1, 0, 0, 0]), doc('b', [0, 1, 0, 0])], queries: [q('q1', [1, 0, 0, 0]), q('q2', [0, 1, 0, 0])], qrels: new Map([['q1', new Map([['a', 1]])], ['q2', new Map([['a', 1]])]]) };
    const once = runExperiment(input, { methods: [parseMethodSpec('none')], budgets: [], ks: [1], seed: 1 });
    const twice = runExperiment(input, { methods: [parseMethodSpec('none')], budgets: [], ks: [1, 1], seed: 1 });
    expect(once.rows[0].metrics['recall@1']).toBe(0.5); // q1 finds a; q2 ranks b first
    expect(twice.rows[0].metrics).toEqual(once.rows[0].metrics);
    const dup = { ...input, queries: [q('q1', [1, 0, 0, 0]), q('q1', [0, 1, 0, 0])] };
    expect(() => runExperiment(dup, { methods: [parseMethodSpec('none')], budgets: [], ks: [1], seed: 1 })).toThrow('query id "q1" appears more than once; every query needs its own id');
  });
});

describe('runExperiment streams its rows', () => {
  it('sends every cell\'s rows as it is scored, which together are the result\'s rows in order', () => {
    const corpus = syntheticCorpus('tiny', 3);
    const streamed: string[] = [];
    let documents = 0;
    const r = runExperiment(corpus, { methods, budgets: [2, 4], storages: ['fp32', 'int8'], ks: [10], seed: 2 }, {
      onProgress: (p) => {
        if (p.stage !== 'rows') return;
        documents = p.partial.documents;
        streamed.push(...p.rows.map((x) => `${x.method}@${x.budget}/${x.storage}`));
      },
    });
    expect(streamed).toEqual(r.rows.map((x) => `${x.method}@${x.budget}/${x.storage}`));
    expect(streamed).toHaveLength((1 + 3 * 2) * 2);
    expect(documents).toBe(r.documents);
  });
});
