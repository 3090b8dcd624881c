/**
 * Bootstrap confidence intervals over queries: how much a mean metric could move if the same
 * collection were judged with another draw of queries from the same population.
 *
 * The procedure (so a user can reproduce it, e.g. in NumPy):
 * 1. NaN values are dropped (queries without judgments); m values remain, in query order.
 * 2. A resample is m indices drawn uniformly from [0, m) with replacement; resample r, draw i is
 *    floor(u * m) with u the (r * m + i)-th output of mulberry32(seed) (see rng.ts). The draws for
 *    a given (m, seed, resamples) are the same whatever the values, so every row of an experiment,
 *    and every metric of a row, is resampled over the same query indices.
 * 3. Each resample's statistic is the plain mean of the values at its indices.
 * 4. The interval is the percentile interval of those resample means: lo and hi are the
 *    (1 - level) / 2 and 1 - (1 - level) / 2 quantiles, with NumPy's default quantile definition
 *    (np.percentile, method="linear"): sorted means x[0..R-1], position h = (R - 1) q,
 *    value x[floor(h)] + (h - floor(h)) (x[floor(h) + 1] - x[floor(h)]).
 * m = 0 gives NaN bounds; values that are all equal (m = 1 included) give lo = hi = that value.
 */
import { mulberry32 } from './rng.ts';

export const DEFAULT_RESAMPLES = 1000;
export const DEFAULT_LEVEL = 0.95;

export interface BootstrapOptions {
  /** Number of resamples R (default 1000). */
  resamples?: number;
  seed: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
}

export interface Interval {
  lo: number;
  hi: number;
  /** Mean of the non-NaN values (the point estimate the interval is around). */
  mean: number;
}

export interface PairedResult {
  /** Mean over the queries of a - b (queries where either is NaN left out). */
  meanDiff: number;
  lo: number;
  hi: number;
  /** Two-sided bootstrap p-value for "no difference" (see Bootstrap.paired). */
  p: number;
}

/** Quantile q in [0, 1] of ascending-sorted values, NumPy's default linear interpolation. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const i = Math.floor(h);
  if (i >= n - 1) return sorted[n - 1];
  return sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]);
}

/** The non-NaN values, in order. */
function finiteValues(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  let m = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) out[m++] = values[i];
  return out.subarray(0, m);
}

function constantValue(x: Float64Array): number | undefined {
  for (let i = 1; i < x.length; i++) if (x[i] !== x[0]) return undefined;
  return x[0];
}

function plainMean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/**
 * One bootstrap configuration (resamples, seed, level) with its index draws cached by sample
 * size, so many columns (every metric of every row) are resampled over the same indices and the
 * draws are made once.
 */
export class Bootstrap {
  readonly resamples: number;
  readonly seed: number;
  readonly level: number;
  private readonly draws = new Map<number, Int32Array>();

  constructor(opts: BootstrapOptions) {
    this.resamples = opts.resamples ?? DEFAULT_RESAMPLES;
    this.seed = opts.seed;
    this.level = opts.level ?? DEFAULT_LEVEL;
    if (!Number.isInteger(this.resamples) || this.resamples < 1) throw new Error(`bootstrap: resamples must be an integer >= 1, got ${this.resamples}`);
    if (!(this.level > 0 && this.level < 1)) throw new Error(`bootstrap: level must be in (0, 1), got ${this.level}`);
  }

  /** R x m indices in [0, m), resample-major: resample r is indices[r*m .. (r+1)*m). */
  indices(m: number): Int32Array {
    let idx = this.draws.get(m);
    if (!idx) {
      const rng = mulberry32(this.seed);
      idx = new Int32Array(this.resamples * m);
      for (let j = 0; j < idx.length; j++) idx[j] = Math.floor(rng.next() * m);
      this.draws.set(m, idx);
    }
    return idx;
  }

  /** The R resample means of NaN-free values (length m each). */
  private meansOf(x: Float64Array): Float64Array {
    const m = x.length;
    const R = this.resamples;
    const out = new Float64Array(R);
    if (m === 0) return out.fill(NaN);
    const idx = this.indices(m);
    for (let r = 0, j = 0; r < R; r++) {
      let s = 0;
      for (let i = 0; i < m; i++, j++) s += x[idx[j]];
      out[r] = s / m;
    }
    return out;
  }

  /** For each column, the R resample means of its non-NaN values (unsorted, in resample order). */
  means(columns: readonly ArrayLike<number>[]): Float64Array[] {
    return columns.map((c) => this.meansOf(finiteValues(c)));
  }

  /** Percentile interval of the mean of the non-NaN values. */
  interval(values: ArrayLike<number>): Interval {
    const x = finiteValues(values);
    if (x.length === 0) return { lo: NaN, hi: NaN, mean: NaN };
    const c = constantValue(x);
    if (c !== undefined) return { lo: c, hi: c, mean: c };
    const means = this.meansOf(x).sort();
    const tail = (1 - this.level) / 2;
    return { lo: percentile(means, tail), hi: percentile(means, 1 - tail), mean: plainMean(x) };
  }

  /** Intervals for many columns at once (same draws for every column of the same size). */
  intervals(columns: Readonly<Record<string, ArrayLike<number>>>): Record<string, Interval> {
    const out: Record<string, Interval> = {};
    for (const [name, values] of Object.entries(columns)) out[name] = this.interval(values);
    return out;
  }

  /**
   * Paired bootstrap of mean(a) - mean(b) over the same queries: query i is kept if both a[i] and
   * b[i] are numbers, and each resample draws query indices once for both columns (equivalently,
   * resamples the differences d_i = a_i - b_i with the draws above). lo and hi as in interval().
   *
   * p-value: with D_r the R resampled mean differences, L = #{r : D_r <= 0} and
   * U = #{r : D_r >= 0}, p = min(1, 2 (min(L, U) + 1) / (R + 1)). That is, twice the fraction of
   * resampled differences on the far side of 0 (ties at 0 counted on both sides), with the usual +1
   * so a finite number of resamples never claims p = 0: a difference that is the same constant
   * c != 0 on every query gives p = 2 / (R + 1), identical columns give p = 1. p < 1 - level
   * roughly when the percentile interval excludes 0. Fewer than 2 queries: p = 1 (one query
   * cannot show a difference); none: everything NaN.
   */
  paired(a: ArrayLike<number>, b: ArrayLike<number>): PairedResult {
    if (a.length !== b.length) throw new Error(`pairedBootstrap: lengths ${a.length} and ${b.length} differ`);
    const diff = new Float64Array(a.length);
    let m = 0;
    for (let i = 0; i < a.length; i++) if (!Number.isNaN(a[i]) && !Number.isNaN(b[i])) diff[m++] = a[i] - b[i];
    const d = diff.subarray(0, m);
    if (m === 0) return { meanDiff: NaN, lo: NaN, hi: NaN, p: NaN };
    const meanDiff = plainMean(d);
    if (m === 1) return { meanDiff, lo: meanDiff, hi: meanDiff, p: 1 };
    const R = this.resamples;
    const means = this.meansOf(d);
    let below = 0;
    let above = 0;
    for (const v of means) {
      if (v <= 0) below++;
      if (v >= 0) above++;
    }
    const p = Math.min(1, (2 * (Math.min(below, above) + 1)) / (R + 1));
    means.sort();
    const tail = (1 - this.level) / 2;
    return { meanDiff, lo: percentile(means, tail), hi: percentile(means, 1 - tail), p };
  }
}

export interface RatioResult {
  /** mean(a) / mean(b) over the queries where both are numbers. */
  ratio: number;
  lo: number;
  hi: number;
}

/**
 * Paired bootstrap of mean(a) / mean(b) over the same queries (both numbers): each resample
 * draws the query indices once for both columns (the draws of Bootstrap.indices), and its
 * statistic is the ratio of the two resampled means; lo and hi are the percentile interval of
 * those ratios as in interval(). A resample whose mean(b) is 0 gives no ratio and is left out.
 */
export function pairedRatio(boot: Bootstrap, a: ArrayLike<number>, b: ArrayLike<number>): RatioResult {
  if (a.length !== b.length) throw new Error(`pairedRatio: lengths ${a.length} and ${b.length} differ`);
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < a.length; i++) if (!Number.isNaN(a[i]) && !Number.isNaN(b[i])) (x.push(a[i]), y.push(b[i]));
  const m = x.length;
  const sum = (v: number[]) => v.reduce((s, t) => s + t, 0);
  if (m === 0 || sum(y) === 0) return { ratio: NaN, lo: NaN, hi: NaN };
  const ratio = sum(x) / sum(y);
  const idx = boot.indices(m);
  const ratios: number[] = [];
  for (let r = 0, j = 0; r < boot.resamples; r++) {
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < m; i++, j++) (sx += x[idx[j]], (sy += y[idx[j]]));
    if (sy !== 0) ratios.push(sx / sy);
  }
  ratios.sort((p, q) => p - q);
  const tail = (1 - boot.level) / 2;
  return { ratio, lo: percentile(ratios, tail), hi: percentile(ratios, 1 - tail) };
}

/** Percentile bootstrap interval of the mean of `values` (NaN skipped); see the file comment. */
export function bootstrapInterval(values: ArrayLike<number>, opts: BootstrapOptions): Interval {
  return new Bootstrap(opts).interval(values);
}

/** For each column, its R resample means (NaN skipped per column); draws shared across columns. */
export function bootstrapMeans(columns: readonly ArrayLike<number>[], opts: BootstrapOptions): Float64Array[] {
  return new Bootstrap(opts).means(columns);
}

/** Paired bootstrap of mean(a) - mean(b) over the same queries; see Bootstrap.paired. */
export function pairedBootstrap(a: ArrayLike<number>, b: ArrayLike<number>, opts: BootstrapOptions): PairedResult {
  return new Bootstrap(opts).paired(a, b);
}
