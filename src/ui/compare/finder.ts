/**
 * The budget finder's lines under the charts: per method, the smallest budget run that keeps 95% of
 * the uncompressed metric (the CLI takes any fraction with --find-budget). Computed once per
 * result and metric.
 */
import { describeFinding, findBudgets, type BudgetFinding } from '../../core/budgetFinder.ts';
import type { ExperimentResult } from '../../core/experiment.ts';

/** The page's target: 95% of the uncompressed metric. */
export const FINDER_KEEP = 0.95;
const findings = new WeakMap<ExperimentResult, Map<string, BudgetFinding[] | undefined>>();

/** The findings of a result for a metric, or undefined when the metric has no uncompressed reference to keep. */
export function findingsOf(result: ExperimentResult, metric: string): BudgetFinding[] | undefined {
  let byMetric = findings.get(result);
  if (!byMetric) findings.set(result, (byMetric = new Map()));
  if (!byMetric.has(metric)) {
    const usable = result.rows.some((r) => r.method === 'none') && !metric.startsWith('overlap') && metric !== 'spearman';
    byMetric.set(metric, usable ? findBudgets(result, { keep: FINDER_KEEP, metric, storage: result.rows[0]?.storage }) : undefined);
  }
  return byMetric.get(metric);
}

export function drawBudgetFinder(box: HTMLElement, result: ExperimentResult, metric: string, hidden: readonly string[]): void {
  const list = findingsOf(result, metric)?.filter((f) => !hidden.includes(f.method));
  if (!list?.length) return box.replaceChildren();
  const ul = document.createElement('ul');
  for (const f of list) ul.append(Object.assign(document.createElement('li'), { textContent: describeFinding(f, FINDER_KEEP, metric) }));
  box.replaceChildren(Object.assign(document.createElement('p'), { textContent: `Smallest budget run that keeps ${FINDER_KEEP * 100}% of the uncompressed ${metric} (paired bootstrap over queries):` }), ul);
}
