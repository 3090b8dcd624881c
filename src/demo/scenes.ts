/**
 * The built-in demo corpus: pictures of coloured shapes on a white background, rendered in plain
 * JavaScript from a seed (no data to download, licence-clean), with captions that serve as
 * queries and relevance that follows from the scene: a query "red top left" is relevant to every
 * picture with a red shape in its top-left quarter.
 */
import type { Judgments } from '../core/metrics.ts';
import { mulberry32, randomInt, type Rng } from '../core/rng.ts';

export const SHAPE_KINDS = ['circle', 'square', 'triangle'] as const;
export type ShapeKind = (typeof SHAPE_KINDS)[number];

/** Fill colours (sRGB), near the pure colours the teaching model detects. */
export const SCENE_COLOURS: Record<string, [number, number, number]> = {
  red: [220, 24, 24],
  green: [24, 190, 40],
  blue: [30, 40, 220],
  yellow: [235, 215, 20],
  magenta: [215, 30, 210],
  cyan: [20, 205, 215],
  black: [18, 18, 18],
};
const BACKGROUND: [number, number, number] = [250, 250, 250];

export interface SceneShape {
  kind: ShapeKind;
  colour: string;
  /** Quadrant. */
  row: 'top' | 'bottom';
  col: 'left' | 'right';
  /** Centre and radius as fractions of the picture side. */
  cx: number;
  cy: number;
  r: number;
}

export interface Scene {
  id: string;
  shapes: SceneShape[];
}

export function randomScene(id: string, rng: Rng, maxShapes = 2): Scene {
  const colours = Object.keys(SCENE_COLOURS);
  const quadrants = [0, 1, 2, 3];
  const count = 1 + randomInt(rng, maxShapes);
  const shapes: SceneShape[] = [];
  for (let s = 0; s < count; s++) {
    const qi = quadrants.splice(randomInt(rng, quadrants.length), 1)[0];
    const row = qi < 2 ? 'top' : 'bottom';
    const col = qi % 2 === 0 ? 'left' : 'right';
    const r = 0.13 + 0.08 * rng.next();
    const cx = (col === 'left' ? 0.25 : 0.75) + (rng.next() - 0.5) * 0.1;
    const cy = (row === 'top' ? 0.25 : 0.75) + (rng.next() - 0.5) * 0.1;
    shapes.push({ kind: SHAPE_KINDS[randomInt(rng, SHAPE_KINDS.length)], colour: colours[randomInt(rng, colours.length)], row, col, cx, cy, r });
  }
  return { id, shapes };
}

function inside(shape: SceneShape, x: number, y: number): boolean {
  const dx = x - shape.cx;
  const dy = y - shape.cy;
  if (shape.kind === 'circle') return dx * dx + dy * dy <= shape.r * shape.r;
  if (shape.kind === 'square') return Math.abs(dx) <= shape.r * 0.9 && Math.abs(dy) <= shape.r * 0.9;
  // Upward triangle inscribed in the circle of radius r.
  const top = -shape.r;
  const bottom = shape.r * 0.6;
  if (dy < top || dy > bottom) return false;
  const half = ((dy - top) / (bottom - top)) * shape.r * 1.05;
  return Math.abs(dx) <= half;
}

/** Renders a scene to size x size RGBA pixels (4x supersampled edges). */
export function renderScene(scene: Scene, size: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(size * size * 4);
  const ss = 2;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const x = (px + (sx + 0.5) / ss) / size;
          const y = (py + (sy + 0.5) / ss) / size;
          let c = BACKGROUND;
          for (const s of scene.shapes) if (inside(s, x, y)) c = SCENE_COLOURS[s.colour];
          r += c[0];
          g += c[1];
          b += c[2];
        }
      }
      const o = (py * size + px) * 4;
      out[o] = r / (ss * ss);
      out[o + 1] = g / (ss * ss);
      out[o + 2] = b / (ss * ss);
      out[o + 3] = 255;
    }
  }
  return out;
}

export function caption(scene: Scene): string {
  return scene.shapes.map((s) => `a ${s.colour} ${s.kind} at the ${s.row} ${s.col}`).join(' and ');
}

export interface DemoQuery {
  id: string;
  text: string;
}

export interface DemoCorpus {
  seed: number;
  scenes: Scene[];
  /** Short animated clips (see demoClips); empty for demoCorpus. */
  clips: DemoClip[];
  queries: DemoQuery[];
  qrels: Map<string, Judgments>;
}

/**
 * `n` scenes and one query per (colour, quadrant) that occurs in them: "red shape at the top left".
 * Relevance: grade 1 for every scene with a shape of that colour in that quadrant.
 */
export function demoCorpus(n: number, seed = 1): DemoCorpus {
  const rng = mulberry32(seed);
  const scenes = Array.from({ length: n }, (_, i) => randomScene(`scene-${String(i).padStart(3, '0')}.png`, rng));
  const qrels = new Map<string, Map<string, number>>();
  const queries: DemoQuery[] = [];
  for (const scene of scenes) {
    for (const s of scene.shapes) {
      const id = `${s.colour}-${s.row}-${s.col}`;
      if (!qrels.has(id)) {
        qrels.set(id, new Map());
        queries.push({ id, text: `${s.colour} shape at the ${s.row} ${s.col}` });
      }
      qrels.get(id)!.set(scene.id, 1);
    }
  }
  queries.sort((a, b) => a.id.localeCompare(b.id));
  return { seed, scenes, clips: [], queries, qrels };
}

/** A clip: one shape moving in a straight line from one quadrant to a neighbouring one. */
export interface DemoClip {
  id: string;
  kind: ShapeKind;
  colour: string;
  from: { row: 'top' | 'bottom'; col: 'left' | 'right' };
  to: { row: 'top' | 'bottom'; col: 'left' | 'right' };
  r: number;
  /** Frames per second of the generated clip (its length is frames / fps). */
  fps: number;
}

const centre = (q: { row: string; col: string }) => ({ x: q.col === 'left' ? 0.25 : 0.75, y: q.row === 'top' ? 0.25 : 0.75 });

export function demoClips(n: number, seed = 1): DemoClip[] {
  const rng = mulberry32(seed * 7919 + 17);
  const colours = Object.keys(SCENE_COLOURS);
  return Array.from({ length: n }, (_, i) => {
    const from = { row: rng.next() < 0.5 ? 'top' : 'bottom', col: rng.next() < 0.5 ? 'left' : 'right' } as const;
    const horizontal = rng.next() < 0.5;
    const to = horizontal ? { row: from.row, col: from.col === 'left' ? 'right' : 'left' } as const : { row: from.row === 'top' ? 'bottom' : 'top', col: from.col } as const;
    return { id: `clip-${String(i).padStart(2, '0')}`, kind: SHAPE_KINDS[randomInt(rng, 3)], colour: colours[randomInt(rng, colours.length)], from, to, r: 0.18, fps: 8 };
  });
}

/** The scene shown at frame i of `frames` (the shape moves from its start to its end quadrant). */
export function clipScene(clip: DemoClip, i: number, frames: number): Scene {
  const a = centre(clip.from);
  const b = centre(clip.to);
  const t = frames > 1 ? i / (frames - 1) : 0;
  const cx = a.x + (b.x - a.x) * t;
  const cy = a.y + (b.y - a.y) * t;
  return { id: `${clip.id}#${i}`, shapes: [{ kind: clip.kind, colour: clip.colour, row: cy < 0.5 ? 'top' : 'bottom', col: cx < 0.5 ? 'left' : 'right', cx, cy, r: clip.r }] };
}

/** Scenes and clips together; a clip is relevant to both quadrants it passes through. */
export function demoCorpusWithClips(nScenes: number, nClips: number, seed = 1): DemoCorpus {
  const base = demoCorpus(nScenes, seed);
  const clips = demoClips(nClips, seed);
  const byId = new Map(base.queries.map((q) => [q.id, q]));
  for (const clip of clips) {
    for (const q of [clip.from, clip.to]) {
      const id = `${clip.colour}-${q.row}-${q.col}`;
      if (!byId.has(id)) {
        const query = { id, text: `${clip.colour} shape at the ${q.row} ${q.col}` };
        byId.set(id, query);
        base.qrels.set(id, new Map());
      }
      (base.qrels.get(id) as Map<string, number>).set(clip.id, 1);
    }
  }
  return { ...base, clips, queries: [...byId.values()].sort((a, b) => a.id.localeCompare(b.id)) };
}
