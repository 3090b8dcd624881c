/**
 * The Compare view's figures, declared once: each row is a figure's id, its data (a series function
 * of series.ts) and its chart (a module of src/charts/), with the title and axes. The page's
 * <figure> elements, the redraws and the SVG/PNG exports all come from this table; a new chart is
 * one row here (plus its chart module, if new, and its fixture).
 */
import { barChart, lineChart } from '../../charts/charts.ts';
import type { ExperimentResult } from '../../core/experiment.ts';
import type { EvalStorage } from '../../core/storage/stored.ts';
import { activeBars, budgetChart, bytesChart, evennessChart, qualityDomain, storagesRun, type SeriesOptions } from './series.ts';

/** What every figure is drawn from: the result, the page's choices, and the size to draw at. */
export interface FigureContext {
  result: ExperimentResult;
  options: SeriesOptions;
  /** The storage type the bytes chart draws ('all': every type). */
  shown: EvalStorage | 'all';
  size: { width: number; height: number };
}

/** Draws a figure into an SVG; `legend`: with its own legend (exported files), not the page's shared one. */
export type Render = (svg: SVGSVGElement, legend: boolean) => void;

export interface FigureRow {
  id: string;
  /** Computes the figure's data once and returns how to draw it. */
  draw(c: FigureContext): Render;
}

export const FIGURES: readonly FigureRow[] = [
  {
    id: 'chart-budget',
    draw({ result, options: o, size }) {
      const budget = budgetChart(result, o);
      return (svg, legend) =>
        lineChart(svg, budget.series, {
          title: `${o.metric} against budget m (${storagesRun(result)[0]}), 95% intervals`, xLabel: 'vectors per document (m, log scale)', yLabel: o.metric, xScale: 'log2',
          yDomain: qualityDomain(budget.series, budget.reference ? [budget.reference] : [], !!o.yFit),
          references: budget.reference ? [budget.reference] : [], focusX: o.focus, focusLabel: `m = ${o.focus}`, legend, ...size,
        });
    },
  },
  {
    id: 'chart-bytes',
    draw({ result, options: o, shown, size }) {
      const bytes = bytesChart(result, { ...o, shown });
      return (svg, legend) => lineChart(svg, bytes, { title: `${o.metric} against index bytes per document`, xLabel: 'bytes per document (log scale)', yLabel: o.metric, xScale: 'log10', yDomain: qualityDomain(bytes, [], !!o.yFit), legend, ...size });
    },
  },
  {
    id: 'chart-active',
    draw({ result, options: o, size }) {
      const bars = activeBars(result, o);
      return (svg, legend) => barChart(svg, bars, { title: `Stored vectors that ever win a MaxSim match (m = ${o.focus})`, xLabel: 'active fraction', yLabel: '', yDomain: [0, 1], legend, width: size.width });
    },
  },
  {
    id: 'chart-evenness',
    draw({ result, options: o, size }) {
      const even = evennessChart(result, o);
      return (svg, legend) => lineChart(svg, even, { title: `Evenness of use against ${o.metric}`, xLabel: 'Gini of wins per stored vector (0 = even)', yLabel: o.metric, yDomain: qualityDomain(even, [], !!o.yFit), legend, ...size });
    },
  },
];

/** A <figure> with its SVG, an optional hover read-out line, and SVG/PNG export buttons. */
export function figureElement(id: string, readout: boolean): HTMLElement {
  const fig = document.createElement('figure');
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.id = id;
  fig.append(svg);
  if (readout) {
    const caption = Object.assign(document.createElement('figcaption'), { className: 'readout' });
    caption.setAttribute('aria-live', 'off');
    fig.append(caption);
  }
  const buttons = Object.assign(document.createElement('div'), { className: 'fig-buttons' });
  for (const format of ['svg', 'png']) {
    const b = Object.assign(document.createElement('button'), { type: 'button', className: 'export', textContent: format.toUpperCase() });
    b.dataset.chart = id;
    b.dataset.format = format;
    buttons.append(b);
  }
  fig.append(buttons);
  return fig;
}

/** The figures of the table, placed in their container (once, when the page starts). */
export function placeFigures(container: HTMLElement): void {
  container.replaceChildren(...FIGURES.map((f) => figureElement(f.id, true)));
}
