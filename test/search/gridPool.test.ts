import { describe, expect, it } from 'vitest';
import { runExperiment, runExperimentAsync, type ExperimentResult } from '../../src/core/experiment.ts';
import { parseMethodSpec } from '../../src/core/methodSpec.ts';
import { syntheticCorpus } from '../../src/core/synthetic.ts';
import { gridThreads, poolCompressor } from '../../src/search/gridPool.ts';
import { spawnNodePoolWorker } from '../../src/search/nodePool.ts';

/** Everything but the timings, which differ run to run. */
const figures = (r: ExperimentResult) => ({ ...r, compressThreads: undefined, rows: r.rows.map((row) => ({ ...row, compressMsPerDoc: 0, searchMsPerQuery: 0 })) });

describe('the grid compressed on a pool of workers', () => {
  it('gives the one-thread result: every metric, interval, utilisation and stored vector count', async () => {
    const corpus = syntheticCorpus('tiny', 7);
    const config = { methods: ['none', 'agc', 'hpool', 'hpool-paper', 'kmeans', 'random', 'agc@tokens'].map(parseMethodSpec), budgets: [2, 5], storages: ['fp32', 'int8'] as const, ks: [1, 10], seed: 4 };
    const one = runExperiment(corpus, { ...config, storages: [...config.storages] });
    for (const threads of [2, 3]) {
      const many = await runExperimentAsync(corpus, { ...config, storages: [...config.storages] }, { compressor: poolCompressor(spawnNodePoolWorker, threads, config.seed) });
      expect(many.compressThreads).toBe(threads);
      expect(figures(many)).toEqual(figures(one));
    }
  }, 60_000);

  it('reports compression progress over all documents, and stops its workers at a cancel', async () => {
    const corpus = syntheticCorpus('tiny', 2);
    const controller = new AbortController();
    const seen: number[] = [];
    const run = runExperimentAsync(corpus, { methods: ['hpool', 'kmeans'].map(parseMethodSpec), budgets: [2, 3, 4], ks: [10], seed: 1 }, {
      compressor: poolCompressor(spawnNodePoolWorker, 2, 1),
      progressEvery: 1,
      onProgress: (p) => {
        if (p.stage === 'compress') seen.push(p.done);
        if (p.stage === 'search' && p.cell === 1) controller.abort();
      },
      signal: controller.signal,
    });
    await expect(run).rejects.toThrow();
    expect(Math.max(...seen)).toBe(corpus.docs.length);
  }, 60_000);

  it('uses one thread per core only for a corpus large enough to pay for the workers', () => {
    expect(gridThreads(0, 1_536, 8)).toBe(1); // the demo: 24 scenes x 64 patches
    expect(gridThreads(0, 1_088_000, 2)).toBe(2);
    expect(gridThreads(3, 100, 2)).toBe(3);
    expect(gridThreads(64, 100, 2)).toBe(16);
  });
});
