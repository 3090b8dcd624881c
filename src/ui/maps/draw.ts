/**
 * One similarity map: a picture (or frames) with every patch coloured by its stored vector's
 * similarity to the chosen query token, or a passage with every word coloured; winners outlined.
 */
import * as d3 from 'd3';
import type { MultiVector } from '../../core/multivector.ts';
import type { SimilarityMap } from '../../core/similarityMap.ts';
import { canvasHeightFor, PatchCanvas } from '../patchCanvas.ts';
import type { pictures } from '../pictures.ts';
import { renderPassage } from '../textView.ts';

export type DocMap = SimilarityMap & { docId: string; stored: number; assignments: Int32Array };
type Pictures = Awaited<ReturnType<typeof pictures>>;

/** Values per input token for token `t` (or the mean over query tokens when t < 0), and the winning stored vectors. */
export function mapValues(map: DocMap, t: number): { values: Float32Array; won: Set<number> } {
  const values = new Float32Array(map.n);
  for (let i = 0; i < map.n; i++) {
    if (t >= 0) values[i] = map.sims[t * map.n + i];
    else {
      let s = 0;
      for (let q = 0; q < map.qn; q++) s += map.sims[q * map.n + i];
      values[i] = s / map.qn;
    }
  }
  return { values, won: new Set(t >= 0 ? [map.winners[t]] : Array.from(map.winners)) };
}

/** The MaxSim contribution of token t (or the whole score when t < 0). */
export const contributionOf = (map: DocMap, t: number): number => (t >= 0 ? map.best[t] : map.best.reduce((s, v) => s + v, 0));

export interface MapPanel {
  title: string;
  map: DocMap;
  values: Float32Array;
  won: Set<number>;
}

function caption(p: MapPanel, t: number): HTMLElement {
  return Object.assign(document.createElement('figcaption'), { textContent: `${p.title}: ${p.map.stored} stored vectors; MaxSim ${t >= 0 ? `of token ${t + 1}` : 'score'} ${contributionOf(p.map, t).toFixed(3)}` });
}

const whatOf = (t: number) => (t >= 0 ? `query token ${t + 1}` : 'the whole query');

/** A passage with each token coloured by its similarity. */
export function textMapFigure(doc: MultiVector, p: MapPanel, t: number, colour: (v: number) => string): HTMLElement {
  const fig = document.createElement('figure');
  const box = Object.assign(document.createElement('div'), { className: 'side-text map-text' });
  box.setAttribute('role', 'img');
  box.setAttribute('aria-label', `${p.title}: similarity of ${whatOf(t)} to each word of ${doc.id}; MaxSim ${contributionOf(p.map, t).toFixed(3)}`);
  renderPassage(box, doc, { assignments: p.map.assignments, stored: p.map.stored, won: p.won, heat: (i) => (Number.isFinite(p.values[i]) ? colour(p.values[i]) : '#ccc') });
  Object.assign(box.dataset, { title: p.title, token: String(t), stored: String(p.map.stored), score: String(contributionOf(p.map, t)), winners: Array.from(p.won).join(',') });
  fig.append(box, caption(p, t));
  return fig;
}

/** The picture (or each frame) with its patches coloured by similarity. */
export function pictureMapFigure(doc: MultiVector, pics: Pictures, centerCrop: boolean, p: MapPanel, t: number, colour: (v: number) => string, width = 288): HTMLElement {
  const fig = document.createElement('figure');
  const still = pics.length === 1 && pics[0].frame < 0;
  // A still picture at its aspect ratio (tiles beside the global view); frames in a square grid.
  const canvas = Object.assign(document.createElement('canvas'), { width, height: still ? canvasHeightFor(doc, pics[0].image, width) : width });
  canvas.setAttribute('role', 'img');
  const contribution = contributionOf(p.map, t);
  canvas.setAttribute('aria-label', `${p.title}: similarity map of ${whatOf(t)} on ${doc.id}; MaxSim ${contribution.toFixed(3)}`);
  Object.assign(canvas.dataset, { doc: doc.id, title: p.title, token: String(t), stored: String(p.map.stored), score: String(contribution), winners: Array.from(p.won).join(',') });
  const ctx = canvas.getContext('2d')!;
  const per = Math.ceil(Math.sqrt(pics.length));
  const size = canvas.width / per;
  let placed = 0;
  pics.forEach((pic, k) => {
    const area = still ? undefined : { x: (k % per) * size, y: Math.floor(k / per) * size, w: size - (per > 1 ? 3 : 0), h: size - (per > 1 ? 3 : 0), tokens: (i: number) => doc.positions?.frame?.[i] === pic.frame };
    const pc = new PatchCanvas(ctx, doc, pic.image, centerCrop, area);
    pc.base();
    for (const i of pc.tokens) pc.paint(i, Number.isFinite(p.values[i]) ? colour(p.values[i]) : '#ccc', 0.62);
    for (const i of pc.tokens) if (p.won.has(p.map.assignments[i])) pc.outline(i, '#00e5ff', per > 1 ? 1.5 : 2.5, 1);
    placed += pc.tokens.length;
  });
  // How many of the document's vectors the drawing places (tiles and global view; text tokens are not on the page).
  canvas.dataset.placed = String(placed);
  fig.append(canvas);
  if (doc.tokenLabels) fig.append(promptChips(doc, p, colour));
  fig.append(caption(p, t));
  return fig;
}

/**
 * The prompt tokens a visual late-interaction page keeps beside its image tokens (ColModernVBERT:
 * "<fake_token_around_image>", "<row_1_col_1>", "describe", ...): not on the page, so shown as
 * chips under it, coloured and outlined as the patches are.
 */
function promptChips(doc: MultiVector, p: MapPanel, colour: (v: number) => string): HTMLElement {
  const box = Object.assign(document.createElement('div'), { className: 'side-text map-prompt' });
  const rows = doc.positions?.row;
  const chips: (HTMLElement | Text)[] = [];
  doc.tokenLabels!.forEach((label, i) => {
    if ((rows?.[i] ?? -1) >= 0) return;
    const chip = Object.assign(document.createElement('span'), { className: 'tok chip', textContent: label });
    chip.style.background = Number.isFinite(p.values[i]) ? colour(p.values[i]) : '#ccc';
    if (p.won.has(p.map.assignments[i])) chip.classList.add('won');
    chip.title = `prompt token ${i + 1}: similarity ${p.values[i].toFixed(3)}`;
    chips.push(chip, document.createTextNode(' '));
  });
  box.setAttribute('aria-label', `${p.title}: the ${chips.length / 2} prompt tokens kept beside the image tokens, coloured by similarity`);
  box.dataset.prompt = String(chips.length / 2);
  box.append(Object.assign(document.createElement('span'), { className: 'map-prompt-title', textContent: 'Prompt tokens (kept, not on the page): ' }), ...chips);
  return box;
}

/** Narrowest range the colours stretch over (similarity units): values that barely differ are not painted as hot and cold. */
export const MIN_SPAN = 0.05;

/** The colour scale's range: 0 to 1 (absolute), or the values' own range, widened around its middle to at least MIN_SPAN. */
export function mapDomain(values: readonly number[], kind: 'doc' | 'abs'): [number, number] {
  if (kind === 'abs' || values.length === 0) return [0, 1];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi - lo < MIN_SPAN) {
    const mid = (lo + hi) / 2;
    [lo, hi] = [mid - MIN_SPAN / 2, mid + MIN_SPAN / 2];
  }
  return [lo, hi];
}

/** The colour legend under the maps: the scale's range with its values, and what it measures. */
export function drawLegend(box: HTMLElement, domain: [number, number], kind: 'doc' | 'abs', t: number): void {
  const bar = Object.assign(document.createElement('canvas'), { width: 220, height: 12 });
  const ctx = bar.getContext('2d')!;
  for (let x = 0; x < bar.width; x++) {
    ctx.fillStyle = d3.interpolateInferno(x / (bar.width - 1));
    ctx.fillRect(x, 0, 1, bar.height);
  }
  const [lo, hi] = domain;
  const span = (text: string) => Object.assign(document.createElement('span'), { textContent: text });
  box.replaceChildren(span(lo.toFixed(3)), bar, span(hi.toFixed(3)), span(`similarity of ${whatOf(t)} to each patch or word; ${kind === 'abs' ? 'the same scale for every document (values below 0 drawn as 0)' : "this document's own range (switch to absolute to compare documents)"}`));
  box.setAttribute('aria-label', `Colour legend: ${lo.toFixed(3)} (dark) to ${hi.toFixed(3)} (bright)`);
  Object.assign(box.dataset, { lo: String(lo), hi: String(hi) });
}
