/**
 * The Compare view: draws the charts, heat maps and table of the current result from the page
 * state (metric, focused budget, storage shown, hidden methods, column groups). Nothing here
 * runs the engine: moving the slider or toggling a method only re-renders.
 */
import { barChart, colourOf, heatmap, lineChart, svgText, svgToPng } from '../../charts/charts.ts';
import type { ExperimentResult } from '../../core/experiment.ts';
import { ALL_METHOD_IDS } from '../../core/methodSpec.ts';
import { STORAGE_LABELS } from '../../core/storage/stored.ts';
import { ALLOCATIONS } from '../../core/allocation.ts';
import { download } from '../common.ts';
import { COLUMN_GROUPS, focusedBudget } from '../state/schema.ts';
import { computed, effect, type Store } from '../state/store.ts';
import { describeFinding, findBudgets, type BudgetFinding } from '../../core/budgetFinder.ts';
import { activeBars, budgetChart, budgetsRun, bytesChart, chosenMetric, evennessChart, methodsOf, metricsOf, rowsAtBudget, significance, storagesRun } from './series.ts';
import { shown, type Shown } from '../results.ts';
import { signal } from '@preact/signals-core';
import { markRows, renderResultTable, type TableState } from './table.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const svgOf = (id: string) => document.getElementById(id) as unknown as SVGSVGElement;
/** One colour per method in every chart and the legend (the base method id decides it). */
const COLOUR_KEYS = ['none', ...ALL_METHOD_IDS, ...ALLOCATIONS.flatMap((a) => ALL_METHOD_IDS.map((id) => `${id}@${a}`))];
/** The budget finder's target on the page: 95% of the uncompressed metric (the CLI takes any with --find-budget). */
const FINDER_KEEP = 0.95;
export const methodColour = (method: string) => colourOf(method.replace(/:[^@]*/, ''), COLOUR_KEYS);


export function initCompareView(store: Store): { redraw(): void } {
  const results = $<HTMLDivElement>('compare-results');
  const slider = $<HTMLInputElement>('budget-slider');
  const sliderValue = $<HTMLOutputElement>('budget-value');
  const metricSelect = $<HTMLSelectElement>('compare-metric');
  const bytesSelect = $<HTMLSelectElement>('bytes-storage');
  const legend = $<HTMLDivElement>('legend');
  const tableWrap = $<HTMLDivElement>('compare-table-wrap');
  const groupsBox = $<HTMLFieldSetElement>('column-groups');
  let table: HTMLTableElement | null = null;
  let sort: TableState = { sortBy: '', ascending: true };
  /** Re-renders a chart into any SVG (the page's, or a detached one with its legend for export). */
  const renderers = new Map<string, (svg: SVGSVGElement, legend: boolean) => void>();
  const width = signal(0);

  for (const g of COLUMN_GROUPS) {
    const label = document.createElement('label');
    const box = Object.assign(document.createElement('input'), { type: 'checkbox', value: g });
    box.addEventListener('change', () => {
      const on = [...groupsBox.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value) as typeof COLUMN_GROUPS[number][];
      store.update({ columns: on });
    });
    label.append(box, g);
    groupsBox.append(label);
  }

  slider.addEventListener('input', () => {
    const budgets = shown.value ? budgetsRun(shown.value.result) : [];
    const m = budgets[Number(slider.value)];
    if (m !== undefined) store.update({ focus: m });
  });
  metricSelect.addEventListener('change', () => store.update({ metric: metricSelect.value }));
  bytesSelect.addEventListener('change', () => store.update({ shown: bytesSelect.value as never }));

  // What each effect depends on, as a string so an unrelated state change (the view, typed text)
  // does not re-render: computed values that compare equal do not notify.
  const look = computed(() => {
    const s = store.state.value;
    return JSON.stringify([s.metric, s.shown, s.hidden, s.focus, width.value]);
  });
  const tableKey = computed(() => JSON.stringify(store.state.value.columns));

  /** Controls that depend on the result: metric list, slider range, storage choices, legend. */
  effect(() => {
    const cur = shown.value;
    results.hidden = !cur;
    if (!cur) return;
    sort = { sortBy: '', ascending: true };
    const s = store.state.peek();
    const metric = chosenMetric(cur.result, s.metric);
    metricSelect.replaceChildren(...metricsOf(cur.result).map((m) => new Option(m, m, m === metric, m === metric)));
    const budgets = budgetsRun(cur.result);
    slider.max = String(Math.max(0, budgets.length - 1));
    slider.disabled = budgets.length < 2;
    const types = storagesRun(cur.result);
    bytesSelect.replaceChildren(...['all', ...types].map((t) => new Option(t === 'all' ? `every type (${types.length})` : STORAGE_LABELS[t as keyof typeof STORAGE_LABELS], t)));
    bytesSelect.value = s.shown === 'all' || types.includes(s.shown) ? s.shown : types[0];
    if (!width.peek()) width.value = $<HTMLDivElement>('charts').clientWidth;
  });

  /** The charts and heat maps. */
  effect(() => {
    void look.value;
    const cur = shown.value;
    if (!cur) return;
    draw(cur.result);
  });

  /** The table (re-rendered when the result or the column groups change; the slider only marks rows). */
  effect(() => {
    void tableKey.value;
    const cur = shown.value;
    if (!cur) return;
    renderTable(cur);
  });

  function renderTable(cur: Shown) {
    const s = store.state.peek();
    for (const b of groupsBox.querySelectorAll<HTMLInputElement>('input')) b.checked = s.columns.includes(b.value as never);
    table = renderResultTable(tableWrap, cur.result, cur.caption, s.columns, sort, (next) => {
      sort = next;
      renderTable(cur);
    });
    markRows(table, focusedBudget(s, budgetsRun(cur.result)), s.hidden);
  }

  /** Per method, the smallest budget run that keeps 95% of the uncompressed metric (computed once per result and metric). */
  const findings = new WeakMap<ExperimentResult, Map<string, BudgetFinding[] | undefined>>();
  function drawBudgetFinder(result: ExperimentResult, metric: string, hidden: readonly string[]) {
    const box = $<HTMLDivElement>('budget-finder');
    let byMetric = findings.get(result);
    if (!byMetric) findings.set(result, (byMetric = new Map()));
    if (!byMetric.has(metric)) {
      const usable = result.rows.some((r) => r.method === 'none') && !metric.startsWith('overlap') && metric !== 'spearman';
      byMetric.set(metric, usable ? findBudgets(result, { keep: FINDER_KEEP, metric, storage: result.rows[0]?.storage }) : undefined);
    }
    const list = byMetric.get(metric)?.filter((f) => !hidden.includes(f.method));
    if (!list?.length) return box.replaceChildren();
    const ul = document.createElement('ul');
    for (const f of list) ul.append(Object.assign(document.createElement('li'), { textContent: describeFinding(f, FINDER_KEEP, metric) }));
    box.replaceChildren(Object.assign(document.createElement('p'), { textContent: `Smallest budget run that keeps ${FINDER_KEEP * 100}% of the uncompressed ${metric} (paired bootstrap over queries):` }), ul);
  }

  function draw(result: ExperimentResult) {
    const s = store.state.peek();
    const metric = chosenMetric(result, s.metric);
    const budgets = budgetsRun(result);
    const focus = focusedBudget(s, budgets);
    slider.value = String(Math.max(0, budgets.indexOf(focus ?? -1)));
    sliderValue.value = focus === undefined ? '–' : `m = ${focus}`;
    slider.setAttribute('aria-valuetext', sliderValue.value);
    drawLegend(result, s.hidden);
    const sig = significance(result, metric, focus, s.hidden);
    $<HTMLParagraphElement>('significance').textContent = sig?.text ?? '';
    drawBudgetFinder(result, metric, s.hidden);
    const o = { metric, focus, hidden: s.hidden, colour: methodColour };
    const w = Math.max(320, Math.floor(($<HTMLDivElement>('charts').querySelector('figure')?.clientWidth ?? 460) - 10));
    const h = Math.round(Math.min(400, Math.max(240, w * 0.58)));
    const size = { width: w, height: h };

    const budget = budgetChart(result, o);
    renderers.set('chart-budget', (svg, withLegend) =>
      lineChart(svg, budget.series, { title: `${metric} against budget m (${storagesRun(result)[0]}), 95% intervals`, xLabel: 'vectors per document (m, log scale)', yLabel: metric, xScale: 'log2', yDomain: [0, 1], references: budget.reference ? [budget.reference] : [], focusX: focus, focusLabel: `m = ${focus}`, legend: withLegend, ...size }));
    const types = storagesRun(result);
    const bytes = bytesChart(result, { ...o, shown: s.shown === 'all' || types.includes(s.shown) ? s.shown : types[0] });
    renderers.set('chart-bytes', (svg, withLegend) =>
      lineChart(svg, bytes, { title: `${metric} against index bytes per document`, xLabel: 'bytes per document (log scale)', yLabel: metric, xScale: 'log10', yDomain: [0, 1], legend: withLegend, ...size }));
    const bars = activeBars(result, o);
    renderers.set('chart-active', (svg, withLegend) =>
      barChart(svg, bars, { title: `Stored vectors that ever win a MaxSim match (m = ${focus})`, xLabel: 'active fraction', yLabel: '', yDomain: [0, 1], legend: withLegend, width: w }));
    const even = evennessChart(result, o);
    renderers.set('chart-evenness', (svg, withLegend) =>
      lineChart(svg, even, { title: `Evenness of use against ${metric}`, xLabel: 'Gini of wins per stored vector (0 = even)', yLabel: metric, yDomain: [0, 1], legend: withLegend, ...size }));
    for (const [id, render] of renderers) if (id.startsWith('chart-')) render(svgOf(id), false);
    drawHeatmaps(result, focus, s.hidden);
    markRows(table, focus, s.hidden);
  }

  function drawLegend(result: ExperimentResult, hidden: readonly string[]) {
    const items = [{ id: 'none', label: 'uncompressed' }, ...methodsOf(result)].filter((m) => m.id === 'none' ? result.rows.some((r) => r.budget === null) : true);
    legend.replaceChildren(
      ...items.map((m) => {
        const b = Object.assign(document.createElement('button'), { type: 'button' });
        b.dataset.method = m.id;
        b.setAttribute('aria-pressed', String(!hidden.includes(m.id)));
        b.title = hidden.includes(m.id) ? `Show ${m.label} on the charts` : `Hide ${m.label} on the charts`;
        const sw = Object.assign(document.createElement('span'), { className: 'swatch' });
        sw.style.background = methodColour(m.id);
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

  function drawHeatmaps(result: ExperimentResult, focus: number | undefined, hidden: readonly string[]) {
    const maps = $<HTMLDivElement>('heatmaps');
    maps.replaceChildren();
    const figure = (id: string, method: string) => {
      const fig = document.createElement('figure');
      const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      svg.id = id;
      svg.dataset.method = method;
      fig.append(svg);
      const buttons = Object.assign(document.createElement('div'), { className: 'fig-buttons' });
      for (const format of ['svg', 'png']) {
        const b = Object.assign(document.createElement('button'), { type: 'button', className: 'export', textContent: format.toUpperCase() });
        b.dataset.chart = id;
        b.dataset.format = format;
        buttons.append(b);
      }
      fig.append(buttons);
      maps.append(fig);
      return svg;
    };
    for (const r of rowsAtBudget(result, focus, hidden)) {
      const title = r.budget === null ? 'uncompressed' : `${r.label}, m = ${r.budget}`;
      const grid = r.utilization.grid;
      if (grid) heatmap(figure(`heatmap-${r.method}`, r.method), grid.count, grid.rows, grid.cols, { title, xLabel: `Gini ${r.utilization.positionGini.toFixed(2)}`, yLabel: '' });
      // Videos: the same wins over frame indices (one row of cells, frame 0 on the left).
      const frames = r.utilization.frames;
      if (frames) heatmap(figure(`frames-${r.method}`, r.method), frames.count, frames.rows, frames.cols, { title: `${title}: frames`, xLabel: 'wins per frame', yLabel: '', height: 120 });
    }
  }

  // Exact values on hover: the point's own title, in the figure's read-out line.
  results.addEventListener('pointerover', (ev) => {
    const el = ev.target as Element;
    const title = el.querySelector?.(':scope > title')?.textContent ?? (el.tagName === 'rect' ? el.parentElement?.querySelector('title')?.textContent : null);
    const out = el.closest('figure')?.querySelector('.readout');
    if (out && title) out.textContent = title;
  });
  results.addEventListener('click', async (ev) => {
    const b = (ev.target as HTMLElement).closest<HTMLButtonElement>('button.export');
    if (!b) return;
    const id = b.dataset.chart!;
    let svg = svgOf(id);
    const render = renderers.get(id);
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
    pending = requestAnimationFrame(() => (width.value = $<HTMLDivElement>('charts').clientWidth));
  }).observe($<HTMLDivElement>('charts'));

  return { redraw: () => shown.value && draw(shown.value.result) };
}
