/**
 * The heat maps under the charts: where the winning vectors sit, per method at the focused budget,
 * over the patch grid and, for videos, over the frames.
 */
import { heatmap } from '../../charts/charts.ts';
import type { ExperimentResult } from '../../core/experiment.ts';
import { figureElement } from './figures.ts';
import { rowsAtBudget } from './series.ts';

export function drawHeatmaps(maps: HTMLElement, result: ExperimentResult, focus: number | undefined, hidden: readonly string[]): void {
  maps.replaceChildren();
  const figure = (id: string, method: string) => {
    const fig = figureElement(id, false);
    const svg = fig.querySelector('svg')!;
    svg.dataset.method = method;
    maps.append(fig);
    return svg;
  };
  for (const r of rowsAtBudget(result, focus, hidden)) {
    const title = r.budget === null ? 'uncompressed' : `${r.label}, m = ${r.budget}`;
    const grid = r.utilization.grid;
    // Pages of tiles: the page's grid, each tile's patches in place (global-view wins spread over the cells they cover).
    const page = grid?.tileShape ? `; the page, ${grid.tileShape.rows} x ${grid.tileShape.cols} tiles` : grid?.tiles ? `; the page, ${grid.tiles} x ${grid.tiles} tiles` : '';
    if (grid) heatmap(figure(`heatmap-${r.method}`, r.method), grid.count, grid.rows, grid.cols, { title, xLabel: `Gini ${r.utilization.positionGini.toFixed(2)}${page}`, yLabel: '' });
    // Videos: the same wins over frame indices (one row of cells, frame 0 on the left).
    const frames = r.utilization.frames;
    if (frames) heatmap(figure(`frames-${r.method}`, r.method), frames.count, frames.rows, frames.cols, { title: `${title}: frames`, xLabel: 'wins per frame', yLabel: '', height: 120 });
  }
}
