/**
 * One similarity map: a picture (or frames) with every patch coloured by its stored vector's
 * similarity to the chosen query token, or a passage with every word coloured; winners outlined.
 */
import type { MultiVector } from '../../core/multivector.ts';
import type { SimilarityMap } from '../../core/similarityMap.ts';
import { PatchCanvas } from '../patchCanvas.ts';
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
export function pictureMapFigure(doc: MultiVector, pics: Pictures, centerCrop: boolean, p: MapPanel, t: number, colour: (v: number) => string): HTMLElement {
  const fig = document.createElement('figure');
  const canvas = Object.assign(document.createElement('canvas'), { width: 288, height: 288 });
  canvas.setAttribute('role', 'img');
  const contribution = contributionOf(p.map, t);
  canvas.setAttribute('aria-label', `${p.title}: similarity map of ${whatOf(t)} on ${doc.id}; MaxSim ${contribution.toFixed(3)}`);
  Object.assign(canvas.dataset, { doc: doc.id, title: p.title, token: String(t), stored: String(p.map.stored), score: String(contribution), winners: Array.from(p.won).join(',') });
  const ctx = canvas.getContext('2d')!;
  const per = Math.ceil(Math.sqrt(pics.length));
  const size = canvas.width / per;
  pics.forEach((pic, k) => {
    const area = { x: (k % per) * size, y: Math.floor(k / per) * size, size: size - (per > 1 ? 3 : 0), tokens: pic.frame < 0 ? undefined : (i: number) => doc.positions?.frame?.[i] === pic.frame };
    const pc = new PatchCanvas(ctx, doc, pic.image, centerCrop, area);
    pc.base();
    ctx.globalAlpha = 0.62;
    for (const i of pc.tokens) {
      const { x, y } = pc.cell(i);
      ctx.fillStyle = Number.isFinite(p.values[i]) ? colour(p.values[i]) : '#ccc';
      ctx.fillRect(x, y, pc.cw, pc.ch);
    }
    ctx.globalAlpha = 1;
    for (const i of pc.tokens) if (p.won.has(p.map.assignments[i])) pc.outline(i, '#00e5ff', per > 1 ? 1.5 : 2.5, 1);
  });
  fig.append(canvas, caption(p, t));
  return fig;
}
