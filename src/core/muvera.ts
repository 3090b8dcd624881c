/**
 * MUVERA fixed-dimensional encodings (Dhulipala et al., "MUVERA: Multi-Vector Retrieval via Fixed
 * Dimensional Encodings", arXiv 2405.19504): one vector per document whose dot product with the
 * query's encoding approximates MaxSim, so a first stage can search single vectors and a second
 * re-ranks its top candidates with exact MaxSim.
 *
 * Per repetition r (of R): k_sim random Gaussian hyperplanes split the space into 2^k_sim buckets
 * by the signs of <g_i, x> (SimHash; bucket ids here are the plain sign bits, the paper's Gray code
 * only reorders the buckets, identically for queries and documents); every vector is projected by
 * a random +-1 matrix scaled by 1 / sqrt(d_proj) (the paper's AMS sketch; d_proj = d keeps the
 * vectors as they are). A document's block for bucket b is the mean of its projected vectors in b;
 * an empty bucket takes the projected vector whose sign bits are nearest to b in Hamming distance
 * (the paper's fill_empty_partitions). A query's block is the sum of its projected vectors in b
 * (no filling). The encoding concatenates R x 2^k_sim blocks of d_proj values.
 */
import { SettingError } from './settingError.ts';
import { gaussian, mulberry32 } from './rng.ts';
import type { PackedCorpus } from './maxsim.ts';
import { popcount } from './storage/stored.ts';

export interface MuveraOptions {
  /** SimHash bits per repetition (2^kSim buckets). */
  kSim: number;
  reps: number;
  /** Projected dimension per bucket; equal to d means no projection. */
  dProj: number;
  seed: number;
}

export const MUVERA_DEFAULTS: Omit<MuveraOptions, 'dProj'> & { dProj?: number } = { kSim: 4, reps: 10, seed: 1 };

export interface MuveraParams {
  d: number;
  kSim: number;
  reps: number;
  dProj: number;
  /** reps x kSim x d hyperplanes. */
  hyperplanes: Float32Array;
  /** reps x dProj x d entries of +-1 / sqrt(dProj); null for no projection (dProj = d). */
  projections: Float32Array | null;
}

export function muveraParams(d: number, o: MuveraOptions): MuveraParams {
  if (!(Number.isInteger(o.kSim) && o.kSim >= 0 && o.kSim <= 12)) throw new SettingError(`MUVERA: k_sim must be an integer in [0, 12], got ${o.kSim}`);
  if (!(Number.isInteger(o.reps) && o.reps >= 1)) throw new SettingError(`MUVERA: repetitions must be a whole number >= 1, got ${o.reps}`);
  if (!(Number.isInteger(o.dProj) && o.dProj >= 1)) throw new SettingError(`MUVERA: d_proj must be a whole number >= 1, got ${o.dProj}`);
  const rng = mulberry32(o.seed);
  const hyperplanes = Float32Array.from({ length: o.reps * o.kSim * d }, () => gaussian(rng));
  const scale = 1 / Math.sqrt(o.dProj);
  const projections = o.dProj === d ? null : Float32Array.from({ length: o.reps * o.dProj * d }, () => (rng.next() < 0.5 ? -scale : scale));
  return { d, kSim: o.kSim, reps: o.reps, dProj: o.dProj, hyperplanes, projections };
}

export const fdeDimension = (p: MuveraParams) => p.reps * 2 ** p.kSim * p.dProj;

function bucketOf(p: MuveraParams, rep: number, x: Float32Array, at: number): number {
  let b = 0;
  for (let i = 0; i < p.kSim; i++) {
    let s = 0;
    const g = (rep * p.kSim + i) * p.d;
    for (let k = 0; k < p.d; k++) s += p.hyperplanes[g + k] * x[at + k];
    if (s > 0) b |= 1 << i;
  }
  return b;
}

function project(p: MuveraParams, rep: number, x: Float32Array, at: number, out: Float64Array): void {
  if (!p.projections) {
    for (let k = 0; k < p.d; k++) out[k] = x[at + k];
    return;
  }
  for (let j = 0; j < p.dProj; j++) {
    let s = 0;
    const row = (rep * p.dProj + j) * p.d;
    for (let k = 0; k < p.d; k++) s += p.projections[row + k] * x[at + k];
    out[j] = s;
  }
}


/** The encoding of n vectors (rows of x from row `start`): documents average and fill, queries sum. */
export function encodeFde(p: MuveraParams, x: Float32Array, start: number, n: number, kind: 'document' | 'query'): Float32Array {
  const buckets = 2 ** p.kSim;
  const out = new Float32Array(fdeDimension(p));
  const proj = new Float64Array(p.dProj);
  for (let rep = 0; rep < p.reps; rep++) {
    const sums = new Float64Array(buckets * p.dProj);
    const counts = new Int32Array(buckets);
    const bits = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const at = (start + i) * p.d;
      const b = bucketOf(p, rep, x, at);
      bits[i] = b;
      project(p, rep, x, at, proj);
      counts[b]++;
      for (let j = 0; j < p.dProj; j++) sums[b * p.dProj + j] += proj[j];
    }
    const base = rep * buckets * p.dProj;
    for (let b = 0; b < buckets; b++) {
      if (counts[b] > 0) {
        const div = kind === 'document' ? counts[b] : 1;
        for (let j = 0; j < p.dProj; j++) out[base + b * p.dProj + j] = sums[b * p.dProj + j] / div;
      } else if (kind === 'document' && n > 0) {
        // Empty: the vector whose sign bits are nearest to this bucket (ties: the first).
        let best = 0;
        for (let i = 1; i < n; i++) if (popcount(bits[i] ^ b) < popcount(bits[best] ^ b)) best = i;
        project(p, rep, x, (start + best) * p.d, proj);
        for (let j = 0; j < p.dProj; j++) out[base + b * p.dProj + j] = proj[j];
      }
    }
  }
  return out;
}

/** Every document's encoding, row-major (documents x fdeDimension). */
export function encodeCorpus(p: MuveraParams, corpus: PackedCorpus): Float32Array {
  const D = fdeDimension(p);
  const docs = corpus.ids.length;
  const out = new Float32Array(docs * D);
  for (let i = 0; i < docs; i++) out.set(encodeFde(p, corpus.data, corpus.offsets[i], corpus.offsets[i + 1] - corpus.offsets[i], 'document'), i * D);
  return out;
}

export interface MuveraStage {
  /** "fde" (single-vector search alone) or "rerank top C" (exact MaxSim on the first stage's C best). */
  stage: string;
  candidates: number | null;
  metrics: Record<string, number>;
  /** Of each query's exhaustive MaxSim top 10, the fraction this stage also ranks in its top 10. */
  recallOfExhaustive10: number;
  msPerQuery: number;
}

export interface MuveraReport {
  options: MuveraOptions;
  fdeDimension: number;
  /** The encodings' bytes per document in fp32 (the multi-vector index kept for re-ranking is extra). */
  fdeBytesPerDoc: number;
  encodeMsPerDoc: number;
  exhaustive: { metrics: Record<string, number>; msPerQuery: number };
  stages: MuveraStage[];
}
