/** Horizontal bars: one value per category (e.g. the active fraction per method). */
import * as d3 from 'd3';
import { colourOf, fmt, frame, type ChartOptions } from './frame.ts';

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

