/**
 * Seeded synthetic corpora with planted structure, for comparing and testing compression methods
 * with no model at all.
 *
 * What it models. Each document is an image (a rows x cols patch grid) or a video (frames of such
 * grids). Most tokens are BACKGROUND: two scene directions shared across the corpus (think sky and
 * floor), one per half of the grid, plus noise. A few tokens are OBJECTS: each document has two
 * objects occupying a small rectangle (a few percent of the patches; in video they appear for a
 * run of frames and move). An object's direction mixes a CATEGORY shared by many documents with a
 * component unique to the document, so documents of the same category are confusable and only the
 * unique part identifies the right one. Some documents have NEAR-DUPLICATES (re-noised copies
 * with shifted objects). Saliency is PLANTED: high on object tokens, low on background, with a
 * few background "attention sinks" of high saliency, as ViTs show (Darcet et al. 2023,
 * "Vision Transformers Need Registers"), so saliency is informative but not perfect.
 *
 * Queries. One per original document: a few noisy copies of each object direction (what a
 * caption's content words would match) plus filler tokens near a shared "text" direction (words
 * like "a photo of", which match nothing in particular). Judgments: the document itself grade 2,
 * its near-duplicates grade 1.
 *
 * What compression should do here. The evidence a query needs sits in ~3% of the tokens.
 * Uniform pooling averages objects into background and should lose most at small budgets; random
 * selection misses small objects when m is small; AGC keeps salient tokens as centroids and should
 * hold up unless sinks take the budget; Ward and k-means spend clusters on background noise but
 * keep far-away object tokens apart. Without compression the task is easy, so any loss is the
 * method's.
 */
import type { MultiVector } from './multivector.ts';
import { SettingError } from './settingError.ts';
import type { VectorSet } from './maxsim.ts';
import type { Judgments } from './metrics.ts';
import { gaussian, mulberry32, randomInt, type Rng } from './rng.ts';

export interface SyntheticPreset {
  name: string;
  description: string;
  /** Number of original documents (near-duplicates are added on top). */
  docs: number;
  d: number;
  rows: number;
  cols: number;
  /** Frames per video; 0 for images. */
  frames: number;
  /** Number of categories objects are drawn from (fewer means more confusable documents). */
  categories: number;
  /** Side of the square patch region an object covers. */
  objectSide: number;
  /** Fraction of documents that get a near-duplicate. */
  duplicateRate: number;
  /** Noise norm on background tokens. */
  noise: number;
  /** Query tokens per object, and filler tokens per query. */
  tokensPerObject: number;
  fillerTokens: number;
  /** Objects per document (2 unless set), and how many of them its query names (all unless set). */
  objects?: number;
  /** Objects per document drawn uniformly from [min, max] per document (overrides `objects`). */
  objectsRange?: [number, number];
  queryObjects?: number;
  /** An object direction: category x this + unique component x uniqueWeight (0.6 and 0.8 unless set). */
  categoryWeight?: number;
  uniqueWeight?: number;
  /** Fraction of background tokens that are high-saliency attention sinks (0.01 unless set). */
  sinkRate?: number;
  /** Video: frames an object is visible for, [min, max] (a quarter to a half of the video unless set). */
  eventFrames?: [number, number];
  /** Fraction of documents that get an unjudged distractor: the same scene and all but one of the queried objects. */
  distractorRate?: number;
  /**
   * Why compression should or should not hurt on this preset, and the ordering expected: the
   * prediction as written before the preset's first run. The README sets it beside what happened.
   */
  expectation?: string;
}

export const SYNTHETIC_PRESETS: Record<string, SyntheticPreset> = {
  tiny: {
    name: 'tiny',
    description: '24 images of 6x6 patches, d = 32: fast enough for unit tests',
    docs: 24, d: 32, rows: 6, cols: 6, frames: 0, categories: 4, objectSide: 1,
    duplicateRate: 0.25, noise: 0.6, tokensPerObject: 2, fillerTokens: 2,
  },
  images: {
    name: 'images',
    description: '300 images of 14x14 patches (196 tokens, like ViT-B/16 at 224 px), d = 128',
    docs: 300, d: 128, rows: 14, cols: 14, frames: 0, categories: 12, objectSide: 2,
    duplicateRate: 0.1, noise: 0.7, tokensPerObject: 3, fillerTokens: 3,
  },
  video: {
    name: 'video',
    description: '100 videos of 24 frames x 6x9 patches (1,296 tokens, like the paper\'s MSR-VTT documents), d = 128',
    docs: 100, d: 128, rows: 6, cols: 9, frames: 24, categories: 10, objectSide: 2,
    duplicateRate: 0.1, noise: 0.7, tokensPerObject: 3, fillerTokens: 3,
  },
};

/**
 * Harder presets, where methods separate. Each says what should happen and why; the README's
 * table checks the ordering each one predicts.
 */
export const HARD_PRESETS: Record<string, SyntheticPreset> = {
  crowded: {
    name: 'crowded',
    description: '300 images of 12x12 patches, six one-patch objects each from 6 shared categories, queries naming two of them, near-duplicate distractors',
    docs: 300, d: 128, rows: 12, cols: 12, frames: 0, categories: 6, objectSide: 1,
    duplicateRate: 0.1, noise: 0.7, tokensPerObject: 3, fillerTokens: 3,
    objects: 6, queryObjects: 2, categoryWeight: 0.85, uniqueWeight: 0.55, distractorRate: 0.4,
    expectation:
      'Six small objects compete for m vectors and a distractor shares all but one queried object, so a method must keep every object ' +
      'apart: at m = 4 some objects are necessarily lost. Merging objects of one category (shared direction) destroys the unique part ' +
      'that tells a document from its distractor. Expected: AGC and top-saliency (objects are salient) ahead of Ward/k-means, which spend ' +
      'clusters on background, ahead of uniform pooling, which averages one-patch objects into background; the gap closes as m nears 16.',
  },
  'small-objects': {
    name: 'small-objects',
    description: '200 images of 24x24 patches (576 tokens, a page-sized grid), two one-patch objects, 4% attention sinks',
    docs: 200, d: 128, rows: 24, cols: 24, frames: 0, categories: 10, objectSide: 1,
    duplicateRate: 0.1, noise: 0.8, tokensPerObject: 3, fillerTokens: 3, sinkRate: 0.04,
    expectation:
      'Two patches of 576 carry the evidence, and about 23 background sinks outrank nothing but look salient: top-saliency and AGC ' +
      'spend their first centroids on sinks at small m, Ward and k-means merge a lone object patch into a background cluster unless it ' +
      'is far from everything, uniform pooling dilutes it 36-fold at m = 16. Expected: every method far below uncompressed at m = 4; ' +
      'AGC recovers first as m grows past the number of sinks, because its clusters then isolate the objects.',
  },
  varied: {
    name: 'varied',
    description: '300 images of 12x12 patches holding 1 to 12 one-patch objects each (documents differ in how much they hold), queries naming two, near-duplicate distractors',
    docs: 300, d: 128, rows: 12, cols: 12, frames: 0, categories: 8, objectSide: 1,
    duplicateRate: 0.1, noise: 0.7, tokensPerObject: 3, fillerTokens: 3,
    objectsRange: [1, 12], queryObjects: 2, distractorRate: 0.3,
    expectation:
      'Documents hold 1 to 12 objects in the same 144 patches, so a fixed m is too much for some and too little for others: at m = 4 a ' +
      'twelve-object image must lose objects while a one-object image spends three vectors on background. Sharing the same total by ' +
      'saliency (@salient counts the patches above the mean, @entropy the perplexity of the saliency) gives the crowded images more and ' +
      'should beat the fixed m at m = 2 to 8; @tokens gives every image the same (all have 144 tokens) and must equal the fixed m exactly, ' +
      'a control. The gain should vanish by m = 16, where every image keeps all its objects.',
  },
  'long-video': {
    name: 'long-video',
    description: '60 videos of 64 frames x 4x6 patches (1,536 tokens), objects visible for 2-3 frames',
    docs: 60, d: 128, rows: 4, cols: 6, frames: 64, categories: 10, objectSide: 2,
    duplicateRate: 0.1, noise: 0.7, tokensPerObject: 3, fillerTokens: 3, eventFrames: [2, 3],
    expectation:
      'The relevant event is 2-3 frames of 64: uniform pooling over time averages it with 20+ frames of background and should lose the ' +
      'most; random selection hits about 8 to 12 event tokens of 1,536 by chance; AGC, top-saliency, Ward and k-means can keep it ' +
      '(it is salient and far from the background). Expected: AGC >= Ward/k-means > random > uniform at m <= 16.',
  },
};

/** Every preset by name: the original three, then the harder ones. */
export const ALL_SYNTHETIC_PRESETS: Record<string, SyntheticPreset> = { ...SYNTHETIC_PRESETS, ...HARD_PRESETS };

export interface SyntheticCorpus {
  preset: SyntheticPreset;
  seed: number;
  docs: MultiVector[];
  queries: VectorSet[];
  qrels: Map<string, Judgments>;
}

/** A uniformly random unit vector. */
export const unitRandom = (rng: Rng, d: number): Float32Array => {
  const v = new Float32Array(d);
  let sq = 0;
  for (let k = 0; k < d; k++) sq += (v[k] = gaussian(rng)) ** 2;
  const inv = 1 / Math.sqrt(sq);
  for (let k = 0; k < d; k++) v[k] *= inv;
  return v;
};

/** a * x + b * y + noise of norm ~sigma, L2-normalised, written into out at row i. */
export function mixInto(out: Float32Array, i: number, d: number, rng: Rng, parts: [number, Float32Array][], sigma: number): void {
  const s = sigma / Math.sqrt(d);
  let sq = 0;
  for (let k = 0; k < d; k++) {
    let v = gaussian(rng) * s;
    for (const [w, x] of parts) v += w * x[k];
    out[i * d + k] = v;
    sq += v * v;
  }
  const inv = 1 / Math.sqrt(sq);
  for (let k = 0; k < d; k++) out[i * d + k] *= inv;
}

interface ObjectPlan {
  dir: Float32Array;
  row: number;
  col: number;
  /** Frames [start, end) where the object is visible, and its drift in columns per frame. */
  start: number;
  end: number;
  drift: number;
}

/** Which planted object (if any) covers patch (y, x) of frame f. */
function objectAt(objects: readonly ObjectPlan[], side: number, f: number, y: number, x: number): ObjectPlan | undefined {
  return objects.find((o) => {
    const ox = Math.round(o.col + o.drift * (f - o.start));
    return f >= o.start && f < o.end && y >= o.row && y < o.row + side && x >= ox && x < ox + side;
  });
}

/** One document: every patch of every frame is its scene (top or bottom half) or a planted object, with noise; saliency planted to match. */
function renderDocument(p: SyntheticPreset, id: string, sceneA: Float32Array, sceneB: Float32Array, objects: ObjectPlan[], r: Rng): MultiVector {
  const { d, rows, cols } = p;
  const frames = Math.max(1, p.frames);
  const n = frames * rows * cols;
  const data = new Float32Array(n * d);
  const saliency = new Float32Array(n);
  const row = new Int16Array(n);
  const col = new Int16Array(n);
  const frame = new Int32Array(n);
  const time = new Float32Array(n);
  let t = 0;
  for (let f = 0; f < frames; f++) {
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++, t++) {
        row[t] = y;
        col[t] = x;
        frame[t] = p.frames ? f : -1;
        time[t] = p.frames ? f * 0.5 : NaN;
        const obj = objectAt(objects, p.objectSide, f, y, x);
        const scene = y < rows / 2 ? sceneA : sceneB;
        if (obj) {
          mixInto(data, t, d, r, [[1, obj.dir], [0.25, scene]], 0.35);
          saliency[t] = 0.6 + 0.4 * r.next();
        } else {
          mixInto(data, t, d, r, [[1, scene]], p.noise);
          saliency[t] = r.next() < (p.sinkRate ?? 0.01) ? 0.7 + 0.3 * r.next() : 0.15 * r.next();
        }
      }
    }
  }
  let total = 0;
  for (const s of saliency) total += s;
  for (let i = 0; i < n; i++) saliency[i] /= total;
  return { id, n, d, data, saliency, saliencySource: 'planted', grid: { rows, cols, frames: p.frames || undefined }, positions: p.frames ? { row, col, frame, time } : { row, col } };
}

/** Where and when each object appears (videos: a span of frames and a drift to the right). */
function planObjects(p: SyntheticPreset, r: Rng, dirs: Float32Array[]): ObjectPlan[] {
  const frames = Math.max(1, p.frames);
  return dirs.map((dir) => {
    const span = !p.frames ? 1 : p.eventFrames ? p.eventFrames[0] + randomInt(r, p.eventFrames[1] - p.eventFrames[0] + 1) : Math.max(2, Math.floor(frames / 4) + randomInt(r, Math.ceil(frames / 4)));
    const start = p.frames ? randomInt(r, frames - span + 1) : 0;
    const maxDrift = p.frames ? (p.cols - p.objectSide) / span : 0;
    return {
      dir,
      row: randomInt(r, p.rows - p.objectSide + 1),
      col: randomInt(r, Math.max(1, p.cols - p.objectSide + 1 - Math.ceil(maxDrift * span))),
      start,
      end: start + span,
      drift: p.frames ? maxDrift * r.next() : 0,
    };
  });
}

/** A query: tokensPerObject tokens near each queried object's direction, then filler tokens of text. */
function makeQuery(p: SyntheticPreset, rng: Rng, queried: readonly Float32Array[], textFiller: Float32Array): { n: number; data: Float32Array } {
  const n = queried.length * p.tokensPerObject + p.fillerTokens;
  const data = new Float32Array(n * p.d);
  let t = 0;
  for (const dir of queried) for (let k = 0; k < p.tokensPerObject; k++) mixInto(data, t++, p.d, rng, [[1, dir]], 0.6);
  for (let k = 0; k < p.fillerTokens; k++) mixInto(data, t++, p.d, rng, [[1, textFiller]], 0.6);
  return { n, data };
}

export function syntheticCorpus(preset: SyntheticPreset | string, seed = 1): SyntheticCorpus {
  // Own keys only: "toString" or "__proto__" is an unknown preset, not an inherited property.
  const p = typeof preset === 'string' ? (Object.hasOwn(ALL_SYNTHETIC_PRESETS, preset) ? ALL_SYNTHETIC_PRESETS[preset] : undefined) : preset;
  if (!p) throw new SettingError(`unknown synthetic preset "${preset}"; known: ${Object.keys(ALL_SYNTHETIC_PRESETS).join(', ')}`);
  const rng = mulberry32(seed);
  const { d } = p;
  const scenes = Array.from({ length: 4 }, () => unitRandom(rng, d));
  const categories = Array.from({ length: p.categories }, () => unitRandom(rng, d));
  const textFiller = unitRandom(rng, d);
  const docs: MultiVector[] = [];
  const queries: VectorSet[] = [];
  const qrels = new Map<string, Judgments>();
  const objectDir = () => {
    const out = new Float32Array(d);
    mixInto(out, 0, d, rng, [[p.categoryWeight ?? 0.6, categories[randomInt(rng, categories.length)]], [p.uniqueWeight ?? 0.8, unitRandom(rng, d)]], 0);
    return out;
  };
  for (let i = 0; i < p.docs; i++) {
    const id = `doc-${String(i).padStart(4, '0')}`;
    const sceneA = scenes[randomInt(rng, scenes.length)];
    const sceneB = scenes[randomInt(rng, scenes.length)];
    const count = p.objectsRange ? p.objectsRange[0] + randomInt(rng, p.objectsRange[1] - p.objectsRange[0] + 1) : p.objects ?? 2;
    const dirs = Array.from({ length: count }, objectDir);
    docs.push(renderDocument(p, id, sceneA, sceneB, planObjects(p, rng, dirs), rng));
    const judgments = new Map<string, number>([[id, 2]]);
    if (rng.next() < p.duplicateRate) {
      docs.push(renderDocument(p, `${id}-dup`, sceneA, sceneB, planObjects(p, rng, dirs), rng));
      judgments.set(`${id}-dup`, 1);
    }
    const queried = dirs.slice(0, p.queryObjects ?? dirs.length);
    if ((p.distractorRate ?? 0) > 0 && rng.next() < p.distractorRate!) {
      // Unjudged: the same scene and objects, but the last queried object swapped for another.
      const swapped = dirs.map((dir, k) => (k === queried.length - 1 ? objectDir() : dir));
      docs.push(renderDocument(p, `${id}-distractor`, sceneA, sceneB, planObjects(p, rng, swapped), rng));
    }
    const qid = `q-${String(i).padStart(4, '0')}`;
    queries.push({ id: qid, d, ...makeQuery(p, rng, queried, textFiller) });
    qrels.set(qid, judgments);
  }
  return { preset: p, seed, docs, queries, qrels };
}
