import { describe, expect, it } from 'vitest';
import type { ExperimentResult, ExperimentRow } from '../../../src/core/experiment.ts';
import { activeBars, budgetChart, budgetsRun, bytesChart, chosenMetric, evennessChart, qualityDomain, significance } from '../../../src/ui/compare/series.ts';
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

  // Twelve queries: enough for the paired test (fewer than 10 are not tested).
  const twelve = (agc: number[], uniform: number[]) =>
    ({ ...result, queries: 12, rows: [row('agc', 8, 'fp32', agc, 0.5), row('uniform', 8, 'fp32', uniform, 0.5)] }) as ExperimentResult;
  const rep = (v: number[]) => [...v, ...v, ...v];

  it('one verdict: a tie is "not distinguishable on these N queries"; a clear lead excludes 0', () => {
    const tie = significance(twelve(rep([1, 1, 0.5, 1]), rep([1, 1, 0.5, 1])), 'ndcg@10', 8)!;
    expect(tie.significant).toBe(false);
    expect(tie.text).toMatch(/^At m = 8, on ndcg@10, AGC and Uniform pool are not distinguishable on these 12 queries \(paired bootstrap: mean difference 0\.000, 95% interval \[0\.000, 0\.000\], p = 1\.000\): the interval covers 0\.$/);
    // AGC beats uniform by 0.5 on every query: mean 0.5, every resample 0.5; with 500 resamples the
    // smallest two-sided p is 2 / 501 = 0.004.
    const lead = significance(twelve(rep([1, 1, 1, 1]), rep([0.5, 0.5, 0.5, 0.5])), 'ndcg@10', 8)!;
    expect(lead.significant).toBe(true);
    expect(lead.text).toMatch(/^At m = 8, on ndcg@10, AGC leads Uniform pool by 0\.500 on these 12 queries \(paired bootstrap: mean difference 0\.500, 95% interval \[0\.500, 0\.500\], p = 0\.004\): the interval excludes 0\.$/);
    for (const s of [tie.text, lead.text]) expect(s).not.toMatch(/tied|no significant/);
  });

  it('a small lead whose interval covers 0 is not distinguishable, with one verdict (it once read "leads ... no significant difference; tied")', () => {
    // Per-query differences AGC - uniform: 0.5, -0.5, 0, 1, -0.5, 0 (twice): mean 1/12 = 0.083.
    const s = significance(twelve([1, 0, 1, 1, 0.5, 0.5, 1, 0, 1, 1, 0.5, 0.5], [0.5, 0.5, 1, 0, 1, 0.5, 0.5, 0.5, 1, 0, 1, 0.5]), 'ndcg@10', 8)!;
    expect(s.significant).toBe(false);
    expect(s.text).toMatch(/^At m = 8, on ndcg@10, AGC and Uniform pool are not distinguishable on these 12 queries \(paired bootstrap: mean difference 0\.083, /);
    expect(s.text).not.toContain('leads');
  });

  it('under 10 queries no test is run, and the sentence says why', () => {
    // The 4-query result: at m = 4, AGC 0.75, uniform 0.25.
    const s = significance(result, 'ndcg@10', 4)!;
    expect(s).toEqual({ significant: false, text: 'At m = 4, on ndcg@10, AGC is 0.500 above Uniform pool over 4 queries; no significance test is run on fewer than 10 (it could not tell the two apart).' });
    // Equal means (1, 1, 0.5, 1 for both at m = 16): "level with", not "0.000 above" (seen on three typed queries).
    expect(significance(result, 'ndcg@10', 16)!.text).toBe('At m = 16, on ndcg@10, AGC is level with Uniform pool over 4 queries; no significance test is run on fewer than 10 (it could not tell the two apart).');
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

describe('metrics that say nothing on a small corpus', async () => {
  const { uninformative, chosenMetric: pick } = await import('../../../src/ui/compare/series.ts');
  it('overlap@k and recall@k at k >= the documents are flagged, nDCG is not', () => {
    expect(uninformative({ documents: 7 }, 'overlap@10')).toBe('overlap@10 is 1 for every method here: the top 10 is the whole corpus of 7 documents');
    expect(uninformative({ documents: 7 }, 'recall@10')).toBeDefined();
    expect(uninformative({ documents: 7 }, 'overlap@5')).toBeUndefined();
    expect(uninformative({ documents: 7 }, 'ndcg@10')).toBeUndefined();
    expect(uninformative({ documents: 10 }, 'overlap@10')).toBeDefined();
  });

  it('without judgments the default metric is the overlap@k with the largest k below the corpus size', () => {
    const fidelityOnly = (documents: number) =>
      ({ ...result, documents, rows: result.rows.map((r) => ({ ...r, judgedQueries: 0, metrics: {}, fidelity: { 'overlap@1': 1, 'overlap@5': 1, 'overlap@10': 1, spearman: 1 } })) }) as ExperimentResult;
    expect(pick(fidelityOnly(7), '')).toBe('overlap@5');
    expect(pick(fidelityOnly(3), '')).toBe('overlap@1');
    expect(pick(fidelityOnly(50), '')).toBe('overlap@10');
    expect(pick(fidelityOnly(7), 'overlap@10')).toBe('overlap@10'); // asked for: kept, and flagged on the page
  });
});

describe('the quality axis', () => {
  const line = (ys: number[], band = 0) => ({ id: 'a', label: 'a', points: ys.map((y, i) => ({ x: i, y, key: String(i), lo: y - band, hi: y + band })) });
  it('is 0 to 1 unless fitted', () => {
    expect(qualityDomain([line([0.85, 0.91])], [], false)).toEqual([0, 1]);
  });
  it('fits the lines, their bands and the reference, with an 8% margin', () => {
    // Values 0.85..0.91, bands of 0.01: span 0.84..0.92 (0.08), margin 0.0064 each side.
    const [lo, hi] = qualityDomain([line([0.85, 0.91], 0.01)], [{ y: 0.9 }], true);
    expect(lo).toBeCloseTo(0.84 - 0.0064, 12);
    expect(hi).toBeCloseTo(0.92 + 0.0064, 12);
  });
  it('is at least 0.05 wide and stays within -1..1', () => {
    const [lo, hi] = qualityDomain([line([0.5, 0.5])], [], true);
    expect([lo, hi].map((v) => Number(v.toFixed(12)))).toEqual([0.475, 0.525]);
    const top = qualityDomain([line([1, 1])], [], true);
    expect(top).toEqual([0.95, 1]);
    const bottom = qualityDomain([line([-1, -0.99])], [], true);
    expect(bottom[0]).toBe(-1);
    expect(bottom[1]).toBeGreaterThanOrEqual(-0.95);
  });
});
