/**
 * d3 charts, each a small function that owns one <svg> and redraws it from data. Every series is a
 * <g class="series" data-series="..."> and every point carries its values (data-x, data-y and a
 * data-key), so tests and exports read the figures from the chart itself.
 */
import * as d3 from 'd3';

export interface Point {
  x: number;
  y: number;
  /** What the point is (e.g. "m=16"), shown in its tooltip and data-key. */
  key: string;
  hollow?: boolean;
  /** A 95% interval around y (drawn as a band along a line, or a whisker on a scatter point). */
  lo?: number;
  hi?: number;
  /** Drawn larger: the point at the budget the slider points at. */
  focus?: boolean;
}

const dash = (d: boolean | string | undefined) => (typeof d === 'string' ? d : d ? '5 3' : null);

export interface Series {
  id: string;
  label: string;
  /** Stroke and fill; by default a palette colour by position. */
  colour?: string;
  points: Point[];
  /** true for '5 3', or an SVG dash pattern of its own. */
  dashed?: boolean | string;
  /** Draw the connecting line (false for scatter). */
  line?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  xScale?: 'linear' | 'log2' | 'log10';
  yDomain?: [number, number];
  /** Horizontal reference lines, e.g. the uncompressed index. */
  references?: { label: string; y: number }[];
  width?: number;
  height?: number;
  /** Draw the legend inside the SVG, on the right (the page uses one shared legend instead; exports keep it). */
  legend?: boolean;
  /** A vertical rule at this x (the focused budget), labelled `focusLabel`. */
  focusX?: number;
  focusLabel?: string;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

/** A stable colour per series id. */
export function colourOf(id: string, ids: readonly string[]): string {
  const i = ids.indexOf(id);
  return PALETTE[(i < 0 ? 0 : i) % PALETTE.length];
}

const fmt = (v: number) => (Math.abs(v) >= 1000 ? d3.format('.3~s')(v) : d3.format('.3~g')(v));

function frame(svg: SVGSVGElement, opts: ChartOptions) {
  const width = opts.width ?? 460;
  const height = opts.height ?? 300;
  const margin = { top: 28, right: opts.legend === false ? 16 : 150, bottom: 44, left: 54 };
  const root = d3.select(svg);
  root.selectAll('*').remove();
  root
    .attr('viewBox', `0 0 ${width} ${height}`)
    .attr('width', width)
    .attr('height', height)
    .attr('role', 'img')
    .attr('aria-label', opts.title)
    .attr('xmlns', 'http://www.w3.org/2000/svg')
    .style('font', '11px system-ui, sans-serif');
  root.append('rect').attr('width', width).attr('height', height).attr('fill', 'white');
  root.append('text').attr('class', 'title').attr('x', margin.left).attr('y', 16).attr('font-weight', 600).attr('font-size', 13).text(opts.title);
  return { root, width, height, margin, inner: { w: width - margin.left - margin.right, h: height - margin.top - margin.bottom } };
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
  const ids = series.map((s) => s.id);
  const line = d3
    .line<Point>()
    .defined((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
    .x((p) => x(p.x))
    .y((p) => y(p.y));
  if (opts.focusX !== undefined && Number.isFinite(x(opts.focusX))) {
    const f = g.append('g').attr('class', 'focus-rule').attr('data-x', opts.focusX);
    f.append('line').attr('x1', x(opts.focusX)).attr('x2', x(opts.focusX)).attr('y1', 0).attr('y2', inner.h).attr('stroke', '#b8860b').attr('stroke-width', 1.5).attr('stroke-dasharray', '3 3');
    f.append('text').attr('x', x(opts.focusX) + 4).attr('y', 10).attr('fill', '#7a5a00').text(opts.focusLabel ?? fmt(opts.focusX));
  }
  const banded = (p: Point) => Number.isFinite(p.x) && Number.isFinite(p.lo) && Number.isFinite(p.hi);
  const area = d3
    .area<Point>()
    .x((p) => x(p.x))
    .y0((p) => y(p.lo!))
    .y1((p) => y(p.hi!));
  series.forEach((s, i) => {
    const colour = s.colour ?? colourOf(s.id, ids);
    const sg = g.append('g').attr('class', 'series').attr('data-series', s.id).attr('data-label', s.label);
    const withBands = s.points.filter(banded).sort((a, b) => a.x - b.x);
    if (withBands.length > 1 && s.line !== false) {
      sg.append('path').attr('class', 'band').attr('d', area(withBands)).attr('fill', colour).attr('fill-opacity', 0.09).attr('stroke', 'none');
    } else {
      for (const p of withBands) {
        sg.append('line').attr('class', 'whisker').attr('x1', x(p.x)).attr('x2', x(p.x)).attr('y1', y(p.lo!)).attr('y2', y(p.hi!)).attr('stroke', colour).attr('stroke-opacity', 0.6);
      }
    }
    if (s.line !== false) {
      sg.append('path')
        .attr('d', line([...s.points].sort((a, b) => a.x - b.x)))
        .attr('fill', 'none')
        .attr('stroke', colour)
        .attr('stroke-width', 1.8)
        .attr('stroke-dasharray', dash(s.dashed));
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
    if (opts.legend === false) return;
    const ly = 8 + i * 15;
    const legend = root.append('g').attr('class', 'legend-item').attr('transform', `translate(${margin.left + inner.w + 12},${margin.top + ly})`);
    legend.append('line').attr('x1', 0).attr('x2', 16).attr('stroke', colour).attr('stroke-width', 2).attr('stroke-dasharray', dash(s.dashed));
    legend.append('text').attr('x', 20).attr('y', 4).text(s.label);
  });
}

function uniqueSorted(v: number[]): number[] {
  return [...new Set(v)].sort((a, b) => a - b);
}

/** Horizontal bars: one value per category. */
export function barChart(svg: SVGSVGElement, bars: { id: string; label: string; value: number; colour?: string }[], opts: ChartOptions): void {
  const { root, margin, inner } = frame(svg, { ...opts, height: opts.height ?? Math.max(140, 60 + bars.length * 22) });
  const g = root.append('g').attr('transform', `translate(${margin.left + 60},${margin.top})`);
  const w = inner.w - 60 - (opts.legend === false ? 40 : -110);
  const x = d3.scaleLinear().domain(opts.yDomain ?? [0, Math.max(1e-9, d3.max(bars, (b) => b.value) ?? 1)]).range([0, w]);
  const y = d3.scaleBand().domain(bars.map((b) => b.id)).range([0, inner.h]).padding(0.2);
  g.append('g').attr('class', 'x-axis').attr('transform', `translate(0,${inner.h})`).call(d3.axisBottom(x).ticks(5));
  g.append('text').attr('x', w / 2).attr('y', inner.h + 36).attr('text-anchor', 'middle').text(opts.xLabel);
  const ids = bars.map((b) => b.id);
  const sg = g.selectAll('g.series').data(bars).join('g').attr('class', 'series').attr('data-series', (b) => b.id).attr('data-label', (b) => b.label);
  sg.append('rect')
    .attr('x', 0)
    .attr('y', (b) => y(b.id)!)
    .attr('height', y.bandwidth())
    .attr('width', (b) => x(Number.isFinite(b.value) ? b.value : 0))
    .attr('fill', (b) => b.colour ?? colourOf(b.id, ids))
    .attr('data-y', (b) => b.value);
  sg.append('text').attr('x', -6).attr('y', (b) => y(b.id)! + y.bandwidth() / 2 + 4).attr('text-anchor', 'end').text((b) => b.label);
  sg.append('text').attr('x', (b) => x(Number.isFinite(b.value) ? b.value : 0) + 4).attr('y', (b) => y(b.id)! + y.bandwidth() / 2 + 4).text((b) => fmt(b.value));
}

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
  root.append('text').attr('x', 20).attr('y', margin.top + 4 + rows * size + 14).text(`${opts.xLabel} (max ${fmt(max)})`);
}

/** The SVG as a standalone file. */
export function svgText(svg: SVGSVGElement): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(svg)}`;
}

/** Rasterises an SVG to a PNG blob at `scale` x. */
export async function svgToPng(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const w = Number(svg.getAttribute('width'));
  const h = Number(svg.getAttribute('height'));
  const img = new Image();
  const url = URL.createObjectURL(new Blob([svgText(svg)], { type: 'image/svg+xml' }));
  try {
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = w * scale;
    canvas.height = h * scale;
    const ctx = canvas.getContext('2d')!;
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0);
    return await new Promise<Blob>((r, j) => canvas.toBlob((b) => (b ? r(b) : j(new Error('PNG encoding failed'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}
