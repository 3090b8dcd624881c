/**
 * A seeded synthetic corpus for scale tests, generated one document at a time so that 100,000
 * documents never need to exist in memory at full length: document i depends only on (seed, i)
 * and a few shared directions, so it can be produced, compressed and dropped, and a query for it
 * can be produced later by replaying the same draws.
 *
 * Each document: `tokens` vectors, most near one of a few scene directions, about 1 in 8 near
 * one of its two object directions (a category shared across the corpus plus a part unique to
 * the document). A query for document i: noisy copies of its object directions plus filler
 * tokens; document i is its one relevant document.
 */
import type { Judgments } from './metrics.ts';
import type { VectorSet } from './maxsim.ts';
import type { MultiVector } from './multivector.ts';
import { mulberry32, randomInt, type Rng } from './rng.ts';
import { mixInto as mix, unitRandom as unit } from './synthetic.ts';

export interface ScaleSpec {
  docs: number;
  d: number;
  /** Tokens per document before compression. */
  tokens: number;
  queries: number;
  seed: number;
}

interface Shared {
  scenes: Float32Array[];
  categories: Float32Array[];
  filler: Float32Array;
}

export class ScaleCorpus {
  private shared: Shared;

  constructor(readonly spec: ScaleSpec) {
    for (const [k, v] of Object.entries(spec)) if (!Number.isInteger(v) || (k !== 'seed' && v < 1)) throw new Error(`scale corpus: ${k} must be a positive whole number, got ${v}`);
    const rng = mulberry32(spec.seed);
    this.shared = {
      scenes: Array.from({ length: 6 }, () => unit(rng, spec.d)),
      categories: Array.from({ length: 64 }, () => unit(rng, spec.d)),
      filler: unit(rng, spec.d),
    };
  }

  static docId(i: number): string {
    return `doc-${i}`;
  }

  /** The two object directions and scene of document i (the first draws of its stream). */
  private plan(i: number): { rng: Rng; objects: Float32Array[]; scene: Float32Array } {
    const { d, seed } = this.spec;
    const rng = mulberry32((Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0);
    const scene = this.shared.scenes[randomInt(rng, this.shared.scenes.length)];
    const objects = [0, 1].map(() => {
      const out = new Float32Array(d);
      mix(out, 0, d, rng, [[0.9, this.shared.categories[randomInt(rng, this.shared.categories.length)]], [0.45, unit(rng, d)]], 0);
      return out;
    });
    return { rng, objects, scene };
  }

  document(i: number): MultiVector {
    const { d, tokens } = this.spec;
    const { rng, objects, scene } = this.plan(i);
    const data = new Float32Array(tokens * d);
    const saliency = new Float32Array(tokens);
    for (let t = 0; t < tokens; t++) {
      if (rng.next() < 0.125) {
        mix(data, t, d, rng, [[1, objects[t & 1]], [0.25, scene]], 0.35);
        saliency[t] = 0.6 + 0.4 * rng.next();
      } else {
        mix(data, t, d, rng, [[1, scene]], 0.7);
        saliency[t] = 0.15 * rng.next();
      }
    }
    return { id: ScaleCorpus.docId(i), n: tokens, d, data, saliency, saliencySource: 'planted' };
  }

  /** Queries for evenly spread documents; each judges its own document relevant. */
  queries(): { queries: VectorSet[]; qrels: Map<string, Judgments> } {
    const { d, docs, queries: count } = this.spec;
    const queries: VectorSet[] = [];
    const qrels = new Map<string, Judgments>();
    const noise = mulberry32(this.spec.seed ^ 0x5bd1e995);
    for (let q = 0; q < count; q++) {
      const target = Math.floor(((q + 0.5) * docs) / count);
      const { objects } = this.plan(target);
      const n = 8;
      const data = new Float32Array(n * d);
      for (let t = 0; t < 6; t++) mix(data, t, d, noise, [[1, objects[t % 2]]], 1.2);
      for (let t = 6; t < n; t++) mix(data, t, d, noise, [[1, this.shared.filler]], 0.6);
      const id = `q-${q}`;
      queries.push({ id, n, d, data });
      qrels.set(id, new Map([[ScaleCorpus.docId(target), 1]]));
    }
    return { queries, qrels };
  }
}
