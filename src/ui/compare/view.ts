/**
 * The Compare view: draws the charts (figures.ts), heat maps, legend, budget finder and table of
 * the current result from the page state (metric, focused budget, storage shown, hidden methods,
 * column groups). Nothing here runs the engine: moving the slider or toggling a method only
 * re-renders.
 */
import { colourOf, svgText, svgToPng } from '../../charts/charts.ts';
import type { ExperimentResult } from '../../core/experiment.ts';
import { ALL_METHOD_IDS } from '../../core/methodSpec.ts';
import { STORAGE_LABELS } from '../../core/storage/stored.ts';
import { ALLOCATIONS } from '../../core/allocation.ts';
import { download } from '../common.ts';
import { COLUMN_GROUPS, focusedBudget, type ColumnGroup } from '../state/schema.ts';
import { computed, effect, type Store } from '../state/store.ts';
import { budgetsRun, chosenMetric, metricsOf, significance, storagesRun, uninformative } from './series.ts';
import { bindFields } from '../state/fields.ts';
import { shown, type Shown } from '../results.ts';
import { signal } from '@preact/signals-core';
import { markRows, renderResultTable, type TableState } from './table.ts';
import { FIGURES, placeFigures, type Render } from './figures.ts';
import { drawHeatmaps } from './heatmaps.ts';
import { drawLegend } from './legend.ts';
import { drawBudgetFinder } from './finder.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const svgOf = (id: string) => document.getElementById(id) as unknown as SVGSVGElement;
/** One colour per method in every chart and the legend (the base method id decides it). */
const COLOUR_KEYS = ['none', ...ALL_METHOD_IDS, ...ALLOCATIONS.flatMap((a) => ALL_METHOD_IDS.map((id) => `${id}@${a}`))];
export const methodColour = (method: string) => colourOf(method.replace(/:[^@]*/, ''), COLOUR_KEYS);

/** The size every chart is drawn at: the width of a figure of the grid, a height that follows it. */
function chartSize(): { width: number; height: number } {
  const width = Math.max(320, Math.floor(($<HTMLDivElement>('charts').querySelector('figure')?.clientWidth ?? 460) - 10));
  return { width, height: Math.round(Math.min(400, Math.max(240, width * 0.58))) };
}

export function initCompareView(store: Store): { redraw(): void } {
  const view = new CompareView(store);
  return { redraw: () => view.redraw() };
}

class CompareView {
  private readonly results = $<HTMLDivElement>('compare-results');
  private readonly slider = $<HTMLInputElement>('budget-slider');
  private readonly metricSelect = $<HTMLSelectElement>('compare-metric');
  private readonly bytesSelect = $<HTMLSelectElement>('bytes-storage');
  private readonly groupsBox = $<HTMLFieldSetElement>('column-groups');
  private table: HTMLTableElement | null = null;
  private sort: TableState = { sortBy: '', ascending: true };
  /** Re-renders a chart into any SVG (the page's, or a detached one with its legend for export). */
  private readonly renderers = new Map<string, Render>();
  private readonly width = signal(0);

  constructor(private readonly store: Store) {
    placeFigures($<HTMLDivElement>('charts'));
    this.bindControls();
    // What each effect depends on, as a string so an unrelated state change (the view, typed text)
    // does not re-render: computed values that compare equal do not notify.
    const look = computed(() => {
      const s = store.state.value;
      return JSON.stringify([s.metric, s.shown, s.hidden, s.focus, s.yAxis, this.width.value]);
    });
    const tableKey = computed(() => JSON.stringify(store.state.value.columns));
    /** Controls that depend on the result: metric list, slider range, storage choices. */
    effect(() => this.resultControls(shown.value));
    /** The charts and heat maps. */
    effect(() => {
      void look.value;
      if (shown.value) this.draw(shown.value.result);
    });
    /** The table (re-rendered when the result or the column groups change; the slider only marks rows). */
    effect(() => {
      void tableKey.value;
      if (shown.value) this.renderTable(shown.value);
    });
    this.bindFigureEvents();
  }

  redraw(): void {
    if (shown.value) this.draw(shown.value.result);
  }

  private bindControls(): void {
    for (const g of COLUMN_GROUPS) {
      const label = document.createElement('label');
      const box = Object.assign(document.createElement('input'), { type: 'checkbox', value: g });
      box.addEventListener('change', () => {
        const on = [...this.groupsBox.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value) as ColumnGroup[];
        this.store.update({ columns: on });
      });
      label.append(box, g);
      this.groupsBox.append(label);
    }
    this.slider.addEventListener('input', () => {
      const budgets = shown.value ? budgetsRun(shown.value.result) : [];
      const m = budgets[Number(this.slider.value)];
      if (m !== undefined) this.store.update({ focus: m });
    });
    this.metricSelect.addEventListener('change', () => this.store.update({ metric: this.metricSelect.value }));
    this.bytesSelect.addEventListener('change', () => this.store.update({ shown: this.bytesSelect.value as never }));
    bindFields(this.store, { yAxis: 'y-axis' });
  }

  private resultControls(cur: Shown | undefined): void {
    this.results.hidden = !cur;
    if (!cur) return;
    this.sort = { sortBy: '', ascending: true };
    const s = this.store.state.peek();
    const metric = chosenMetric(cur.result, s.metric);
    this.metricSelect.replaceChildren(...metricsOf(cur.result).map((m) => new Option(uninformative(cur.result, m) ? `${m} (says nothing here)` : m, m, m === metric, m === metric)));
    const budgets = budgetsRun(cur.result);
    this.slider.max = String(Math.max(0, budgets.length - 1));
    this.slider.disabled = budgets.length < 2;
    const types = storagesRun(cur.result);
    this.bytesSelect.replaceChildren(...['all', ...types].map((t) => new Option(t === 'all' ? `every type (${types.length})` : STORAGE_LABELS[t as keyof typeof STORAGE_LABELS], t)));
    this.bytesSelect.value = s.shown === 'all' || types.includes(s.shown) ? s.shown : types[0];
    if (!this.width.peek()) this.width.value = $<HTMLDivElement>('charts').clientWidth;
  }

  private renderTable(cur: Shown): void {
    const s = this.store.state.peek();
    for (const b of this.groupsBox.querySelectorAll<HTMLInputElement>('input')) b.checked = s.columns.includes(b.value as never);
    this.table = renderResultTable($<HTMLDivElement>('compare-table-wrap'), cur.result, cur.caption, s.columns, this.sort, (next) => {
      this.sort = next;
      this.renderTable(cur);
    });
    markRows(this.table, focusedBudget(s, budgetsRun(cur.result)), s.hidden);
  }

  private draw(result: ExperimentResult): void {
    const s = this.store.state.peek();
    const metric = chosenMetric(result, s.metric);
    const focus = focusedBudget(s, budgetsRun(result));
    const sliderValue = $<HTMLOutputElement>('budget-value');
    this.slider.value = String(Math.max(0, budgetsRun(result).indexOf(focus ?? -1)));
    sliderValue.value = focus === undefined ? '–' : `m = ${focus}`;
    this.slider.setAttribute('aria-valuetext', sliderValue.value);
    drawLegend($<HTMLDivElement>('legend'), result, s.hidden, methodColour, this.store);
    const note = uninformative(result, metric);
    $<HTMLParagraphElement>('significance').textContent = note ? `${note}; pick another metric.` : (significance(result, metric, focus, s.hidden)?.text ?? '');
    drawBudgetFinder($<HTMLDivElement>('budget-finder'), result, metric, s.hidden);
    const types = storagesRun(result);
    const context = { result, options: { metric, focus, hidden: s.hidden, colour: methodColour, yFit: s.yAxis === 'fit' }, shown: s.shown === 'all' || types.includes(s.shown) ? s.shown : types[0], size: chartSize() };
    for (const f of FIGURES) {
      const render = f.draw(context);
      this.renderers.set(f.id, render);
      render(svgOf(f.id), false);
    }
    drawHeatmaps($<HTMLDivElement>('heatmaps'), result, focus, s.hidden);
    markRows(this.table, focus, s.hidden);
    // A value read out on hover belongs to the chart drawn then (another metric or budget: cleared).
    for (const out of this.results.querySelectorAll('.readout')) out.textContent = '';
  }

  /** Exact values on hover, SVG/PNG exports (charts with their own legend), redraws on resize. */
  private bindFigureEvents(): void {
    this.results.addEventListener('pointerover', (ev) => {
      const el = ev.target as Element;
      const title = el.querySelector?.(':scope > title')?.textContent ?? (el.tagName === 'rect' ? el.parentElement?.querySelector('title')?.textContent : null);
      const out = el.closest('figure')?.querySelector('.readout');
      if (out && title) out.textContent = title;
    });
    this.results.addEventListener('click', async (ev) => {
      const b = (ev.target as HTMLElement).closest<HTMLButtonElement>('button.export');
      if (!b) return;
      const id = b.dataset.chart!;
      let svg = svgOf(id);
      const render = this.renderers.get(id);
      if (render) {
        // The file carries its own legend (on the page, the shared legend above the charts does).
        svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
        render(svg, true);
      }
      if (b.dataset.format === 'svg') download(`${id}.svg`, svgText(svg), 'image/svg+xml');
      else download(`${id}.png`, await svgToPng(svg));
    });
    let pending = 0;
    new ResizeObserver(() => {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(() => (this.width.value = $<HTMLDivElement>('charts').clientWidth));
    }).observe($<HTMLDivElement>('charts'));
  }
}
