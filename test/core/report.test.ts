import { describe, expect, it } from 'vitest';
import { runExperiment } from '../../src/core/experiment.ts';
import { parseMethodSpec } from '../../src/core/methodSpec.ts';
import { formatTable, resultTable, toCSV } from '../../src/core/report.ts';
import { syntheticCorpus } from '../../src/core/synthetic.ts';

describe('resultTable', () => {
  const r = runExperiment(syntheticCorpus('tiny', 2), { methods: ['none', 'agc'].map(parseMethodSpec), budgets: [2], ks: [1, 10], seed: 1 });
  const t = resultTable(r);

  it('follows every metric and fidelity column with the bounds of its interval', () => {
    const names = ['recall@1', 'recall@10', 'ndcg@1', 'ndcg@10', 'mrr@1', 'mrr@10', 'overlap@1', 'overlap@10', 'spearman'];
    const start = t.columns.indexOf('bytes_per_doc') + 1;
    expect(t.columns.slice(start, start + 3 * names.length)).toEqual(names.flatMap((m) => [m, `${m}_lo`, `${m}_hi`]));
    expect(t.columns[start + 3 * names.length]).toBe('active_fraction');
    r.rows.forEach((row, i) => {
      for (const m of names) {
        const value = row.metrics[m] ?? row.fidelity[m];
        expect(t.rows[i][t.columns.indexOf(m)]).toBe(value);
        expect([t.rows[i][t.columns.indexOf(`${m}_lo`)], t.rows[i][t.columns.indexOf(`${m}_hi`)]]).toEqual(row.intervals[m]);
      }
    });
  });

  it('CSV carries the bounds; the terminal table shows the headline interval and says how it was made', () => {
    const [header, , agc] = toCSV(t).trim().split('\n').map((l) => l.split(','));
    const agcRow = r.rows[1];
    expect(Number(agc[header.indexOf('ndcg@10_lo')])).toBe(agcRow.intervals['ndcg@10'][0]);
    expect(Number(agc[header.indexOf('ndcg@10_hi')])).toBe(agcRow.intervals['ndcg@10'][1]);
    const text = formatTable(r);
    const [lo, hi] = agcRow.intervals['ndcg@10'];
    expect(text.split('\n').find((l) => l.startsWith('agc'))).toContain(`[${lo.toFixed(3)}, ${hi.toFixed(3)}]`);
    expect(text).toContain('ndcg@10 95% CI');
    expect(text).toMatch(/percentile bootstrap over 24 judged queries, 1000 resamples/);
  });
});
