// @vitest-environment happy-dom
/**
 * Chart rendering without a browser: each chart drawn from fixed data into a DOM-library SVG and
 * compared with its committed fixture (test/charts/__fixtures__, which doubles as a gallery), plus
 * the figures a reader relies on: every point carries its values, bands sit at their intervals,
 * the focused budget is marked.
 */
import { describe, expect, it } from 'vitest';
import { barChart, heatmap, lineChart, type Series } from '../../src/charts/charts.ts';

const svg = () => document.createElementNS('http://www.w3.org/2000/svg', 'svg') as SVGSVGElement;
const round = (text: string) => text.replace(/(\d+\.\d{2})\d+/g, '$1');

const series: Series[] = [
  { id: 'agc', label: 'AGC', colour: '#2ca02c', points: [{ x: 4, y: 0.5, key: 'm=4', lo: 0.4, hi: 0.6 }, { x: 16, y: 0.8, key: 'm=16', lo: 0.7, hi: 0.9, focus: true }] },
  { id: 'uniform', label: 'Uniform pool', colour: '#8c564b', points: [{ x: 4, y: 0.2, key: 'm=4' }, { x: 16, y: 0.6, key: 'm=16', focus: true }] },
];

describe('charts', () => {
  it('line chart: one series per method, values on every point, interval band, focus rule; snapshot', async () => {
    const el = svg();
    lineChart(el, series, { title: 'ndcg@10 against budget m', xLabel: 'm', yLabel: 'ndcg@10', xScale: 'log2', yDomain: [0, 1], references: [{ label: 'uncompressed', y: 0.9 }], focusX: 16, focusLabel: 'm = 16', legend: false, width: 400, height: 260 });
    expect([...el.querySelectorAll('g.series')].map((g) => g.getAttribute('data-series'))).toEqual(['agc', 'uniform']);
    const focus = [...el.querySelectorAll('circle.focus')].map((c) => [c.closest('g.series')!.getAttribute('data-series'), c.getAttribute('data-key'), c.getAttribute('data-y')]);
    expect(focus).toEqual([['agc', 'm=16', '0.8'], ['uniform', 'm=16', '0.6']]);
    expect(el.querySelector('g.focus-rule')!.getAttribute('data-x')).toBe('16');
    // A band only where intervals exist: AGC has one, uniform pooling none.
    expect(el.querySelectorAll('g.series[data-series="agc"] path.band')).toHaveLength(1);
    expect(el.querySelectorAll('g.series[data-series="uniform"] path.band')).toHaveLength(0);
    expect(el.querySelector('circle[data-key="m=4"]')!.getAttribute('data-lo')).toBe('0.4');
    expect(el.querySelector('g.reference')!.getAttribute('data-y')).toBe('0.9');
    expect(el.querySelectorAll('.legend-item')).toHaveLength(0);
    await expect(round(el.outerHTML)).toMatchFileSnapshot('__fixtures__/line.svg');
  });

  it('line chart for export carries its own legend; a scatter draws whiskers, not bands', () => {
    const el = svg();
    lineChart(el, series.map((s) => ({ ...s, line: false })), { title: 't', xLabel: 'x', yLabel: 'y', legend: true });
    expect([...el.querySelectorAll('.legend-item text')].map((t) => t.textContent)).toEqual(['AGC', 'Uniform pool']);
    expect(el.querySelectorAll('path.band')).toHaveLength(0);
    expect(el.querySelectorAll('line.whisker')).toHaveLength(2);
  });

  it('bar chart: a bar per method with its value; snapshot', async () => {
    const el = svg();
    barChart(el, [{ id: 'none', label: 'uncompressed', value: 0.04, colour: '#1f77b4' }, { id: 'agc', label: 'AGC', value: 0.15, colour: '#2ca02c' }], { title: 'active (m = 16)', xLabel: 'active fraction', yLabel: '', yDomain: [0, 1], legend: false, width: 400 });
    expect([...el.querySelectorAll('g.series rect')].map((r) => r.getAttribute('data-y'))).toEqual(['0.04', '0.15']);
    await expect(round(el.outerHTML)).toMatchFileSnapshot('__fixtures__/bar.svg');
  });

  it('heat map: one cell per patch, row-major, the largest value brightest', () => {
    const el = svg();
    heatmap(el, [0, 1, 2, 3, 4, 5], 2, 3, { title: 'wins', xLabel: 'Gini 0.3', yLabel: '' });
    const cells = [...el.querySelectorAll('rect.cell')];
    expect(cells.map((c) => `${c.getAttribute('data-row')},${c.getAttribute('data-col')}=${c.getAttribute('data-y')}`)).toEqual(['0,0=0', '0,1=1', '0,2=2', '1,0=3', '1,1=4', '1,2=5']);
    // viridis: 0 is dark purple, the maximum is yellow.
    expect(cells[0].getAttribute('fill')).toBe('#440154');
    expect(cells[5].getAttribute('fill')).toBe('#fde725');
  });
});
