/** A heat map over a grid (MaxSim wins over the patch grid, or over frames). */
import * as d3 from 'd3';
import { fmt, frame, type ChartOptions } from './frame.ts';

/** A rows x cols heat map (e.g. MaxSim wins over the patch grid). */
export function heatmap(svg: SVGSVGElement, values: ArrayLike<number>, rows: number, cols: number, opts: ChartOptions): void {
  const { root, margin } = frame(svg, { ...opts, width: opts.width ?? 240, height: opts.height ?? 260 });
  const size = Math.min(200 / cols, 200 / rows);
  const g = root.append('g').attr('transform', `translate(${20},${margin.top + 4})`);
  const max = Math.max(1e-12, ...Array.from(values).filter(Number.isFinite));
  const colour = d3.scaleSequential(d3.interpolateViridis).domain([0, max]);
  const cells = Array.from({ length: rows * cols }, (_, i) => ({ r: Math.floor(i / cols), c: i % cols, v: values[i] }));
  g.selectAll('rect')
    .data(cells)
    .join('rect')
    .attr('class', 'cell')
    .attr('x', (d) => d.c * size)
    .attr('y', (d) => d.r * size)
    .attr('width', size)
    .attr('height', size)
    .attr('fill', (d) => (Number.isFinite(d.v) ? colour(d.v) : '#eee'))
    .attr('data-row', (d) => d.r)
    .attr('data-col', (d) => d.c)
    .attr('data-y', (d) => d.v)
    .append('title')
    .text((d) => `row ${d.r}, column ${d.c}: ${fmt(d.v)}`);
  // "Gini 0.84; the page, 4 x 3 tiles": the part after "; " on a line of its own (one line was cut off at the figure's edge).
  const [first, ...rest] = opts.xLabel.split('; ');
  const y = margin.top + 4 + rows * size + 14;
  const label = root.append('text').attr('x', 20).attr('y', y).text(`${first} (max ${fmt(max)})`);
  if (rest.length) label.append('tspan').attr('x', 20).attr('dy', 13).text(rest.join('; '));
}

