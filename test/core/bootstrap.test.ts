import { describe, expect, it } from 'vitest';
import { Bootstrap, bootstrapInterval, bootstrapMeans, pairedBootstrap, percentile } from '../../src/core/bootstrap.ts';
import { gaussian, mulberry32 } from '../../src/core/rng.ts';

/** Seeded test data, drawn here rather than by the code under test. */
function normals(n: number, seed: number, mu = 0.6, sigma = 0.2): Float64Array {
  const rng = mulberry32(seed);
  return Float64Array.from({ length: n }, () => mu + sigma * gaussian(rng));
}

const count = (xs: ArrayLike<number>, pred: (v: number) => boolean) => Array.from(xs).filter(pred).length;

describe('percentile (NumPy default, linear interpolation)', () => {
  it('matches np.percentile values worked out by hand', () => {
    // np.percentile([1, 2, 3, 4], 2.5): h = 3 * 0.025 = 0.075 -> 1 + 0.075 * (2 - 1) = 1.075
    expect(percentile([1, 2, 3, 4], 0.025)).toBeCloseTo(1.075, 12);
    // np.percentile([1, 2, 3, 4], 97.5): h = 2.925 -> 3 + 0.925 * (4 - 3) = 3.925
    expect(percentile([1, 2, 3, 4], 0.975)).toBeCloseTo(3.925, 12);
    // np.percentile([0, 10, 20, 30, 100], 90): h = 3.6 -> 30 + 0.6 * 70 = 72
    expect(percentile([0, 10, 20, 30, 100], 0.9)).toBeCloseTo(72, 12);
    expect(percentile([10, 20], 0.5)).toBe(15);
    expect(percentile([3, 5, 9], 0)).toBe(3);
    expect(percentile([3, 5, 9], 1)).toBe(9);
    expect(percentile([7], 0.3)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });
});

describe('bootstrapInterval', () => {
  it('all-equal values give lo = hi = the value; one value likewise; none gives NaN', () => {
    expect(bootstrapInterval(new Array(17).fill(0.1), { seed: 3 })).toEqual({ lo: 0.1, hi: 0.1, mean: 0.1 });
    expect(bootstrapInterval([0.7], { seed: 3 })).toEqual({ lo: 0.7, hi: 0.7, mean: 0.7 });
    const empty = bootstrapInterval([], { seed: 3 });
    expect([empty.lo, empty.hi, empty.mean]).toEqual([NaN, NaN, NaN]);
    const unjudged = bootstrapInterval([NaN, NaN], { seed: 3 });
    expect([unjudged.lo, unjudged.hi]).toEqual([NaN, NaN]);
  });

  it('{0, 1}: resample means are 0, 1/2, 1 with probabilities 1/4, 1/2, 1/4, so the 95% interval is [0, 1]', () => {
    const R = 4000;
    const [means] = bootstrapMeans([[0, 1]], { seed: 5, resamples: R });
    expect(means).toHaveLength(R);
    expect(count(means, (v) => v !== 0 && v !== 0.5 && v !== 1)).toBe(0);
    // Binomial(R, p) fractions: 4.5 standard deviations, sqrt(p (1 - p) / R), either side.
    const tol = (p: number) => 4.5 * Math.sqrt((p * (1 - p)) / R);
    expect(Math.abs(count(means, (v) => v === 0.5) / R - 0.5)).toBeLessThan(tol(0.5));
    expect(Math.abs(count(means, (v) => v === 0) / R - 0.25)).toBeLessThan(tol(0.25));
    expect(Math.abs(count(means, (v) => v === 1) / R - 0.25)).toBeLessThan(tol(0.25));
    // 25% of the sorted means are 0 and 25% are 1: the 2.5% and 97.5% quantiles fall inside those runs.
    expect(bootstrapInterval([0, 1], { seed: 5, resamples: R })).toEqual({ lo: 0, hi: 1, mean: 0.5 });
  });

  it('follows the documented procedure: mulberry32 draws floor(u m), resample-major, then np.percentile', () => {
    const values = [0, 1, 3, 7, 15, 31];
    const R = 11;
    const rng = mulberry32(42);
    const means: number[] = [];
    for (let r = 0; r < R; r++) {
      let s = 0;
      for (let i = 0; i < values.length; i++) s += values[Math.floor(rng.next() * values.length)];
      means.push(s / values.length);
    }
    means.sort((a, b) => a - b);
    // The ends of the sorted means differ, so the interpolation below is not trivially exact.
    expect(means[0]).toBeLessThan(means[1]);
    expect(means[9]).toBeLessThan(means[10]);
    // R = 11: the 2.5% quantile sits at h = 10 * 0.025 = 0.25, the 97.5% at h = 9.75.
    const lo = means[0] + 0.25 * (means[1] - means[0]);
    const hi = means[9] + 0.75 * (means[10] - means[9]);
    const got = bootstrapInterval(values, { seed: 42, resamples: R });
    expect(got.lo).toBeCloseTo(lo, 12);
    expect(got.hi).toBeCloseTo(hi, 12);
    expect(got.mean).toBe(57 / 6);
  });

  it('is reproducible for a seed and differs for another seed', () => {
    const x = normals(50, 9);
    const a = bootstrapInterval(x, { seed: 1 });
    expect(bootstrapInterval(x, { seed: 1 })).toEqual(a);
    const b = bootstrapInterval(x, { seed: 2 });
    expect(b.mean).toBe(a.mean);
    expect([b.lo, b.hi]).not.toEqual([a.lo, a.hi]);
  });

  it('skips NaN (queries without judgments)', () => {
    expect(bootstrapInterval([NaN, 0.25, NaN], { seed: 1 })).toEqual({ lo: 0.25, hi: 0.25, mean: 0.25 });
    const x = Array.from(normals(40, 4));
    const withGaps = x.flatMap((v, i) => (i % 3 === 0 ? [NaN, v] : [v]));
    const a = bootstrapInterval(withGaps, { seed: 8 });
    expect(a).toEqual(bootstrapInterval(x, { seed: 8 }));
    expect(a.mean).toBeCloseTo(x.reduce((s, v) => s + v, 0) / x.length, 12);
  });

  it('has the normal-theory width for n = 200: half-width close to 1.96 sd / sqrt(n)', () => {
    const n = 200;
    const x = normals(n, 2024);
    const mean = x.reduce((s, v) => s + v, 0) / n;
    const sd = Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
    const { lo, hi } = bootstrapInterval(x, { seed: 77, resamples: 2000 });
    const expected = (1.96 * sd) / Math.sqrt(n);
    expect(lo).toBeLessThan(mean);
    expect(hi).toBeGreaterThan(mean);
    expect(Math.abs((hi - lo) / 2 / expected - 1)).toBeLessThan(0.15);
    // Roughly symmetric around the mean for symmetric data.
    expect(Math.abs(mean - lo - (hi - mean))).toBeLessThan(0.3 * expected);
  });

  it('a lower level gives a narrower interval inside the 95% one', () => {
    const x = normals(60, 6);
    const wide = bootstrapInterval(x, { seed: 3 });
    const narrow = bootstrapInterval(x, { seed: 3, level: 0.5 });
    expect(narrow.lo).toBeGreaterThan(wide.lo);
    expect(narrow.hi).toBeLessThan(wide.hi);
  });

  it('rejects nonsense options', () => {
    expect(() => bootstrapInterval([1, 2], { seed: 1, resamples: 0 })).toThrow(/resamples/);
    expect(() => bootstrapInterval([1, 2], { seed: 1, level: 95 })).toThrow(/level/);
  });
});

describe('shared draws', () => {
  it('draws the query indices once: columns of the same size are resampled over the same indices', () => {
    const x = normals(30, 11);
    const twice = x.map((v) => 2 * v);
    const [a, b] = bootstrapMeans([x, twice], { seed: 4, resamples: 300 });
    // Doubling is exact in floating point, so the same indices give exactly doubled means.
    expect(Array.from(b)).toEqual(Array.from(a, (v) => 2 * v));
    const boot = new Bootstrap({ seed: 4, resamples: 300 });
    expect(boot.indices(30)).toBe(boot.indices(30));
    const idx = boot.indices(30);
    expect(Math.min(...idx)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...idx)).toBeLessThan(30);
    // With replacement: some resample repeats a query (all 300 being permutations has odds ~ 0).
    let repeats = 0;
    for (let r = 0; r < 300; r++) if (new Set(idx.subarray(r * 30, (r + 1) * 30)).size < 30) repeats++;
    expect(repeats).toBeGreaterThan(290);
  });

  it('the draws for a sample size do not depend on what else was resampled first', () => {
    // In an experiment, retrieval metrics skip unjudged queries (m < n) and fidelity does not (m = n).
    const full = normals(30, 13);
    const gappy = Array.from(normals(30, 14), (v, i) => (i % 4 === 0 ? NaN : v));
    const boot = new Bootstrap({ seed: 6, resamples: 400 });
    const both = boot.intervals({ gappy, full });
    expect(both.gappy).toEqual(bootstrapInterval(gappy, { seed: 6, resamples: 400 }));
    expect(both.full).toEqual(bootstrapInterval(full, { seed: 6, resamples: 400 }));
  });
});

describe('pairedBootstrap', () => {
  it('identical columns: no difference, p = 1', () => {
    const x = normals(40, 1);
    expect(pairedBootstrap(x, x, { seed: 2 })).toEqual({ meanDiff: 0, lo: 0, hi: 0, p: 1 });
  });

  it('a column larger by a constant c on every query: lo = hi = c and p = 2 / (R + 1), the smallest it reports', () => {
    // Multiples of 1/8 so that a - b is exactly c for every query.
    const rng = mulberry32(12);
    const b = Float64Array.from({ length: 30 }, () => Math.floor(rng.next() * 8) / 8);
    const a = b.map((v) => v + 0.5);
    const R = 1000;
    expect(pairedBootstrap(a, b, { seed: 2, resamples: R })).toEqual({ meanDiff: 0.5, lo: 0.5, hi: 0.5, p: 2 / (R + 1) });
    expect(pairedBootstrap(b, a, { seed: 2, resamples: R })).toEqual({ meanDiff: -0.5, lo: -0.5, hi: -0.5, p: 2 / (R + 1) });
  });

  it('differences {1, 0}: resampled mean differences 0, 1/2, 1 w.p. 1/4, 1/2, 1/4, so p is about 2 x 1/4', () => {
    const R = 4000;
    const r = pairedBootstrap([1, 0.5], [0, 0.5], { seed: 9, resamples: R });
    expect(r.meanDiff).toBe(0.5);
    expect([r.lo, r.hi]).toEqual([0, 1]);
    // p = 2 (#{D <= 0} + 1) / (R + 1), #{D <= 0} ~ Binomial(R, 1/4).
    expect(Math.abs(r.p - 0.5)).toBeLessThan(2 * 4.5 * Math.sqrt((0.25 * 0.75) / R) + 4 / R);
  });

  it('leaves out queries where either side is NaN; few queries', () => {
    expect(pairedBootstrap([NaN, 0.75, 0.5], [0.25, 0.25, NaN], { seed: 1 })).toEqual({ meanDiff: 0.5, lo: 0.5, hi: 0.5, p: 1 });
    const none = pairedBootstrap([NaN], [1], { seed: 1 });
    expect([none.meanDiff, none.lo, none.hi, none.p]).toEqual([NaN, NaN, NaN, NaN]);
    expect(() => pairedBootstrap([1, 2], [1], { seed: 1 })).toThrow(/lengths/);
  });

  it('a real difference gets a small p, noise alone does not; swapping the sides mirrors the result', () => {
    const base = normals(100, 21);
    const noise = normals(100, 22, 0, 0.05);
    const better = base.map((v, i) => v + 0.05 + noise[i]);
    const same = base.map((v, i) => v + noise[i] - noise.reduce((s, x) => s + x, 0) / 100);
    const r = pairedBootstrap(better, base, { seed: 3 });
    expect(r.meanDiff).toBeCloseTo(0.05 + noise.reduce((s, x) => s + x, 0) / 100, 12);
    expect(r.lo).toBeGreaterThan(0);
    expect(r.p).toBeLessThan(0.01);
    expect(pairedBootstrap(same, base, { seed: 3 }).p).toBeGreaterThan(0.5);
    const back = pairedBootstrap(base, better, { seed: 3 });
    expect(back.meanDiff).toBeCloseTo(-r.meanDiff, 12);
    expect(back.lo).toBeCloseTo(-r.hi, 12);
    expect(back.hi).toBeCloseTo(-r.lo, 12);
    expect(back.p).toBe(r.p);
  });
});
