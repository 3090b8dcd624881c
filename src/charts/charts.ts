/**
 * The page's d3 charts, one module each: a chart is a function that owns one <svg> and redraws it
 * from data and options. Every series is a <g class="series" data-series="..."> and every point
 * carries its values (data-x, data-y, data-key, and data-lo / data-hi for intervals), so tests and
 * exports read the figures from the chart itself. Tested without a browser (test/charts/).
 */
export { colourOf, type ChartOptions, type Point, type Series } from './frame.ts';
export { lineChart } from './lineChart.ts';
export { barChart } from './barChart.ts';
export { heatmap } from './heatmap.ts';
export { svgText, svgToPng } from './export.ts';
