/**
 * The results table of the Compare view: the engine's flat table (core/report.ts), its columns in
 * groups the user shows or hides, sortable by any column (click or Enter), in its own scroll
 * container. Rows at the focused budget are marked, so the slider moves through the table too.
 */
import type { ExperimentResult } from '../../core/experiment.ts';
import { resultTable, type Cell } from '../../core/report.ts';
import type { ColumnGroup } from '../state/schema.ts';

/** Which group a column of the results table belongs to ('id' columns are always shown). */
export function columnGroup(column: string): ColumnGroup | 'id' {
  if (['method', 'label', 'budget', 'storage'].includes(column)) return 'id';
  if (/_(lo|hi)$/.test(column)) return 'intervals';
  if (/^(recall|ndcg|mrr)@/.test(column)) return 'quality';
  if (/^overlap@|^spearman/.test(column)) return 'fidelity';
  if (/^(active_fraction|vector_|position_)/.test(column)) return 'utilisation';
  if (/_ms_/.test(column)) return 'timing';
  return 'size';
}

/** Indexes of the columns to show for the groups chosen (an interval follows its metric's group too). */
export function visibleColumns(columns: readonly string[], groups: readonly ColumnGroup[]): number[] {
  const on = new Set<string>(['id', ...groups]);
  return columns.flatMap((c, i) => {
    const g = columnGroup(c);
    if (g === 'intervals') return on.has('intervals') && on.has(columnGroup(c.replace(/_(lo|hi)$/, ''))) ? [i] : [];
    return on.has(g) ? [i] : [];
  });
}

export interface TableState {
  sortBy: string;
  ascending: boolean;
}

const show = (v: Cell) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : Number.isNaN(v) ? '' : v.toFixed(4)) : String(v ?? ''));

/** Renders the table into `wrap`; `onSort` is told which column the user sorted by. */
export function renderResultTable(wrap: HTMLElement, result: ExperimentResult, caption: string, groups: readonly ColumnGroup[], sort: TableState, onSort: (s: TableState) => void): HTMLTableElement {
  const t = resultTable(result);
  const cols = visibleColumns(t.columns, groups);
  const at = t.columns.indexOf(sort.sortBy);
  const rows = [...t.rows];
  if (at >= 0) {
    rows.sort((a, b) => {
      const x = a[at];
      const y = b[at];
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''));
      return sort.ascending ? c : -c;
    });
  }
  const table = document.createElement('table');
  table.id = 'compare-table';
  table.createCaption().textContent = caption;
  const head = table.createTHead().insertRow();
  for (const i of cols) {
    const name = t.columns[i];
    const th = Object.assign(document.createElement('th'), { textContent: name, scope: 'col', tabIndex: 0 });
    th.dataset.group = columnGroup(name);
    if (name === sort.sortBy) th.setAttribute('aria-sort', sort.ascending ? 'ascending' : 'descending');
    const go = () => onSort({ sortBy: name, ascending: sort.sortBy === name ? !sort.ascending : true });
    th.addEventListener('click', go);
    th.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), go()));
    head.append(th);
  }
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    tr.dataset.method = String(r[0]);
    tr.dataset.budget = String(r[2] ?? 'full');
    tr.dataset.storage = String(r[3]);
    for (const i of cols) {
      const td = tr.insertCell();
      td.dataset.column = t.columns[i];
      td.textContent = show(r[i]);
    }
  }
  wrap.replaceChildren(table);
  return table;
}

/** Marks the rows at the focused budget (and the methods hidden on the charts) without re-rendering. */
export function markRows(table: HTMLTableElement | null, focus: number | undefined, hidden: readonly string[]): void {
  if (!table) return;
  const off = new Set(hidden);
  for (const tr of table.tBodies[0]?.rows ?? []) {
    tr.classList.toggle('focus', tr.dataset.budget === String(focus));
    tr.classList.toggle('hidden-method', off.has(tr.dataset.method!));
  }
}
