/**
 * How compressed vectors are stored, and MaxSim over each form without expanding the whole index:
 *
 *   fp32    4 d bytes per vector.
 *   fp16    2 d bytes: IEEE half precision, round to nearest even.
 *   int8    d + 4 bytes: symmetric per-vector quantisation, q = round(x / s) with
 *           s = max |x| / 127, so x ~ s q; the score is s <q_query, q> in fp32.
 *   binary  4 ceil(d / 32) bytes: one sign bit per dimension (Vespa's binarised ColBERT). The
 *           query is binarised too and <a, b> of two +-1 vectors is d - 2 hamming(a, b), so the
 *           score is sum over query tokens of max over stored vectors of (d - 2 hamming) / d.
 *
 * Scores are accumulated in fp32/fp64 in every case: what changes is only what is kept.
 */
import { float16ToFloat32, float32ToFloat16 } from './float16.ts';
import { SettingError } from './settingError.ts';
import { maxSimBlock, maxSimScores, type PackedCorpus } from './maxsim.ts';
import { kernelHamming, kernelMaxSim } from '../kernels/ops.ts';
import { allocCorpus, KernelSpace, kernelsEnabled } from '../kernels/space.ts';

export const STORAGE_TYPES = ['fp32', 'fp16', 'int8', 'binary'] as const;
export type StorageType = (typeof STORAGE_TYPES)[number];

/**
 * Residual compression (ColBERTv2/PLAID, src/core/residual.ts): built over the whole index (a
 * codebook), so it is scored in comparisons but not written vector by vector (export, streaming,
 * the scale page keep the four types above).
 */
export const RESIDUAL_TYPES = ['res2', 'res1'] as const;
export type ResidualType = (typeof RESIDUAL_TYPES)[number];
/** Every type a comparison can score. */
export const EVAL_STORAGE_TYPES = [...STORAGE_TYPES, ...RESIDUAL_TYPES] as const;
export type EvalStorage = StorageType | ResidualType;
export const isResidual = (s: string): s is ResidualType => (RESIDUAL_TYPES as readonly string[]).includes(s);

export const STORAGE_LABELS: Record<EvalStorage, string> = {
  fp32: 'fp32',
  fp16: 'fp16',
  int8: 'int8 + scale',
  binary: 'binary (Hamming)',
  res2: 'residual 2-bit (ColBERTv2)',
  res1: 'residual 1-bit (ColBERTv2)',
};

/** What each type is, for pickers and tooltips. */
export const STORAGE_HELP: Record<EvalStorage, string> = {
  fp32: '4 bytes per value',
  fp16: '2 bytes per value, IEEE half precision',
  int8: '1 byte per value plus one fp32 scale per vector',
  binary: '1 bit per value; the query is binarised too, Hamming MaxSim as in Vespa',
  res2: "ColBERTv2/PLAID: the nearest of the index's k-means centroids (2 bytes) plus 2 bits per value of residual; codebook counted",
  res1: 'as res2 with 1 bit per value of residual',
};

/** Line style of each type on the quality-against-bytes chart (an SVG dash pattern; fp32 solid). */
export const STORAGE_DASH: Record<EvalStorage, string | false> = { fp32: false, fp16: '6 3', int8: '2 2', binary: '8 2 2 2', res2: '1 3', res1: '4 2 1 2' };

export function isStorageType(s: string): s is StorageType {
  return (STORAGE_TYPES as readonly string[]).includes(s);
}

/** A comma-separated list of the types a comparison scores (the residual ones included). */
export function parseEvalStorageList(text: string): EvalStorage[] {
  const list = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of list) if (!isStorageType(s) && !isResidual(s)) throw new SettingError(`unknown storage type "${s}"; known: ${EVAL_STORAGE_TYPES.join(', ')}`);
  if (list.length === 0) throw new SettingError('no storage type given');
  return [...new Set(list)] as EvalStorage[];
}

export function parseStorageList(text: string): StorageType[] {
  const list = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of list) if (!isStorageType(s)) throw new SettingError(`unknown storage type "${s}"; known: ${STORAGE_TYPES.join(', ')}`);
  if (list.length === 0) throw new SettingError('no storage type given');
  return [...new Set(list)] as StorageType[];
}

/** Bytes one stored vector of dimension d takes (payload plus its int8 scale). */
export function bytesPerVector(storage: StorageType, d: number): number {
  switch (storage) {
    case 'fp32': return 4 * d;
    case 'fp16': return 2 * d;
    case 'int8': return d + 4;
    case 'binary': return 4 * Math.ceil(d / 32);
  }
}

export type StoredVectors = Float32Array | Uint16Array | Int8Array | Uint32Array;

/** A packed index in one storage type: same ids and offsets as PackedCorpus, compact vectors. */
export interface StoredCorpus {
  storage: StorageType;
  ids: string[];
  d: number;
  offsets: Int32Array;
  vectors: StoredVectors;
  /** int8 only: one scale per stored vector. */
  scales?: Float32Array;
}

const HALF_TO_FLOAT = (() => {
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) t[h] = float16ToFloat32(h);
  return t;
})();

/** Encodes `count` rows of d values into the storage type. */
export function encodeVectors(data: Float32Array, count: number, d: number, storage: StorageType): { vectors: StoredVectors; scales?: Float32Array } {
  if (data.length < count * d) throw new Error(`encodeVectors: ${data.length} values for ${count} x ${d}`);
  if (storage === 'fp32') return { vectors: data.subarray(0, count * d) }; // a view: nothing to convert
  if (storage === 'fp16') {
    const out = new Uint16Array(count * d);
    for (let i = 0; i < out.length; i++) out[i] = float32ToFloat16(data[i]);
    return { vectors: out };
  }
  if (storage === 'int8') {
    const out = new Int8Array(count * d);
    const scales = new Float32Array(count);
    for (let r = 0; r < count; r++) {
      let max = 0;
      for (let k = 0; k < d; k++) max = Math.max(max, Math.abs(data[r * d + k]));
      const s = max > 0 ? max / 127 : 1;
      scales[r] = s;
      for (let k = 0; k < d; k++) out[r * d + k] = Math.max(-127, Math.min(127, Math.round(data[r * d + k] / s)));
    }
    return { vectors: out, scales };
  }
  return { vectors: binarize(data, count, d) };
}

/** One sign bit per dimension (1 where x > 0), rows padded to whole 32-bit words. */
export function binarize(data: Float32Array, count: number, d: number): Uint32Array {
  const words = Math.ceil(d / 32);
  const out = new Uint32Array(count * words);
  for (let r = 0; r < count; r++)
    for (let k = 0; k < d; k++) if (data[r * d + k] > 0) out[r * words + (k >>> 5)] |= 1 << (k & 31);
  return out;
}

/**
 * Rows `start..end-1` decoded into `out` (from offset 0) as the fp32 values the storage keeps:
 * halves widened, s q for int8, +-1 for binary.
 */
export function decodeRows(stored: Pick<StoredCorpus, 'storage' | 'd' | 'vectors' | 'scales'>, start: number, end: number, out: Float32Array): Float32Array {
  const { d, vectors } = stored;
  const count = end - start;
  switch (stored.storage) {
    case 'fp32':
      out.set((vectors as Float32Array).subarray(start * d, end * d));
      break;
    case 'fp16': {
      const v = vectors as Uint16Array;
      for (let i = 0, o = start * d; i < count * d; i++, o++) out[i] = HALF_TO_FLOAT[v[o]];
      break;
    }
    case 'int8': {
      const v = vectors as Int8Array;
      const scales = stored.scales!;
      for (let r = 0; r < count; r++) {
        const s = scales[start + r];
        for (let k = 0, o = (start + r) * d; k < d; k++, o++) out[r * d + k] = v[o] * s;
      }
      break;
    }
    case 'binary': {
      const v = vectors as Uint32Array;
      const words = Math.ceil(d / 32);
      for (let r = 0; r < count; r++)
        for (let k = 0; k < d; k++) out[r * d + k] = (v[(start + r) * words + (k >>> 5)] >>> (k & 31)) & 1 ? 1 : -1;
      break;
    }
  }
  return out;
}

const VECTOR_CTOR = { fp32: Float32Array, fp16: Uint16Array, int8: Int8Array, binary: Uint32Array } as const;

/** Largest document, in rows. */
export function maxDocRows(offsets: Int32Array, docs = offsets.length - 1): number {
  let max = 0;
  for (let i = 0; i < docs; i++) max = Math.max(max, offsets[i + 1] - offsets[i]);
  return max;
}

/**
 * The corpus in a storage type. fp32 shares the packed vectors; the others are allocated, with a
 * copy of the offsets, in a kernel space of their own (src/kernels/space.ts) so that MaxSim reads
 * them in place.
 */
export function storeCorpus(corpus: PackedCorpus, storage: StorageType): StoredCorpus {
  const count = corpus.offsets[corpus.ids.length];
  const { vectors, scales } = encodeVectors(corpus.data, count, corpus.d, storage);
  const stored: StoredCorpus = { storage, ids: corpus.ids, d: corpus.d, offsets: corpus.offsets, vectors, ...(scales ? { scales } : {}) };
  return storage === 'fp32' ? stored : placeStored(stored);
}

/**
 * The same index moved into a kernel space (one copy), so it is scored by the same kernels, with
 * the same rounding, as every index the engine builds; unchanged when it is there already, is
 * binary, or the kernels are off. With threads > 1 the space is shared, for a worker pool.
 */
export function placeStored(stored: StoredCorpus, options: { threads?: number } = {}): StoredCorpus {
  const threads = options.threads ?? 1;
  const space = KernelSpace.of(stored.vectors);
  if (!kernelsEnabled() || (space && (threads <= 1 || space.shared))) return stored;
  const docs = stored.ids.length;
  const placed = allocCorpus(
    { vectors: [VECTOR_CTOR[stored.storage] as never, stored.vectors.length], offsets: docs + 1, ...(stored.scales ? { scales: stored.scales.length } : {}) },
    stored.d,
    maxDocRows(stored.offsets, docs),
    { threads },
  );
  (placed.vectors as StoredVectors).set(stored.vectors as never);
  placed.offsets.set(stored.offsets.subarray(0, docs + 1));
  if (stored.scales) placed.scales!.set(stored.scales);
  return { ...stored, vectors: placed.vectors as StoredVectors, offsets: placed.offsets, ...(stored.scales ? { scales: placed.scales } : {}) };
}

/** The index as the fp32 values it keeps (for winners, utilisation and the GPU reference). */
export function decodeCorpus(stored: StoredCorpus): PackedCorpus {
  const docs = stored.ids.length;
  const count = stored.offsets[docs];
  const placed = allocCorpus({ vectors: [Float32Array, count * stored.d], offsets: docs + 1 }, stored.d, 0);
  placed.offsets.set(stored.offsets.subarray(0, docs + 1));
  const data = decodeRows(stored, 0, count, placed.vectors);
  return { ids: stored.ids, d: stored.d, offsets: placed.offsets, data };
}

/**
 * The query as the storage type scores it: unchanged, except binary, where it is binarised to
 * +-1 and scaled by 1/d so a token's best match lies in [-1, 1] like a cosine.
 */
export function queryForStorage(query: Float32Array, qn: number, d: number, storage: StorageType): Float32Array {
  if (storage !== 'binary') return query;
  const out = new Float32Array(qn * d);
  for (let i = 0; i < out.length; i++) out[i] = (query[i] > 0 ? 1 : -1) / d;
  return out;
}

/** Set bits of a 32-bit word. */
export const popcount = (x: number): number => {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
};

/** The smallest Hamming distance from query token i's bits to stored rows start..end-1 (Infinity when there are none). */
export function minHamming(qbits: Uint32Array, i: number, bits: Uint32Array, start: number, end: number, words: number): number {
  let best = Infinity;
  for (let j = start; j < end; j++) {
    let ham = 0;
    for (let w = 0; w < words; w++) ham += popcount(qbits[i * words + w] ^ bits[j * words + w]);
    if (ham < best) best = ham;
  }
  return best;
}

/**
 * MaxSim of one query (qn x d, fp32) against a stored index, reading the compact form directly:
 * fp16 and int8 decode one document's rows at a time, binary works on bits with popcount.
 * Equal, up to fp32 rounding, to maxSimScores(queryForStorage(q), decodeCorpus(stored)).
 */
export function scoreStored(query: Float32Array, qn: number, stored: StoredCorpus, scores = new Float32Array(stored.ids.length)): Float32Array {
  const { d, offsets } = stored;
  if (query.length !== qn * d) throw new Error(`query holds ${query.length} values, expected ${qn} x ${d}`);
  if (stored.storage === 'fp32') return maxSimScores(query, qn, { ids: stored.ids, d, offsets, data: stored.vectors as Float32Array }, scores);
  if (kernelMaxSim(query, qn, stored, scores)) return scores;
  const docs = stored.ids.length;
  const best = new Float64Array(qn);
  if (stored.storage === 'binary' && kernelHamming(query, qn, stored, scores)) return scores;
  if (stored.storage === 'binary') {
    const words = Math.ceil(d / 32);
    const qbits = binarize(query, qn, d);
    const v = stored.vectors as Uint32Array;
    for (let doc = 0; doc < docs; doc++) {
      let total = 0;
      for (let i = 0; i < qn; i++) {
        const bestHam = minHamming(qbits, i, v, offsets[doc], offsets[doc + 1], words);
        total += (d - 2 * bestHam) / d; // an empty document: -Infinity
      }
      scores[doc] = total;
    }
    return scores;
  }
  let maxRows = 0;
  for (let doc = 0; doc < docs; doc++) maxRows = Math.max(maxRows, offsets[doc + 1] - offsets[doc]);
  const block = new Float32Array(maxRows * d);
  const arg = new Int32Array(qn);
  for (let doc = 0; doc < docs; doc++) {
    const rows = offsets[doc + 1] - offsets[doc];
    decodeRows(stored, offsets[doc], offsets[doc + 1], block);
    maxSimBlock(query, qn, block, 0, rows, d, best, arg);
    let total = 0;
    for (let i = 0; i < qn; i++) total += best[i];
    scores[doc] = total;
  }
  return scores;
}

/** Payload bytes of a stored index (vectors and scales; ids and offsets not counted). */
export function storedBytes(stored: StoredCorpus): number {
  return stored.vectors.byteLength + (stored.scales?.byteLength ?? 0);
}

/**
 * scoreStored for many queries at once: each document's rows are decoded once and scored against
 * every query, so fp16 and int8 pay their decoding once per batch instead of once per query.
 * Scores are identical to scoreStored's.
 */
export function scoreStoredBatch(queries: readonly { data: Float32Array; n: number }[], stored: StoredCorpus): Float32Array[] {
  const out = queries.map(() => new Float32Array(stored.ids.length));
  if (stored.storage === 'fp32' || stored.storage === 'binary') {
    queries.forEach((q, i) => scoreStored(q.data, q.n, stored, out[i]));
    return out;
  }
  // In a kernel space each query decodes the rows it reads (a 1/qn share of the work) in place.
  if (queries.every((q, i) => kernelMaxSim(q.data, q.n, stored, out[i]))) return out;
  const { d, offsets } = stored;
  const docs = stored.ids.length;
  for (const q of queries) if (q.data.length !== q.n * d) throw new Error(`query holds ${q.data.length} values, expected ${q.n} x ${d}`);
  let maxRows = 0;
  for (let doc = 0; doc < docs; doc++) maxRows = Math.max(maxRows, offsets[doc + 1] - offsets[doc]);
  const maxQn = Math.max(0, ...queries.map((q) => q.n));
  const block = new Float32Array(maxRows * d);
  const best = new Float64Array(maxQn);
  const arg = new Int32Array(maxQn);
  for (let doc = 0; doc < docs; doc++) {
    const rows = offsets[doc + 1] - offsets[doc];
    decodeRows(stored, offsets[doc], offsets[doc + 1], block);
    queries.forEach((q, i) => {
      const b = best.subarray(0, q.n);
      maxSimBlock(q.data, q.n, block, 0, rows, d, b, arg.subarray(0, q.n));
      let total = 0;
      for (let t = 0; t < q.n; t++) total += b[t];
      out[i][doc] = total;
    });
  }
  return out;
}
