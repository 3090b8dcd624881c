/**
 * Rows of an experiment result -> what each chart of the Compare view draws. Pure (no DOM), so
 * every chart's data is unit-tested without a browser; the view only hands these to the charts.
 */
import { pairedBootstrap } from '../../core/bootstrap.ts';
import type { ExperimentResult, ExperimentRow } from '../../core/experiment.ts';
import type { EvalStorage } from '../../core/storage/stored.ts';
import { STORAGE_DASH } from '../../core/storage/stored.ts';
import type { Point, Series } from '../../charts/charts.ts';

export const KS = [1, 5, 10];
export { budgetsRun, methodsOf } from '../results.ts';
import { budgetsRun, methodsOf } from '../results.ts';

/** The metrics a result can be charted by (those its rows have): judged ones first when any query has judgments. */
export function metricsOf(result: ExperimentResult): string[] {
  const has = new Set(result.rows.flatMap((r) => [...Object.keys(r.metrics), ...Object.keys(r.fidelity ?? {})]));
  const fidelity = [...KS.map((k) => `overlap@${k}`), 'spearman'];
  const judged = result.rows.some((r) => r.judgedQueries > 0);
  return (judged ? [...KS.flatMap((k) => [`ndcg@${k}`, `recall@${k}`]), ...fidelity] : fidelity).filter((m) => has.has(m));
}

/** The metric to chart: the wanted one if the result has it, else nDCG@10 (overlap@10 without judgments). */
export function chosenMetric(result: ExperimentResult, wanted: string): string {
  const all = metricsOf(result);
  const fallback = ['ndcg@10', 'overlap@10'].find((m) => all.includes(m)) ?? all[0];
  return all.includes(wanted) ? wanted : fallback;
}


/** The storage types a result was scored in, in the order they were asked for. */
export const storagesRun = (result: ExperimentResult): EvalStorage[] => [...new Set(result.rows.map((r) => r.storage))];

/** A row's value of a metric (retrieval metric or fidelity), NaN when absent. */
export const valueOf = (r: ExperimentRow, metric: string): number => r.metrics[metric] ?? r.fidelity?.[metric] ?? NaN;

/** A row's 95% bootstrap interval of a metric, when the engine computed one. */
export function intervalOf(r: ExperimentRow, metric: string): { lo?: number; hi?: number } {
  const iv = r.intervals?.[metric];
  return iv ? { lo: iv[0], hi: iv[1] } : {};
}

export interface SeriesOptions {
  metric: string;
  /** The budget the slider points at. */
  focus?: number;
  /** Method specs not drawn (legend toggles). */
  hidden?: readonly string[];
  colour: (method: string) => string;
}


const primaryStorage = (result: ExperimentResult) => storagesRun(result)[0] ?? 'fp32';

/** Quality against budget m: one line per method in the first storage type, with its interval band. */
export function budgetChart(result: ExperimentResult, o: SeriesOptions): { series: Series[]; reference?: { label: string; y: number } } {
  const st = primaryStorage(result);
  const hidden = new Set(o.hidden ?? []);
  const series = methodsOf(result)
    .filter((m) => !hidden.has(m.id))
    .map((m) => ({
      id: m.id,
      label: m.label,
      colour: o.colour(m.id),
      points: result.rows
        .filter((r) => r.method === m.id && r.storage === st && r.budget !== null)
        .map((r): Point => ({ x: r.budget!, y: valueOf(r, o.metric), key: `m=${r.budget}`, focus: r.budget === o.focus, ...intervalOf(r, o.metric) })),
    }));
  const full = result.rows.find((r) => r.budget === null && r.storage === st);
  return { series, reference: full ? { label: `uncompressed ${fmt3(valueOf(full, o.metric))}`, y: valueOf(full, o.metric) } : undefined };
}

const fmt3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–');

/**
 * Quality against index bytes per document: per method and storage type, every point its own
 * measured row. `shown` picks one storage type ('all' draws every type, each its own line style).
 */
export function bytesChart(result: ExperimentResult, o: SeriesOptions & { shown: EvalStorage | 'all' }): Series[] {
  const hidden = new Set(o.hidden ?? []);
  const types = storagesRun(result).filter((st) => o.shown === 'all' || st === o.shown);
  const out: Series[] = [];
  for (const m of methodsOf(result)) {
    if (hidden.has(m.id)) continue;
    for (const st of types) {
      const rows = result.rows.filter((r) => r.method === m.id && r.storage === st && r.budget !== null);
      if (rows.length === 0) continue;
      out.push({
        id: `${m.id}:${st}`,
        label: types.length > 1 ? `${m.label} (${st})` : m.label,
        colour: o.colour(m.id),
        dashed: STORAGE_DASH[st],
        points: rows.map((r) => ({ x: r.bytesPerDoc, y: valueOf(r, o.metric), key: `m=${r.budget} ${st}`, focus: r.budget === o.focus, ...intervalOf(r, o.metric) })),
      });
    }
  }
  const full = result.rows.filter((r) => r.budget === null && types.includes(r.storage));
  if (full.length && !hidden.has('none')) {
    out.push({ id: 'none', label: 'uncompressed', colour: o.colour('none'), line: false, points: full.map((r) => ({ x: r.bytesPerDoc, y: valueOf(r, o.metric), key: r.storage, ...intervalOf(r, o.metric) })) });
  }
  return out;
}

/** Rows at the focused budget (and the uncompressed row) in the first storage type. */
export function rowsAtBudget(result: ExperimentResult, budget: number | undefined, hidden: readonly string[] = []): ExperimentRow[] {
  const st = primaryStorage(result);
  const skip = new Set(hidden);
  return result.rows.filter((r) => r.storage === st && (r.budget === budget || r.budget === null) && !skip.has(r.method));
}

/** Fraction of stored vectors that ever win a MaxSim match, per method at the focused budget. */
export function activeBars(result: ExperimentResult, o: SeriesOptions): { id: string; label: string; value: number; colour: string }[] {
  return rowsAtBudget(result, o.focus, o.hidden).map((r) => ({ id: r.method, label: r.budget === null ? 'uncompressed' : r.label, value: r.utilization.activeFraction, colour: o.colour(r.method) }));
}

/** Evenness of use (Gini of wins per stored vector) against the metric: a scatter per method over budgets. */
export function evennessChart(result: ExperimentResult, o: SeriesOptions): Series[] {
  const st = primaryStorage(result);
  const hidden = new Set(o.hidden ?? []);
  return methodsOf(result)
    .filter((m) => !hidden.has(m.id))
    .map((m) => ({
      id: m.id,
      label: m.label,
      colour: o.colour(m.id),
      line: false,
      points: result.rows
        .filter((r) => r.method === m.id && r.storage === st && r.budget !== null)
        .map((r) => ({ x: r.utilization.vectorGini, y: valueOf(r, o.metric), key: `m=${r.budget}`, focus: r.budget === o.focus })),
    }));
}

/**
 * The two best methods shown at the focused budget (first storage type), compared by a paired
 * bootstrap over queries: a sentence that says whether their difference is more than noise.
 */
export function significance(result: ExperimentResult, metric: string, focus: number | undefined, hidden: readonly string[] = []): { text: string; significant: boolean } | undefined {
  const rows = rowsAtBudget(result, focus, hidden).filter((r) => r.budget !== null && r.perQuery?.[metric] && Number.isFinite(valueOf(r, metric)));
  if (rows.length < 2) return undefined;
  const [a, b] = [...rows].sort((x, y) => valueOf(y, metric) - valueOf(x, metric));
  const t = pairedBootstrap(a.perQuery[metric], b.perQuery[metric], result.bootstrap);
  if (!Number.isFinite(t.p)) return undefined;
  const significant = t.lo > 0 || t.hi < 0;
  const f = (v: number) => v.toFixed(3);
  return {
    significant,
    text:
      (Math.abs(t.meanDiff) < 0.0005 ? `At m = ${focus}, ${a.label} and ${b.label} are level on ${metric}` : `At m = ${focus}, ${a.label} leads ${b.label} on ${metric} by ${f(t.meanDiff)}`) +
      ` (paired bootstrap over ${result.queries} queries: 95% interval [${f(t.lo)}, ${f(t.hi)}], p = ${t.p < 0.001 ? '< 0.001' : t.p.toFixed(3)}): ` +
      (significant ? 'a significant difference.' : 'no significant difference; the two are tied on these queries.'),
  };
}
