import { describe, expect, it } from 'vitest';
import { runExperiment, runExperimentAsync, type ExperimentProgress } from '../../src/core/experiment.ts';
import { gridWork, WorkDone } from '../../src/core/gridWork.ts';
import { parseMethodSpec } from '../../src/core/methodSpec.ts';
import { syntheticCorpus } from '../../src/core/synthetic.ts';
import { poolCompressor } from '../../src/search/gridPool.ts';
import { spawnNodePoolWorker } from '../../src/search/nodePool.ts';

describe("the grid's progress by estimated work", () => {
  it('costs each step from its arithmetic (worked out by hand for two documents of 10 and 20 tokens, d = 4)', () => {
    const cells = [
      { spec: parseMethodSpec('none'), budget: null },
      { spec: parseMethodSpec('hpool'), budget: 4 },
      { spec: parseMethodSpec('hpool'), budget: 8 },
      { spec: parseMethodSpec('kmeans'), budget: 4 },
      { spec: parseMethodSpec('uniform'), budget: 2 },
    ];
    const w = gridWork([10, 20], 4, 6, 2, cells, 1);
    // The reference: 6 query tokens x 4 values x 30 stored vectors.
    expect(w.reference).toBe(720);
    // Ward's tree at the first budget only (1.5 n^2 d), then 16 n d for the cut and the means, per document.
    expect(w.compress).toEqual([30, 1.5 * 100 * 4 + 16 * 40 + 1.5 * 400 * 4 + 16 * 80, 16 * 40 + 16 * 80, 18 * 10 * 4 * 4 + 18 * 20 * 4 * 4, 16 * 40 + 16 * 80]);
    // Ranking etc.: 40,000 x 2 queries x 2 documents per storage type; the uncompressed cell's fp32 scores are the reference's.
    expect(w.search).toEqual([160_000, 6 * 4 * 8 + 160_000, 6 * 4 * 16 + 160_000, 6 * 4 * 8 + 160_000, 6 * 4 * 4 + 160_000]);
    const done = new WorkDone({ reference: 1, compress: [2], search: [1] });
    expect(done.advance({ cell: 0, half: 'compress' }, 0.5)).toBe(0.25);
    expect(done.advance({ cell: 0, half: 'compress' }, 0.25)).toBe(0.25); // never back
    expect(done.advance('reference', 1)).toBe(0.5);
  });

  it('reports a share that never goes back and ends at 1, on one thread and on a pool (whose cells run ahead)', async () => {
    const corpus = syntheticCorpus('tiny', 3);
    const config = { methods: ['none', 'agc', 'hpool', 'kmeans'].map(parseMethodSpec), budgets: [2, 4], ks: [10], seed: 1, storages: ['fp32' as const, 'int8' as const] };
    const runs: number[][] = [[], []];
    const record = (k: number) => (p: ExperimentProgress) => (p.stage === 'compress' || p.stage === 'search') && p.fraction !== undefined && runs[k].push(p.fraction);
    runExperiment(corpus, { ...config, storages: [...config.storages] }, { onProgress: record(0), progressEvery: 1 });
    await runExperimentAsync(corpus, { ...config, storages: [...config.storages] }, { onProgress: record(1), progressEvery: 1, compressor: poolCompressor(spawnNodePoolWorker, 2, 1) });
    for (const fractions of runs) {
      expect(fractions.length).toBeGreaterThan(20);
      for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]);
      expect(fractions.at(-1)).toBeCloseTo(1, 12);
    }
  }, 60_000);
});
