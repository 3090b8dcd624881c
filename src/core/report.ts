/**
 * Flat views of an experiment result: one record per (method, budget) with the columns every
 * consumer shows (CLI table, CSV, the page's table), and JSON that survives typed arrays.
 * Every metric and fidelity column is followed by `<name>_lo` and `<name>_hi`, the bounds of its
 * 95% bootstrap interval over queries (ExperimentRow.intervals).
 */
import type { ExperimentResult, ExperimentRow } from './experiment.ts';

export type Cell = string | number | null;

export interface ResultTable {
  columns: string[];
  rows: Cell[][];
}

export function resultTable(result: ExperimentResult): ResultTable {
  const metricNames = [...new Set(result.rows.flatMap((r) => Object.keys(r.metrics)))].sort(metricOrder);
  const fidelityNames = [...new Set(result.rows.flatMap((r) => Object.keys(r.fidelity ?? {})))].sort(metricOrder);
  const withBounds = (names: string[]) => names.flatMap((m) => [m, `${m}_lo`, `${m}_hi`]);
  const columns = [
    'method', 'label', 'budget', 'storage', 'vectors_per_doc', 'bytes', 'bytes_per_doc', ...withBounds(metricNames), ...withBounds(fidelityNames),
    'active_fraction', 'vector_gini', 'vector_cv', 'position_gini', 'position_cv', 'compress_ms_per_doc', 'search_ms_per_query',
  ];
  const bounded = (r: ExperimentRow, m: string, value: number | undefined): Cell[] => [value ?? null, r.intervals?.[m]?.[0] ?? null, r.intervals?.[m]?.[1] ?? null];
  const rows = result.rows.map((r) => [
    r.method, r.label, r.budget, r.storage, r.vectorsPerDoc, r.bytes, r.bytesPerDoc, ...metricNames.flatMap((m) => bounded(r, m, r.metrics[m])),
    ...fidelityNames.flatMap((m) => bounded(r, m, r.fidelity?.[m])),
    r.utilization.activeFraction, r.utilization.vectorGini, r.utilization.vectorCV, r.utilization.positionGini,
    r.utilization.positionCV, r.compressMsPerDoc, r.searchMsPerQuery,
  ]);
  return { columns, rows };
}

/** recall@1 < recall@10 < ndcg@1 ...: by metric name, then numerically by k. */
function metricOrder(a: string, b: string): number {
  const [na, ka] = a.split('@');
  const [nb, kb] = b.split('@');
  const names = ['recall', 'ndcg', 'mrr', 'overlap', 'spearman'];
  return names.indexOf(na) - names.indexOf(nb) || Number(ka) - Number(kb);
}

/** RFC 4180 CSV; null and NaN become empty fields. */
export function toCSV(table: ResultTable): string {
  const field = (v: Cell) => {
    if (v === null || (typeof v === 'number' && Number.isNaN(v))) return '';
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [table.columns, ...table.rows].map((r) => r.map(field).join(',')).join('\n') + '\n';
}

/** JSON with typed arrays written as plain arrays and NaN as null. */
export function toJSON(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) => {
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
      if (typeof v === 'number' && !Number.isFinite(v)) return null;
      return v;
    },
    2,
  );
}

/**
 * A fixed-width text table for terminals: fewer columns, rounded numbers, and the 95% interval of
 * one headline metric (nDCG at the largest k; every interval is in the CSV and JSON), with a
 * footnote saying how the intervals were made.
 */
export function formatTable(result: ExperimentResult): string {
  const allMetrics = [...new Set(result.rows.flatMap((r) => Object.keys(r.metrics)))].sort(metricOrder);
  const metricNames = allMetrics.filter((m) => !m.startsWith('mrr') || m === 'mrr@10');
  const headline = allMetrics.filter((m) => m.startsWith('ndcg@')).pop() ?? allMetrics[0];
  const ciHeader = headline ? [`${headline} 95% CI`] : [];
  const header = ['method', 'budget', 'storage', 'vec/doc', 'B/doc', ...metricNames, ...ciHeader, 'active', 'gini', 'ms/doc'];
  const lines = result.rows.map((r) => [
    r.method,
    r.budget === null ? 'full' : String(r.budget),
    r.storage,
    r.vectorsPerDoc.toFixed(1),
    r.bytesPerDoc.toFixed(0),
    ...metricNames.map((m) => (r.metrics[m] ?? NaN).toFixed(3)),
    ...(headline ? [formatInterval(r.intervals?.[headline])] : []),
    (r.utilization.activeFraction * 100).toFixed(1) + '%',
    Number.isNaN(r.utilization.positionGini) ? '-' : r.utilization.positionGini.toFixed(2),
    r.compressMsPerDoc.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const table = [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt)];
  const judged = Math.max(0, ...result.rows.map((r) => r.judgedQueries));
  if (headline && result.bootstrap)
    table.push(`95% CI: percentile bootstrap over ${judged} judged queries, ${result.bootstrap.resamples} resamples (seed ${result.bootstrap.seed}), the same for every row; all intervals are in --csv and --json`);
  return table.join('\n');
}

function formatInterval(iv: readonly [number, number] | undefined): string {
  return iv && !Number.isNaN(iv[0]) ? `[${iv[0].toFixed(3)}, ${iv[1].toFixed(3)}]` : '-';
}
