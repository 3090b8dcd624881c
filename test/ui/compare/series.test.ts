import { describe, expect, it } from 'vitest';
import type { ExperimentResult, ExperimentRow } from '../../../src/core/experiment.ts';
import { activeBars, budgetChart, budgetsRun, bytesChart, chosenMetric, evennessChart, significance } from '../../../src/ui/compare/series.ts';
import { columnGroup, visibleColumns } from '../../../src/ui/compare/table.ts';

/** A hand-made result: uncompressed, AGC and uniform at m = 4 and 16, in fp32 and int8; 4 queries, d = 8. */
function row(method: string, budget: number | null, storage: 'fp32' | 'int8', ndcg: number[], active: number): ExperimentRow {
  const mean = ndcg.reduce((s, v) => s + v, 0) / ndcg.length;
  const vectors = budget ?? 64;
  return {
    method, label: { none: 'Uncompressed', agc: 'AGC', uniform: 'Uniform pool' }[method]!, budget, storage, documents: 10, storedVectors: vectors * 10, vectorsPerDoc: vectors,
    bytes: vectors * 10 * (storage === 'fp32' ? 32 : 12), bytesPerDoc: vectors * (storage === 'fp32' ? 32 : 12), compressMsPerDoc: 0, searchMsPerQuery: 0,
    metrics: { 'ndcg@10': mean }, judgedQueries: 4, unjudgedQueries: 0,
    utilization: { activeFraction: active, vectorGini: 0.5, vectorCV: 1, positionGini: 0.5, positionCV: 1 } as ExperimentRow['utilization'],
    fidelity: { 'overlap@10': 1 }, saliencySources: {}, intervals: { 'ndcg@10': [mean - 0.1, mean + 0.1], 'overlap@10': [1, 1] },
    perQuery: { 'ndcg@10': Float64Array.from(ndcg), 'overlap@10': Float64Array.from([1, 1, 1, 1]) },
  };
}
const rows: ExperimentRow[] = [];
for (const st of ['fp32', 'int8'] as const) {
  rows.push(row('none', null, st, [1, 1, 1, 1], 0.1));
  rows.push(row('agc', 4, st, [1, 0.5, 1, 0.5], 0.5), row('agc', 16, st, [1, 1, 0.5, 1], 0.3));
  rows.push(row('uniform', 4, st, [0, 0, 0.5, 0.5], 0.9), row('uniform', 16, st, [1, 1, 0.5, 1], 0.6));
}
const result = { rows, queries: 4, documents: 10, bootstrap: { resamples: 500, seed: 3, level: 0.95 } } as unknown as ExperimentResult;
const colour = (m: string) => `colour-${m}`;

describe('Compare view series', () => {
  it('quality against budget: a line per method in the first storage type, its interval, the focused point and the reference', () => {
    const { series, reference } = budgetChart(result, { metric: 'ndcg@10', focus: 16, colour });
    expect(series.map((s) => s.id)).toEqual(['agc', 'uniform']);
    expect(series[0].points).toEqual([
      { x: 4, y: 0.75, key: 'm=4', focus: false, lo: 0.65, hi: 0.85 },
      { x: 16, y: 0.875, key: 'm=16', focus: true, lo: 0.775, hi: 0.975 },
    ]);
    expect(reference).toEqual({ label: 'uncompressed 1.000', y: 1 });
    expect(budgetChart(result, { metric: 'ndcg@10', hidden: ['agc'], colour }).series.map((s) => s.id)).toEqual(['uniform']);
    expect(budgetsRun(result)).toEqual([4, 16]);
  });

  it('quality against bytes: one storage type or every type, each point its own row', () => {
    const one = bytesChart(result, { metric: 'ndcg@10', shown: 'int8', colour });
    expect(one.map((s) => s.id)).toEqual(['agc:int8', 'uniform:int8', 'none']);
    expect(one[0].points.map((p) => p.x)).toEqual([4 * 12, 16 * 12]);
    expect(one[2].points).toEqual([{ x: 64 * 12, y: 1, key: 'int8', lo: 0.9, hi: 1.1 }]);
    const all = bytesChart(result, { metric: 'ndcg@10', shown: 'all', colour });
    expect(all.map((s) => s.id)).toEqual(['agc:fp32', 'agc:int8', 'uniform:fp32', 'uniform:int8', 'none']);
    expect(all[1].dashed).toBe('2 2');
    expect(all[0].label).toBe('AGC (fp32)');
  });

  it('active fraction and evenness at the focused budget', () => {
    expect(activeBars(result, { metric: 'ndcg@10', focus: 4, colour }).map((b) => [b.id, b.value])).toEqual([['none', 0.1], ['agc', 0.5], ['uniform', 0.9]]);
    expect(evennessChart(result, { metric: 'ndcg@10', focus: 4, colour })[1].points.map((p) => p.focus)).toEqual([true, false]);
  });

  it('the metric falls back to nDCG@10 when the wanted one is absent', () => {
    expect(chosenMetric(result, 'recall@5')).toBe('ndcg@10');
    expect(chosenMetric(result, 'overlap@10')).toBe('overlap@10');
  });

  it('says "no significant difference" for a tie and names a real lead', () => {
    // At m = 16 AGC and uniform have identical per-query values: a tie, p = 1.
    const tie = significance(result, 'ndcg@10', 16)!;
    expect(tie.significant).toBe(false);
    expect(tie.text).toContain('no significant difference');
    expect(tie.text).toContain('p = 1.000');
    expect(tie.text).toMatch(/^At m = 16, AGC and Uniform pool are level on ndcg@10 \(/);
    // At m = 4 AGC beats uniform by 0.5 on every query (1 vs 0 ... 0.5 vs 0.5: differences 1, 0.5, 0.5, 0): mean 0.5.
    const lead = significance(result, 'ndcg@10', 4)!;
    expect(lead.text).toMatch(/^At m = 4, AGC leads Uniform pool on ndcg@10 by 0\.500/);
    expect(lead.significant).toBe(true);
  });

  it('a small lead whose interval covers 0 is not significant, even with p below 1', () => {
    // Per-query differences AGC - uniform: 0.5, -0.5, 0, 1, -0.5, 0: mean 1/12 = 0.083.
    const noisy = {
      ...result,
      queries: 6,
      rows: [row('agc', 8, 'fp32', [1, 0, 1, 1, 0.5, 0.5], 0.5), row('uniform', 8, 'fp32', [0.5, 0.5, 1, 0, 1, 0.5], 0.5)],
    } as ExperimentResult;
    const s = significance(noisy, 'ndcg@10', 8)!;
    expect(s.text).toMatch(/^At m = 8, AGC leads Uniform pool on ndcg@10 by 0\.083 /);
    expect(s.text).not.toContain('p = 1.000');
    expect(s.significant).toBe(false);
    expect(s.text).toContain('no significant difference');
  });
});

describe('results table columns', () => {
  const columns = ['method', 'label', 'budget', 'storage', 'vectors_per_doc', 'bytes', 'recall@1', 'recall@1_lo', 'recall@1_hi', 'overlap@10', 'overlap@10_lo', 'overlap@10_hi', 'active_fraction', 'compress_ms_per_doc'];
  it('groups every column', () => {
    expect(columns.map(columnGroup)).toEqual(['id', 'id', 'id', 'id', 'size', 'size', 'quality', 'intervals', 'intervals', 'fidelity', 'intervals', 'intervals', 'utilisation', 'timing']);
  });
  it('an interval column shows only with its metric', () => {
    expect(visibleColumns(columns, ['quality', 'intervals']).map((i) => columns[i])).toEqual(['method', 'label', 'budget', 'storage', 'recall@1', 'recall@1_lo', 'recall@1_hi']);
    expect(visibleColumns(columns, ['fidelity']).map((i) => columns[i])).toEqual(['method', 'label', 'budget', 'storage', 'overlap@10']);
  });
});
