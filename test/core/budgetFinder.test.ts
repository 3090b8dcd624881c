import { describe, expect, it } from 'vitest';
import { Bootstrap, pairedRatio, percentile } from '../../src/core/bootstrap.ts';
import { describeFinding, findBudgets } from '../../src/core/budgetFinder.ts';
import type { ExperimentResult } from '../../src/core/experiment.ts';
import { mulberry32 } from '../../src/core/rng.ts';

/** A result with the rows the finder reads: per-query nDCG@10 for the reference and each budget. */
function result(reference: number[], byBudget: Record<number, number[]>, method = 'agc'): ExperimentResult {
  const row = (m: string, budget: number | null, values: number[]) => ({
    method: m, label: m === 'none' ? 'uncompressed' : 'AGC', budget, storage: 'fp32', bytesPerDoc: (budget ?? 64) * 512,
    perQuery: { 'ndcg@10': Float64Array.from(values) },
  });
  return {
    bootstrap: { resamples: 200, seed: 7, level: 0.95 },
    rows: [row('none', null, reference), ...Object.entries(byBudget).map(([b, v]) => row(method, Number(b), v))],
  } as unknown as ExperimentResult;
}

describe('budget finder', () => {
  it('a method that keeps the same fraction on every query: that fraction exactly, interval included', () => {
    const ref = [1, 0.5, 0.8, 0.4];
    const r = result(ref, { 4: ref.map((v) => v * 0.5), 8: ref.map((v) => v * 0.96), 16: ref.map((v) => v * 0.99) });
    const [f] = findBudgets(r, { keep: 0.95 });
    expect(f.budget).toBe(8);
    expect(f.retained).toBeCloseTo(0.96, 12);
    expect(f.lo).toBeCloseTo(0.96, 12);
    expect(f.hi).toBeCloseTo(0.96, 12);
    expect(f.budgetSure).toBe(8);
    expect(describeFinding(f, 0.95)).toBe('AGC: m = 8 keeps 96.0% [96.0%, 96.0%] of uncompressed ndcg@10 (4096 bytes per document)');
    // At the uncompressed size (m = 64 here stores as much as the reference), it says there is no saving.
    const whole = findBudgets(result(ref, { 64: ref }), { keep: 0.95 })[0];
    expect(describeFinding(whole, 0.95)).toBe('AGC: m = 64 keeps 100.0% [100.0%, 100.0%] of uncompressed ndcg@10 (no saving: every document is whole at that budget)');
  });

  it('ratio of means (not mean of ratios), NaN queries left out, and not reached within the grid', () => {
    // Means over the queries both judged: (0.5 + 0.5) / (1 + 0.25) = 0.8 (a mean of ratios would say 1.5).
    const r = result([1, 0.25, NaN], { 4: [0.5, 0.5, 0.9] });
    const [f] = findBudgets(r, { keep: 0.95 });
    expect(f.budget).toBeNull();
    expect(f.retained).toBeCloseTo(0.8, 12);
    expect(describeFinding(f, 0.95)).toMatch(/^AGC: not within the budgets run \(best 80\.0% \[/);
  });

  it('the interval is the percentile interval of resampled ratios over the documented draws', () => {
    const a = [0.9, 0.2, 0.7, 1, 0.4, 0.65];
    const b = [1, 0.5, 0.75, 1, 0.5, 0.8];
    const boot = new Bootstrap({ resamples: 300, seed: 11, level: 0.9 });
    const got = pairedRatio(boot, a, b);
    // By the procedure in bootstrap.ts: draw r, i is floor(u * m), u the (r * m + i)-th mulberry32(seed) output.
    const rng = mulberry32(11);
    const ratios: number[] = [];
    for (let r = 0; r < 300; r++) {
      let sa = 0;
      let sb = 0;
      for (let i = 0; i < 6; i++) {
        const j = Math.floor(rng.next() * 6);
        sa += a[j];
        sb += b[j];
      }
      ratios.push(sa / sb);
    }
    ratios.sort((p, q) => p - q);
    expect(got.ratio).toBeCloseTo(3.85 / 4.55, 12);
    expect(got.lo).toBeCloseTo(percentile(ratios, 0.05), 12);
    expect(got.hi).toBeCloseTo(percentile(ratios, 0.95), 12);
    expect(got.lo).toBeLessThan(got.ratio);
    expect(got.hi).toBeGreaterThan(got.ratio);
  });

  it('needs the uncompressed row', () => {
    const r = result([1], { 4: [1] });
    r.rows.shift();
    expect(() => findBudgets(r, { keep: 0.9 })).toThrow('budget finder: the experiment has no uncompressed ("none") row to compare with');
  });
});
