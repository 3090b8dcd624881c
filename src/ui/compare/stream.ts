/**
 * A long comparison shows its rows as their cells finish: the charts, legend, slider and table
 * draw the grid so far, and fill in as the run goes on.
 */
import type { ExperimentProgress, ExperimentResult } from '../../core/experiment.ts';
import type { Shown } from '../results.ts';

/** The caption of a partial result (the table's), and what it becomes when the run stops early. */
export const PARTIAL_NOTE = '(the run goes on; every chart fills in as it does)';
export const STOPPED_NOTE = '(the run stopped here: only these cells)';

/** Shows a long run's rows as their cells finish (not in a run's first second: a short one just finishes), at most every 0.7 s. */
export function streamRows(started: number, show: (partial: Shown) => void, now = () => performance.now()) {
  let rows: ExperimentResult['rows'] = [];
  let last = 0;
  return (p: Extract<ExperimentProgress, { stage: 'rows' }>) => {
    rows = [...rows, ...p.rows];
    const t = now();
    if (t - started < 1000 || t - last < 700) return;
    last = t;
    show({ result: { ...p.partial, rows }, caption: `Results so far: ${p.cell + 1} of ${p.cells} cells ${PARTIAL_NOTE}` });
  };
}
