/**
 * The legend above the charts: one toggle button per method of the result (the uncompressed
 * reference first, when it was run), each hiding or showing that method on every chart.
 */
import type { ExperimentResult } from '../../core/experiment.ts';
import { methodsOf } from '../results.ts';
import type { Store } from '../state/store.ts';

export function drawLegend(legend: HTMLElement, result: ExperimentResult, hidden: readonly string[], colour: (method: string) => string, store: Store): void {
  const items = [{ id: 'none', label: 'uncompressed' }, ...methodsOf(result)].filter((m) => (m.id === 'none' ? result.rows.some((r) => r.budget === null) : true));
  legend.replaceChildren(
    ...items.map((m) => {
      const b = Object.assign(document.createElement('button'), { type: 'button' });
      b.dataset.method = m.id;
      b.setAttribute('aria-pressed', String(!hidden.includes(m.id)));
      b.title = hidden.includes(m.id) ? `Show ${m.label} on the charts` : `Hide ${m.label} on the charts`;
      const sw = Object.assign(document.createElement('span'), { className: 'swatch' });
      sw.style.background = colour(m.id);
      b.append(sw, m.label);
      b.addEventListener('click', () => {
        const now = store.get().hidden;
        store.update({ hidden: now.includes(m.id) ? now.filter((x) => x !== m.id) : [...now, m.id] });
        queueMicrotask(() => legend.querySelector<HTMLButtonElement>(`button[data-method="${CSS.escape(m.id)}"]`)?.focus());
      });
      return b;
    }),
  );
}
