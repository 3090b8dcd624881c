/**
 * Residual compression of an index, after ColBERTv2 (Santhanam et al., arXiv 2112.01488) and PLAID:
 * k-means centroids over every stored vector of the index; each vector kept as the id of its
 * nearest centroid plus its residual (vector - centroid) quantised to `bits` bits per dimension.
 *
 *   centroids  K = 2^floor(log2(16 sqrt(N))) as ColBERTv2 picks it for N vectors, at most
 *              2^floor(log2(N / 8)) so the codebook stays small beside the vectors it serves;
 *              spherical k-means (the kmeans method: k-means++ seeding, 10 rounds, fixed seed) on
 *              at most 32,768 of the vectors, then every vector assigned to its nearest centroid.
 *   buckets    over all residual values of the index (N x d numbers): 2^bits - 1 cutoffs at the
 *              quantiles j / 2^bits and 2^bits bucket values at the quantiles (j + 0.5) / 2^bits
 *              (NumPy's linear quantile), as ColBERTv2's _compute_avg_residual; a value's code is
 *              the number of cutoffs below it (torch.bucketize).
 *   decoding   centroid + the bucket value of each dimension; renormalised when every stored
 *              vector was a unit vector (ColBERTv2's vectors are; plain cluster means are not).
 *   bytes      per vector 2 (centroid id) + ceil(d bits / 8); once per index the codebook in fp16
 *              (K d 2) and the bucket values (2^bits x 4). All of it is counted in the index bytes.
 */
import { assignToNearest } from './linalg.ts';
import { kmeans } from './methods/kmeans.ts';
import type { PackedCorpus } from './maxsim.ts';
import { float16ToFloat32, float32ToFloat16 } from './float16.ts';
import { mulberry32 } from './rng.ts';
import { percentile } from './bootstrap.ts';

export interface ResidualIndex {
  ids: string[];
  d: number;
  offsets: Int32Array;
  bits: 1 | 2;
  /** K x d, as stored (fp16 values widened). */
  centroids: Float32Array;
  k: number;
  /** Centroid id of every vector. */
  codes: Uint16Array;
  /** bits per dimension, packed little-end first, rows padded to whole bytes. */
  residuals: Uint8Array;
  cutoffs: Float32Array;
  weights: Float32Array;
  renormalise: boolean;
}

const TRAIN_MAX = 32_768;

export function centroidCount(n: number): number {
  const pow2 = (x: number) => 2 ** Math.max(0, Math.floor(Math.log2(Math.max(1, x))));
  return Math.min(pow2(16 * Math.sqrt(n)), pow2(n / 8));
}

export function residualIndex(corpus: PackedCorpus, bits: 1 | 2, seed = 1): ResidualIndex {
  const { d } = corpus;
  const n = corpus.offsets[corpus.ids.length];
  const data = corpus.data.subarray(0, n * d);
  let unitAll = true;
  for (let i = 0; i < n && unitAll; i++) {
    let sq = 0;
    for (let j = 0; j < d; j++) sq += data[i * d + j] ** 2;
    if (Math.abs(Math.sqrt(sq) - 1) > 1e-3) unitAll = false;
  }
  const k = centroidCount(n);
  // Train on an evenly spaced sample (deterministic), then assign every vector.
  const step = Math.max(1, Math.ceil(n / TRAIN_MAX));
  const sample = new Float32Array(Math.ceil(n / step) * d);
  let s = 0;
  for (let i = 0; i < n; i += step, s++) sample.set(data.subarray(i * d, i * d + d), s * d);
  const trained =
    s > k
      ? kmeans.compress({ id: 'index', n: s, d, data: sample.subarray(0, s * d) }, k, { iterations: 10 }, { rng: mulberry32(seed) })
      : { data: sample.slice(0, s * d), k: s }; // as few vectors as centroids: each is its own
  // The codebook as stored: fp16.
  const centroids = Float32Array.from(trained.data, (v) => float16ToFloat32(float32ToFloat16(v)));
  const kk = trained.k;
  const { assignment } = assignToNearest(data, n, centroids, kk, d);
  const codes = Uint16Array.from(assignment);
  const residual = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) residual[i * d + j] = data[i * d + j] - centroids[codes[i] * d + j];
  const sorted = Float64Array.from(residual).sort();
  const levels = 2 ** bits;
  const cutoffs = Float32Array.from({ length: levels - 1 }, (_, j) => percentile(sorted, (j + 1) / levels));
  const weights = Float32Array.from({ length: levels }, (_, j) => percentile(sorted, (j + 0.5) / levels));
  const rowBytes = Math.ceil((d * bits) / 8);
  const residuals = new Uint8Array(n * rowBytes);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const x = residual[i * d + j];
      let code = 0;
      for (const c of cutoffs) if (c < x) code++;
      const bit = j * bits;
      residuals[i * rowBytes + (bit >>> 3)] |= code << (bit & 7);
    }
  }
  return { ids: corpus.ids, d, offsets: corpus.offsets, bits, centroids, k: kk, codes, residuals, cutoffs, weights, renormalise: unitAll };
}

/** The index as the fp32 values it keeps. */
export function decodeResidual(r: ResidualIndex): PackedCorpus {
  const { d, bits } = r;
  const n = r.codes.length;
  const rowBytes = Math.ceil((d * bits) / 8);
  const mask = (1 << bits) - 1;
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let sq = 0;
    for (let j = 0; j < d; j++) {
      const bit = j * bits;
      const code = (r.residuals[i * rowBytes + (bit >>> 3)] >>> (bit & 7)) & mask;
      const v = r.centroids[r.codes[i] * d + j] + r.weights[code];
      out[i * d + j] = v;
      sq += v * v;
    }
    if (r.renormalise && sq > 0) {
      const inv = 1 / Math.sqrt(sq);
      for (let j = 0; j < d; j++) out[i * d + j] *= inv;
    }
  }
  return { ids: r.ids, d, offsets: r.offsets, data: out };
}

/** Everything the index keeps: codes, residual bits, the fp16 codebook and the bucket values. */
export function residualBytes(r: ResidualIndex): number {
  return r.codes.length * 2 + r.residuals.byteLength + r.k * r.d * 2 + r.weights.length * 4;
}
