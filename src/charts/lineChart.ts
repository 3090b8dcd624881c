/** Lines (or a scatter) of y against x, one series per method, with interval bands and the focused budget. */
import * as d3 from 'd3';
import { colourOf, dash, fmt, frame, type ChartOptions, type Point, type Series } from './frame.ts';

type Scale = (v: number) => number;
type G = d3.Selection<SVGGElement, unknown, null, undefined>;

/** x (linear, or log with base 2 or 10 around the points) and y (the given domain, or the points' and references' span). */
function scales(pts: Point[], opts: ChartOptions, inner: { w: number; h: number }) {
  const [x0, x1] = d3.extent(pts, (p) => p.x) as [number, number];
  const x =
    opts.xScale === 'log2' || opts.xScale === 'log10'
      ? d3.scaleLog().base(opts.xScale === 'log2' ? 2 : 10).domain([x0 / 1.3, x1 * 1.3]).range([0, inner.w])
      : d3.scaleLinear().domain([x0, x1 === x0 ? x0 + 1 : x1]).nice().range([0, inner.w]);
  const ys = [...pts.map((p) => p.y), ...(opts.references ?? []).map((r) => r.y)];
  const y = d3
    .scaleLinear()
    .domain(opts.yDomain ?? [Math.min(0, d3.min(ys)!), Math.max(1e-9, d3.max(ys)!)])
    .nice()
    .range([inner.h, 0]);
  return { x, y };
}

/** Axes, their labels, the reference lines and the focused x (the budget slider's). */
function decorations(g: G, pts: Point[], x: ReturnType<typeof scales>['x'], y: Scale & d3.AxisScale<number>, opts: ChartOptions, inner: { w: number; h: number }): void {
  const xAxis = opts.xScale === 'log2' ? d3.axisBottom(x).tickValues(uniqueSorted(pts.map((p) => p.x))).tickFormat((v) => fmt(Number(v))) : d3.axisBottom(x).ticks(5, opts.xScale === 'log10' ? '~s' : undefined);
  g.append('g').attr('class', 'x-axis').attr('transform', `translate(0,${inner.h})`).call(xAxis);
  g.append('g').attr('class', 'y-axis').call(d3.axisLeft(y).ticks(5));
  g.append('text').attr('x', inner.w / 2).attr('y', inner.h + 36).attr('text-anchor', 'middle').text(opts.xLabel);
  g.append('text').attr('transform', 'rotate(-90)').attr('x', -inner.h / 2).attr('y', -40).attr('text-anchor', 'middle').text(opts.yLabel);
  for (const ref of opts.references ?? []) {
    const r = g.append('g').attr('class', 'reference').attr('data-label', ref.label).attr('data-y', ref.y);
    r.append('line').attr('x1', 0).attr('x2', inner.w).attr('y1', y(ref.y)).attr('y2', y(ref.y)).attr('stroke', '#555').attr('stroke-dasharray', '4 3');
    r.append('text').attr('x', inner.w - 2).attr('y', y(ref.y) - 3).attr('text-anchor', 'end').attr('fill', '#555').text(ref.label);
  }
  if (opts.focusX !== undefined && Number.isFinite(x(opts.focusX))) {
    const f = g.append('g').attr('class', 'focus-rule').attr('data-x', opts.focusX);
    f.append('line').attr('x1', x(opts.focusX)).attr('x2', x(opts.focusX)).attr('y1', 0).attr('y2', inner.h).attr('stroke', '#b8860b').attr('stroke-width', 1.5).attr('stroke-dasharray', '3 3');
    f.append('text').attr('x', x(opts.focusX) + 4).attr('y', 10).attr('fill', '#7a5a00').text(opts.focusLabel ?? fmt(opts.focusX));
  }
}

/** One series: its interval band (or whiskers), its line, and its points with their exact values as titles. */
function drawSeries(sg: G, s: Series, colour: string, x: Scale, y: Scale): void {
  const banded = (p: Point) => Number.isFinite(p.x) && Number.isFinite(p.lo) && Number.isFinite(p.hi);
  const withBands = s.points.filter(banded).sort((a, b) => a.x - b.x);
  if (withBands.length > 1 && s.line !== false) {
    const area = d3.area<Point>().x((p) => x(p.x)).y0((p) => y(p.lo!)).y1((p) => y(p.hi!));
    sg.append('path').attr('class', 'band').attr('d', area(withBands)).attr('fill', colour).attr('fill-opacity', 0.09).attr('stroke', 'none');
  } else {
    for (const p of withBands) sg.append('line').attr('class', 'whisker').attr('x1', x(p.x)).attr('x2', x(p.x)).attr('y1', y(p.lo!)).attr('y2', y(p.hi!)).attr('stroke', colour).attr('stroke-opacity', 0.6);
  }
  if (s.line !== false) {
    const line = d3.line<Point>().defined((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).x((p) => x(p.x)).y((p) => y(p.y));
    sg.append('path').attr('d', line([...s.points].sort((a, b) => a.x - b.x))).attr('fill', 'none').attr('stroke', colour).attr('stroke-width', 1.8).attr('stroke-dasharray', dash(s.dashed));
  }
  sg.selectAll('circle')
    .data(s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)))
    .join('circle')
    .attr('cx', (p) => x(p.x))
    .attr('cy', (p) => y(p.y))
    .attr('r', (p) => (p.focus ? 6 : 3.5))
    .attr('class', (p) => (p.focus ? 'focus' : null))
    .attr('fill', (p) => (p.hollow ? 'white' : colour))
    .attr('stroke', (p) => (p.focus ? '#222' : colour))
    .attr('stroke-width', (p) => (p.focus ? 1.5 : 1))
    .attr('data-x', (p) => p.x)
    .attr('data-y', (p) => p.y)
    .attr('data-key', (p) => p.key)
    .attr('data-lo', (p) => p.lo ?? null)
    .attr('data-hi', (p) => p.hi ?? null)
    .append('title')
    .text((p) => `${s.label}, ${p.key}: ${fmt(p.y)}${Number.isFinite(p.lo) ? ` [${fmt(p.lo!)}, ${fmt(p.hi!)}]` : ''} at ${fmt(p.x)}`);
}

/** Lines (or a scatter) of y against x, one series per method. */
export function lineChart(svg: SVGSVGElement, series: Series[], opts: ChartOptions): void {
  const { root, margin, inner } = frame(svg, opts);
  const pts = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const g = root.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
  if (pts.length === 0) {
    g.append('text').attr('x', inner.w / 2).attr('y', inner.h / 2).attr('text-anchor', 'middle').text('No data');
    return;
  }
  const { x, y } = scales(pts, opts, inner);
  decorations(g, pts, x, y, opts, inner);
  const ids = series.map((s) => s.id);
  series.forEach((s, i) => {
    const colour = s.colour ?? colourOf(s.id, ids);
    drawSeries(g.append('g').attr('class', 'series').attr('data-series', s.id).attr('data-label', s.label), s, colour, x, y);
    if (opts.legend === false) return;
    const legend = root.append('g').attr('class', 'legend-item').attr('transform', `translate(${margin.left + inner.w + 12},${margin.top + 8 + i * 15})`);
    legend.append('line').attr('x1', 0).attr('x2', 16).attr('stroke', colour).attr('stroke-width', 2).attr('stroke-dasharray', dash(s.dashed));
    legend.append('text').attr('x', 20).attr('y', 4).text(s.label);
  });
}

function uniqueSorted(v: number[]): number[] {
  return [...new Set(v)].sort((a, b) => a - b);
}

