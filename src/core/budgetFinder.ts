/**
 * The budget finder: for each method of an experiment, the smallest budget m of the grid at which
 * it keeps at least a fraction `keep` of the uncompressed index's metric (nDCG@10 by default),
 * with a paired bootstrap interval of that fraction over the queries (the experiment's own draws),
 * and the smallest m whose whole interval clears the target. Computed from an experiment's rows:
 * it finds within the budgets that were run, and says so when none reaches the target.
 */
import { Bootstrap, pairedRatio } from './bootstrap.ts';
import type { ExperimentResult } from './experiment.ts';
import type { EvalStorage } from './storage/stored.ts';

export interface BudgetFinding {
  method: string;
  label: string;
  /** Smallest budget whose retained fraction (point estimate) is at least `keep`, or null. */
  budget: number | null;
  /** Smallest budget whose interval's lower end is at least `keep`, or null. */
  budgetSure: number | null;
  /** At `budget` (or at the largest budget run when none reaches it): fraction kept and its interval. */
  retained: number;
  lo: number;
  hi: number;
  /** The budget those figures are for, and its stored bytes per document. */
  at: number;
  bytesPerDoc: number;
  /** The uncompressed index's bytes per document (same storage type): a finding at that size saves nothing. */
  referenceBytesPerDoc: number;
}

export interface BudgetFinderOptions {
  keep: number;
  metric?: string;
  storage?: EvalStorage;
}

export function findBudgets(result: ExperimentResult, opts: BudgetFinderOptions): BudgetFinding[] {
  const metric = opts.metric ?? 'ndcg@10';
  const storage = opts.storage ?? 'fp32';
  if (!(opts.keep > 0 && opts.keep <= 1)) throw new Error(`budget finder: keep must be in (0, 1], got ${opts.keep}`);
  const rows = result.rows.filter((r) => r.storage === storage);
  const reference = rows.find((r) => r.method === 'none');
  if (!reference) throw new Error('budget finder: the experiment has no uncompressed ("none") row to compare with');
  const refValues = reference.perQuery[metric];
  if (!refValues) throw new Error(`budget finder: no per-query values for ${metric}`);
  const boot = new Bootstrap(result.bootstrap);
  const methods = [...new Set(rows.filter((r) => r.method !== 'none').map((r) => r.method))];
  return methods.map((method) => {
    const own = rows.filter((r) => r.method === method && r.budget !== null).sort((a, b) => a.budget! - b.budget!);
    const measured = own.map((r) => ({ row: r, ...pairedRatio(boot, r.perQuery[metric], refValues) }));
    const hit = measured.find((x) => x.ratio >= opts.keep);
    const sure = measured.find((x) => x.lo >= opts.keep);
    const shown = hit ?? measured[measured.length - 1];
    return {
      method,
      label: shown.row.label,
      budget: hit ? hit.row.budget : null,
      budgetSure: sure ? sure.row.budget : null,
      retained: shown.ratio,
      lo: shown.lo,
      hi: shown.hi,
      at: shown.row.budget!,
      bytesPerDoc: shown.row.bytesPerDoc,
      referenceBytesPerDoc: reference.bytesPerDoc,
    };
  });
}

/** One line per method, for the command line and the page. */
export function describeFinding(f: BudgetFinding, keep: number, metric = 'ndcg@10'): string {
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const iv = `${pct(f.retained)} [${pct(f.lo)}, ${pct(f.hi)}]`;
  if (f.budget === null) return `${f.label}: not within the budgets run (best ${iv} of uncompressed ${metric} at m = ${f.at})`;
  const sure = f.budgetSure === null ? '; no budget run has its whole interval above the target' : f.budgetSure === f.budget ? '' : `; its whole interval clears ${pct(keep)} from m = ${f.budgetSure}`;
  const size = f.bytesPerDoc >= f.referenceBytesPerDoc ? 'no saving: every document is whole at that budget' : `${f.bytesPerDoc.toFixed(0)} bytes per document`;
  return `${f.label}: m = ${f.budget} keeps ${iv} of uncompressed ${metric} (${size})${sure}`;
}
