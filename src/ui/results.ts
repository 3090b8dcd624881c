/**
 * The comparison result on screen, and what every view reads of it (the Compare view draws it, the
 * similarity maps offer its methods and budgets).
 */
import { signal } from '@preact/signals-core';
import type { ExperimentResult } from '../core/experiment.ts';

export interface Shown {
  result: ExperimentResult;
  /** The table caption's description of the corpus and model. */
  caption: string;
}

/** The result on screen; set by the controller after each run. */
export const shown = signal<Shown | undefined>(undefined);

/** The budgets a result was run at, ascending (the uncompressed row has none). */
export const budgetsRun = (result: ExperimentResult): number[] =>
  [...new Set(result.rows.map((r) => r.budget).filter((b): b is number => b !== null))].sort((a, b) => a - b);

/** Compressed methods of a result in their order, with their labels. */
export function methodsOf(result: ExperimentResult): { id: string; label: string }[] {
  const seen = new Map<string, string>();
  for (const r of result.rows) if (r.budget !== null && !seen.has(r.method)) seen.set(r.method, r.label);
  return [...seen].map(([id, label]) => ({ id, label }));
}
