/**
 * An index in one storage type (./registry.ts lists them, one module each), and MaxSim over it
 * without expanding the whole index. Scores are accumulated in fp32/fp64 in every case: what
 * changes is only what is kept.
 */
import { SettingError } from '../settingError.ts';
import { maxSimBlock, maxSimScores, type PackedCorpus } from '../maxsim.ts';
import { kernelHamming, kernelMaxSim, type KernelStored } from '../../kernels/ops.ts';
import { allocCorpus, KernelSpace, kernelsEnabled } from '../../kernels/space.ts';
import { binarize } from './binary.ts';
import type { StoredVectors } from './codec.ts';
import { EVAL_STORAGE_TYPES, RESIDUAL, RESIDUAL_TYPES, STORAGE, STORAGE_TYPES, describeStorage, type EvalStorage, type ResidualType, type StorageType } from './registry.ts';

export { binarize, EVAL_STORAGE_TYPES, RESIDUAL_TYPES, STORAGE, STORAGE_TYPES, describeStorage, type EvalStorage, type ResidualType, type StorageType, type StoredVectors };

export const isResidual = (s: string): s is ResidualType => s in RESIDUAL;

export const STORAGE_LABELS = Object.fromEntries(EVAL_STORAGE_TYPES.map((s) => [s, describeStorage(s).label])) as Record<EvalStorage, string>;
/** What each type is, for pickers and tooltips. */
export const STORAGE_HELP = Object.fromEntries(EVAL_STORAGE_TYPES.map((s) => [s, describeStorage(s).help])) as Record<EvalStorage, string>;
/** Line style of each type on the quality-against-bytes chart (an SVG dash pattern; fp32 solid). */
export const STORAGE_DASH = Object.fromEntries(EVAL_STORAGE_TYPES.map((s) => [s, describeStorage(s).dash])) as Record<EvalStorage, string | false>;

export function isStorageType(s: string): s is StorageType {
  return Object.hasOwn(STORAGE, s);
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
export const bytesPerVector = (storage: StorageType, d: number): number => STORAGE[storage].bytesPerVector(d);

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

/** Encodes `count` rows of d values into the storage type. */
export function encodeVectors(data: Float32Array, count: number, d: number, storage: StorageType): { vectors: StoredVectors; scales?: Float32Array } {
  if (data.length < count * d) throw new Error(`encodeVectors: ${data.length} values for ${count} x ${d}`);
  return STORAGE[storage].encode(data, count, d);
}

/**
 * Rows `start..end-1` decoded into `out` (from offset 0) as the fp32 values the storage keeps:
 * halves widened, s q for int8, +-1 for binary.
 */
export function decodeRows(stored: Pick<StoredCorpus, 'storage' | 'd' | 'vectors' | 'scales'>, start: number, end: number, out: Float32Array): Float32Array {
  STORAGE[stored.storage].decodeRows(stored.vectors, stored.scales, stored.d, start, end, out);
  return out;
}

/** The index as the kernels see it: its arrays and how its values are read. */
export const kernelView = (stored: Pick<StoredCorpus, 'storage' | 'd' | 'offsets' | 'vectors' | 'scales'>): KernelStored => ({ ...stored, element: STORAGE[stored.storage].kernel });

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
    { vectors: [STORAGE[stored.storage].array as never, stored.vectors.length], offsets: docs + 1, ...(stored.scales ? { scales: stored.scales.length } : {}) },
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
  return STORAGE[storage].query?.(query, qn, d) ?? query;
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
  if (kernelMaxSim(query, qn, kernelView(stored), scores)) return scores;
  const docs = stored.ids.length;
  const best = new Float64Array(qn);
  if (STORAGE[stored.storage].kernel === 'bits') {
    if (kernelHamming(query, qn, kernelView(stored), scores)) return scores;
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
  const view = kernelView(stored);
  if (queries.every((q, i) => kernelMaxSim(q.data, q.n, view, out[i]))) return out;
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
