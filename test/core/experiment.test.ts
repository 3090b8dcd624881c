import { describe, expect, it } from 'vitest';
import { runExperiment, type ExperimentProgress } from '../../src/core/experiment.ts';
import { parseMethodSpec } from '../../src/core/methodSpec.ts';
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
});
