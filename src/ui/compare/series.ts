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
import { methodsOf } from '../results.ts';

/** The metrics a result can be charted by (those its rows have): judged ones first when any query has judgments. */
export function metricsOf(result: ExperimentResult): string[] {
  const has = new Set(result.rows.flatMap((r) => [...Object.keys(r.metrics), ...Object.keys(r.fidelity ?? {})]));
  const fidelity = [...KS.map((k) => `overlap@${k}`), 'spearman'];
  const judged = result.rows.some((r) => r.judgedQueries > 0);
  return (judged ? [...KS.flatMap((k) => [`ndcg@${k}`, `recall@${k}`]), ...fidelity] : fidelity).filter((m) => has.has(m));
}

/**
 * Why a metric says nothing on this corpus, or undefined: overlap@k and recall@k are 1 for every
 * method once k reaches the number of documents (the top k is the whole corpus).
 */
export function uninformative(result: Pick<ExperimentResult, 'documents'>, metric: string): string | undefined {
  const m = /^(overlap|recall)@(\d+)$/.exec(metric);
  if (!m || Number(m[2]) < result.documents) return undefined;
  return `${metric} is 1 for every method here: the top ${m[2]} is the whole corpus of ${result.documents} documents`;
}

/**
 * The metric to chart: the wanted one if the result has it; else nDCG@10, or without judgments the
 * overlap@k with the largest k below the corpus size (overlap@10 of a 7-document corpus is 1 for all).
 */
export function chosenMetric(result: ExperimentResult, wanted: string): string {
  const all = metricsOf(result);
  if (all.includes(wanted)) return wanted;
  const informative = all.filter((m) => !uninformative(result, m));
  const overlap = informative.filter((m) => m.startsWith('overlap@')).sort((a, b) => Number(b.split('@')[1]) - Number(a.split('@')[1]))[0];
  return ['ndcg@10', overlap].find((m) => m && informative.includes(m)) ?? informative[0] ?? all[0];
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
  /** Fit the quality axis to what is drawn instead of 0 to 1. */
  yFit?: boolean;
}

/** Least span of a fitted quality axis (metric units), so two equal lines do not fill the chart. */
const MIN_Y_SPAN = 0.05;

/**
 * The quality axis: 0 to 1, or (fitted) the span of every drawn value, interval and reference line
 * with a margin, at least MIN_Y_SPAN wide, within -1 to 1.
 */
export function qualityDomain(series: readonly Series[], references: readonly { y: number }[], fit: boolean): [number, number] {
  if (!fit) return [0, 1];
  const ys = [...series.flatMap((s) => s.points.flatMap((p) => [p.y, p.lo ?? p.y, p.hi ?? p.y])), ...references.map((r) => r.y)].filter(Number.isFinite);
  if (ys.length === 0) return [0, 1];
  let lo = Math.min(...ys);
  let hi = Math.max(...ys);
  const pad = Math.max(MIN_Y_SPAN - (hi - lo), 0) / 2 + (hi - lo) * 0.08;
  [lo, hi] = [lo - pad, hi + pad];
  if (lo < -1) [lo, hi] = [-1, Math.max(hi, -1 + MIN_Y_SPAN)];
  if (hi > 1) [lo, hi] = [Math.min(lo, 1 - MIN_Y_SPAN), 1];
  return [lo, hi];
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

/** Below this many queries with a value for both methods, no paired test is run: it could not tell anything apart. */
export const MIN_TEST_QUERIES = 10;

/**
 * The two best methods shown at the focused budget (first storage type), compared by a paired
 * bootstrap over the queries that have a value for both: one sentence, one verdict. A difference
 * whose interval covers 0 is "not distinguishable on these N queries"; under MIN_TEST_QUERIES no
 * test is run and the sentence says why.
 */
export function significance(result: ExperimentResult, metric: string, focus: number | undefined, hidden: readonly string[] = []): { text: string; significant: boolean } | undefined {
  const rows = rowsAtBudget(result, focus, hidden).filter((r) => r.budget !== null && r.perQuery?.[metric] && Number.isFinite(valueOf(r, metric)));
  if (rows.length < 2) return undefined;
  const [a, b] = [...rows].sort((x, y) => valueOf(y, metric) - valueOf(x, metric));
  const pa = a.perQuery[metric];
  const pb = b.perQuery[metric];
  let n = 0;
  for (let i = 0; i < pa.length; i++) if (Number.isFinite(pa[i]) && Number.isFinite(pb[i])) n++;
  const f = (v: number) => v.toFixed(3);
  const gap = valueOf(a, metric) - valueOf(b, metric);
  const where = `At m = ${focus}, on ${metric}`;
  if (n < MIN_TEST_QUERIES)
    return {
      significant: false,
      text: `${where}, ${a.label} is ${f(gap) === f(0) ? `level with ${b.label}` : `${f(gap)} above ${b.label}`} over ${n} ${n === 1 ? 'query' : 'queries'}; no significance test is run on fewer than ${MIN_TEST_QUERIES} (it could not tell the two apart).`,
    };
  const t = pairedBootstrap(pa, pb, result.bootstrap);
  if (!Number.isFinite(t.p)) return undefined;
  const significant = t.lo > 0 || t.hi < 0;
  const test = `(paired bootstrap: mean difference ${f(t.meanDiff)}, 95% interval [${f(t.lo)}, ${f(t.hi)}], p = ${t.p < 0.001 ? '< 0.001' : t.p.toFixed(3)})`;
  return {
    significant,
    text: significant
      ? `${where}, ${a.label} leads ${b.label} by ${f(t.meanDiff)} on these ${n} queries ${test}: the interval excludes 0.`
      : `${where}, ${a.label} and ${b.label} are not distinguishable on these ${n} queries ${test}: the interval covers 0.`,
  };
}
