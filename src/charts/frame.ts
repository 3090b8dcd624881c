/**
 * What every chart shares: the data types, the options (each documented where it is declared),
 * the colour per series, number formatting, and the frame (size, title, white background).
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

export const dash = (d: boolean | string | undefined) => (typeof d === 'string' ? d : d ? '5 3' : null);

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

export const fmt = (v: number) => (Math.abs(v) >= 1000 ? d3.format('.3~s')(v) : d3.format('.3~g')(v));

export function frame(svg: SVGSVGElement, opts: ChartOptions) {
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

