/**
 * Building a compressed index as documents arrive, and writing it out:
 *
 * - IndexBuilder compresses each document as it is added and appends only the m stored vectors in
 *   the chosen storage type, so the full-length vectors of the corpus are never all in memory.
 * - exportSafetensors writes doc_embeddings (F32, F16, I8 with doc_scales, or U32 sign words),
 *   doc_offsets and doc_ids, plus a JSON manifest (also in the file's __metadata__), which
 *   importer.ts reads back to the same stored vectors, hence the same scores.
 * - residualIndexFiles writes a ColBERTv2 residual index (res2, res1): the fp16 codebook, one
 *   centroid id per vector, the packed residual bits and the bucket values, which importer.ts
 *   decodes to the vectors the comparison scored for that storage type.
 * - qdrantPoints yields Qdrant JSONL: one point per document with a multivector field, for a
 *   collection created with multivector_config.comparator = "max_sim" (README: Export).
 */
import { allocCorpus, KernelSpace } from '../kernels/space.ts';
import { compressDocument } from './compress.ts';
import { ENGINE_VERSION } from './experiment.ts';
import type { IndexManifest } from './importer.ts';
import { formatMethodSpec, type MethodSpec } from './methodSpec.ts';
import { DocumentError, type CompressedDoc, type MultiVector } from './multivector.ts';
import { writeSafetensors, type WritableTensor } from './safetensors.ts';
import { SettingError } from './settingError.ts';
import { decodeResidual, residualBytes, residualIndex, type ResidualIndex } from './residual.ts';
import { encodeCorpus, fdeDimension, muveraParams, type MuveraOptions } from './muvera.ts';
import { checkMuveraBytes } from './settingLimits.ts';
import type { PackedCorpus } from './maxsim.ts';
import { float32ToFloat16 } from './float16.ts';
import { RESIDUAL, RESIDUAL_TYPES } from './storage/registry.ts';
import { bytesPerVector, decodeRows, STORAGE, STORAGE_TYPES, encodeVectors, isResidual, placeStored, type EvalStorage, type StorageType, type StoredCorpus, type StoredVectors } from './storage/stored.ts';

export interface IndexBuilderOptions {
  d: number;
  spec: MethodSpec;
  /** m; null keeps every token (the uncompressed baseline). */
  budget: number | null;
  storage: StorageType;
  seed: number;
  /**
   * Expected documents and stored vectors (e.g. docs x m): storage is allocated once at this size,
   * so a large index is never copied while growing or when finished.
   */
  capacity?: { documents: number; vectors: number; maxRows?: number };
  /** Search threads the index will serve (shared memory for a worker pool when more than 1). */
  threads?: number;
}

/** Growable typed storage: capacity doubles, so appending n vectors costs O(n) amortised. */
class Grow<T extends StoredVectors | Float32Array | Int32Array> {
  length = 0;
  constructor(public buf: T) {}
  push(values: ArrayLike<number>): void {
    if (this.length + values.length > this.buf.length) {
      const bigger = new (this.buf.constructor as new (n: number) => T)(Math.max(this.buf.length * 2, this.length + values.length, 1024));
      bigger.set(this.buf.subarray(0, this.length) as never);
      this.buf = bigger;
    }
    this.buf.set(values as never, this.length);
    this.length += values.length;
  }
  /**
   * The values; the buffer itself (no copy) when it is exactly full, a view when it lives in a
   * kernel space (where the index must stay), else a trimmed copy.
   */
  result(): T {
    if (this.length === this.buf.length) return this.buf;
    return (KernelSpace.of(this.buf) ? this.buf.subarray(0, this.length) : this.buf.slice(0, this.length)) as T;
  }

  /** The values as a view (no copy), valid until the next push. */
  view(): T {
    return this.buf.subarray(0, this.length) as T;
  }
}

export class IndexBuilder {
  readonly ids: string[] = [];
  private offsets: Grow<Int32Array>;
  private vectors: Grow<StoredVectors>;
  private scales: Grow<Float32Array>;
  private count = 0;
  /** Tokens seen (before compression) and time spent compressing. */
  tokensIn = 0;
  compressMs = 0;

  constructor(readonly options: IndexBuilderOptions) {
    const { storage, d, capacity } = options;
    // A document's share of an adaptive budget depends on the whole corpus, which a streaming
    // index does not have: refused here, said plainly.
    if (options.spec.allocation)
      throw new SettingError(`"@${options.spec.allocation}" budgets are shared out over a whole corpus, so they are for comparisons only; export with a fixed budget`);
    const rows = capacity?.vectors ?? 64;
    const codec = STORAGE[storage];
    const values = rows * codec.width(d);
    const ctor = codec.array;
    const documents = (capacity?.documents ?? 1023) + 1;
    if (capacity) {
      // Known size: one kernel space holds the whole index, so MaxSim reads it in place.
      const placed = allocCorpus({ vectors: [ctor as never, values], offsets: documents, ...(codec.scaled ? { scales: rows } : {}) }, d, capacity.maxRows ?? options.budget ?? 0, { threads: options.threads });
      this.vectors = new Grow<StoredVectors>(placed.vectors as StoredVectors);
      this.scales = new Grow(placed.scales ?? new Float32Array(0));
      this.offsets = new Grow(placed.offsets);
    } else {
      this.vectors = new Grow<StoredVectors>(new ctor(values));
      this.scales = new Grow(new Float32Array(codec.scaled ? rows : 0));
      this.offsets = new Grow(new Int32Array(documents));
    }
    this.offsets.push([0]);
  }

  /** Compresses one document and appends its stored vectors; throws DocumentError if it is unusable. */
  add(doc: MultiVector): void {
    const { spec, budget, seed, d } = this.options;
    const t0 = performance.now();
    const c = compressDocument(doc, spec, budget ?? doc.n, { seed, expectedD: d });
    this.compressMs += performance.now() - t0;
    this.addCompressed(c);
  }

  /** Appends a document compressed elsewhere (e.g. a GPU k-means batch). */
  addCompressed(c: CompressedDoc): void {
    const { d, storage } = this.options;
    if (c.d !== d) throw new Error(`document "${c.id}" has dimension ${c.d}, the index has ${d}`);
    this.tokensIn += c.sourceTokens;
    const { vectors, scales } = encodeVectors(c.data, c.n, d, storage);
    this.vectors.push(vectors);
    if (scales) this.scales.push(scales);
    this.count += c.n;
    this.offsets.push([this.count]);
    this.ids.push(c.id);
  }

  get documents(): number {
    return this.ids.length;
  }

  /** Stored vectors so far. */
  get vectorCount(): number {
    return this.count;
  }

  /** Bytes held now, allocated capacity included (vectors, scales, offsets). */
  bytesHeld(): number {
    return this.vectors.buf.byteLength + this.scales.buf.byteLength + this.offsets.buf.byteLength;
  }

  /** The index, trimmed to its size (copied only when capacity was left over). */
  finish(): StoredCorpus {
    if (KernelSpace.of(this.vectors.buf)) return this.stored((g) => g.result());
    // Moved into a kernel space straight from the growing arrays (one copy, as trimming was).
    const view = this.stored((g) => g.view());
    const placed = placeStored(view);
    return placed !== view ? placed : this.stored((g) => g.result());
  }

  /** The index so far as views over the growing arrays: no copy, valid until the next add. */
  view(): StoredCorpus {
    return this.stored((g) => g.view());
  }

  private stored(take: <T extends StoredVectors | Int32Array>(g: Grow<T>) => T): StoredCorpus {
    const { d, storage } = this.options;
    return {
      storage,
      ids: this.ids,
      d,
      offsets: take(this.offsets),
      vectors: take(this.vectors),
      ...(STORAGE[storage].scaled ? { scales: take(this.scales) } : {}),
    };
  }
}

export interface ManifestInfo {
  model: string;
  spec: MethodSpec;
  budget: number | null;
  seed: number;
}

export function makeManifest(stored: Pick<StoredCorpus, 'ids' | 'd' | 'offsets'> & { storage: EvalStorage }, info: ManifestInfo): IndexManifest {
  return {
    format: 'mvc-index',
    formatVersion: 1,
    engineVersion: ENGINE_VERSION,
    model: info.model,
    method: formatMethodSpec(info.spec),
    options: { ...info.spec.options },
    budget: info.budget,
    seed: info.seed,
    storage: stored.storage,
    dimension: stored.d,
    documents: stored.ids.length,
    vectors: stored.offsets[stored.ids.length],
    created: new Date().toISOString(),
  };
}

export function exportSafetensors(stored: StoredCorpus, manifest: IndexManifest, extra: Record<string, WritableTensor> = {}): Uint8Array {
  const rows = stored.offsets[stored.ids.length];
  const { d } = stored;
  const codec = STORAGE[stored.storage];
  const embeddings = { dtype: codec.dtype, shape: [rows, codec.width(d)], data: stored.vectors } as WritableTensor;
  // 4-byte arrays first, the (possibly odd-length) embeddings last: every tensor stays aligned.
  const tensors: Record<string, WritableTensor> = { doc_offsets: { dtype: 'I32', shape: [stored.ids.length + 1], data: stored.offsets } };
  if (stored.scales) tensors.doc_scales = { dtype: 'F32', shape: [rows], data: stored.scales };
  Object.assign(tensors, extra);
  tensors.doc_embeddings = embeddings;
  return writeSafetensors(tensors, { manifest: JSON.stringify(manifest), doc_ids: JSON.stringify(stored.ids) });
}

/** Bytes of the stored vectors per document, by storage type, for an index of `vectors` rows. */
export function bytesPerDocument(storage: StorageType, d: number, vectors: number, docs: number): number {
  return docs ? (bytesPerVector(storage, d) * vectors) / docs : 0;
}

/**
 * Qdrant points, one JSON line per document: {"id": i, "vector": {name: [[...], ...]},
 * "payload": {"doc_id": ...}}. Values are the stored ones (fp16 and int8 decoded), printed
 * with the shortest text that reads back to the same float32. Binary vectors are refused: Qdrant's
 * multivectors score float dot products, not Hamming distance.
 */
export function* qdrantPoints(stored: StoredCorpus, vectorName = 'colbert', payload: Record<string, unknown> = {}, fde?: { data: Float32Array; D: number }): Generator<string> {
  if (!STORAGE[stored.storage].qdrant)
    throw new Error(`${stored.storage} vectors cannot go to Qdrant as a MAX_SIM multivector (it scores dot products); export ${STORAGE_TYPES.filter((s) => STORAGE[s].qdrant).join(', ')}`);
  const { d, offsets } = stored;
  let block = new Float32Array(0);
  for (let i = 0; i < stored.ids.length; i++) {
    const n = offsets[i + 1] - offsets[i];
    if (block.length < n * d) block = new Float32Array(n * d);
    decodeRows(stored, offsets[i], offsets[i + 1], block);
    const vectors: number[][] = [];
    for (let r = 0; r < n; r++) vectors.push(Array.from(block.subarray(r * d, r * d + d), (x) => Number(Math.fround(x).toPrecision(9))));
    const named: Record<string, unknown> = { [vectorName]: vectors };
    if (fde) named.fde = Array.from(fde.data.subarray(i * fde.D, (i + 1) * fde.D), (x) => Number(Math.fround(x).toPrecision(9)));
    yield JSON.stringify({ id: i, vector: named, payload: { doc_id: stored.ids[i], ...payload } }) + '\n';
  }
}

/** The collection settings the JSONL expects (PUT /collections/{name}). */
export function qdrantCollectionConfig(stored: StoredCorpus, vectorName = 'colbert', fdeDimension?: number): Record<string, unknown> {
  return {
    vectors: {
      // MUVERA's single vector per document, for a first stage (Qdrant's prefetch) before MaxSim.
      ...(fdeDimension ? { fde: { size: fdeDimension, distance: 'Dot' } } : {}),
      [vectorName]: {
        size: stored.d,
        distance: 'Dot',
        multivector_config: { comparator: 'max_sim' },
        // fp16 values are exact in a float16 collection; int8 values (s q) are not, so float32.
        datatype: STORAGE[stored.storage].qdrant ?? 'float32',
      },
    },
  };
}

/**
 * Compresses every document into one index, skipping (and listing) documents that cannot be used:
 * one broken document never stops the rest.
 */
export function buildIndex(docs: Iterable<MultiVector>, options: IndexBuilderOptions): { stored: StoredCorpus; skipped: string[]; tokensIn: number } {
  const builder = new IndexBuilder(options);
  const skipped: string[] = [];
  for (const doc of docs) {
    try {
      builder.add(doc);
    } catch (e) {
      if (!(e instanceof DocumentError)) throw e;
      skipped.push(e.message);
    }
  }
  return { stored: builder.finish(), skipped, tokensIn: builder.tokensIn };
}

/** The three files of an export: the index, its manifest (with the Qdrant collection settings) and Qdrant points. */
export interface IndexFiles {
  /** "index-agc-m32-fp16": the name every file starts with. */
  baseName: string;
  manifest: IndexManifest;
  safetensors: Uint8Array;
  manifestJson: string;
  /** Qdrant JSONL lines, or undefined for binary indexes (see qdrantPoints). */
  qdrant?: () => Generator<string>;
}

export function indexFiles(stored: StoredCorpus, info: ManifestInfo, muvera?: MuveraOptions): IndexFiles {
  const rows = stored.offsets[stored.ids.length];
  const fde = muvera ? muveraExtras({ ids: stored.ids, d: stored.d, offsets: stored.offsets, data: decodeRows(stored, 0, rows, new Float32Array(rows * stored.d)) }, muvera) : undefined;
  const manifest = { ...makeManifest(stored, info), ...(fde ? { muvera: fde.manifest } : {}) };
  return {
    baseName: `index-${manifest.method.replace(/[^a-z0-9-]+/gi, '_')}-m${info.budget ?? 'full'}-${stored.storage}`,
    manifest,
    safetensors: exportSafetensors(stored, manifest, fde?.tensors),
    manifestJson: JSON.stringify({ ...manifest, qdrant: qdrantCollectionConfig(stored, 'colbert', fde?.manifest.dimension) }, null, 2) + '\n',
    qdrant: !STORAGE[stored.storage].qdrant ? undefined : () => qdrantPoints(stored, 'colbert', { method: manifest.method, budget: info.budget }, fde?.rows),
  };
}

/**
 * MUVERA's encodings of an index, to export beside it: `doc_fde` (documents x D, F32) and the
 * random matrices a query needs to be encoded the same way (`muvera_hyperplanes`, reps x k_sim x
 * d; `muvera_projections`, reps x d_proj x d, when d_proj < d), with the settings for the manifest.
 * A query's encoding: per repetition, each query vector's bucket is the number whose bit i is set
 * when its dot product with hyperplane i is > 0; the bucket's block is the sum of the (projected)
 * query vectors in it; blocks in bucket order, repetitions concatenated (src/core/muvera.ts).
 */
export function muveraExtras(decoded: PackedCorpus, options: MuveraOptions) {
  checkMuveraBytes(decoded.ids.length, options.reps, options.kSim, options.dProj);
  const p = muveraParams(decoded.d, options);
  const D = fdeDimension(p);
  const data = encodeCorpus(p, decoded);
  const tensors: Record<string, WritableTensor> = {
    doc_fde: { dtype: 'F32', shape: [decoded.ids.length, D], data },
    muvera_hyperplanes: { dtype: 'F32', shape: [p.reps, p.kSim, p.d], data: p.hyperplanes },
  };
  if (p.projections) tensors.muvera_projections = { dtype: 'F32', shape: [p.reps, p.dProj, p.d], data: p.projections };
  return {
    tensors,
    rows: { data, D },
    manifest: { kSim: p.kSim, reps: p.reps, dProj: p.dProj, seed: options.seed, dimension: D, source: 'MUVERA (arXiv 2405.19504), src/core/muvera.ts' },
  };
}

/** The same files as Blobs, for a worker to hand to the page. */
export function indexFileBlobs(files: IndexFiles) {
  return {
    baseName: files.baseName,
    documents: files.manifest.documents,
    vectors: files.manifest.vectors,
    index: new Blob([files.safetensors as BlobPart], { type: 'application/octet-stream' }),
    manifest: files.manifestJson,
    points: files.qdrant ? new Blob([...files.qdrant()], { type: 'application/x-ndjson' }) : undefined,
  };
}

/**
 * A residual index (res2 or res1) as files: safetensors with doc_offsets, residual_codes (U16, one
 * centroid id per vector), residual_bits (U8, each vector's packed codes as residual.ts packs them),
 * residual_centroids (F16, K x d), residual_cutoffs and residual_weights (F32), and the manifest
 * with a `residual` field. Qdrant gets the decoded vectors (float32): it has no residual codec.
 */
export function residualIndexFiles(r: ResidualIndex, info: ManifestInfo, muvera?: MuveraOptions): IndexFiles {
  const storage = RESIDUAL_TYPES.find((t) => RESIDUAL[t].bits === r.bits)!;
  const decoded = decodeResidual(r);
  const fde = muvera ? muveraExtras(decoded, muvera) : undefined;
  const manifest: IndexManifest = {
    ...makeManifest({ ids: r.ids, d: r.d, offsets: r.offsets, storage }, info),
    residual: { bits: r.bits, centroids: r.k, renormalise: r.renormalise, bytes: residualBytes(r) },
    ...(fde ? { muvera: fde.manifest } : {}),
  };
  const n = r.codes.length;
  const tensors: Record<string, WritableTensor> = {
    doc_offsets: { dtype: 'I32', shape: [r.ids.length + 1], data: r.offsets.subarray(0, r.ids.length + 1) },
    residual_cutoffs: { dtype: 'F32', shape: [r.cutoffs.length], data: r.cutoffs },
    residual_weights: { dtype: 'F32', shape: [r.weights.length], data: r.weights },
    ...fde?.tensors, // 4-byte values before the 2- and 1-byte arrays: every tensor stays aligned
    // The codebook as it was used: fp16 values (widened exactly in memory), narrowed exactly back.
    residual_centroids: { dtype: 'F16', shape: [r.k, r.d], data: Uint16Array.from(r.centroids, (v) => float32ToFloat16(v)) },
    residual_codes: { dtype: 'U16', shape: [n], data: r.codes },
    residual_bits: { dtype: 'U8', shape: [n, Math.ceil((r.d * r.bits) / 8)], data: r.residuals },
  };
  const asStored: StoredCorpus = { storage: 'fp32', ids: decoded.ids, d: decoded.d, offsets: decoded.offsets, vectors: decoded.data };
  return {
    baseName: `index-${manifest.method.replace(/[^a-z0-9-]+/gi, '_')}-m${info.budget ?? 'full'}-${storage}`,
    manifest,
    safetensors: writeSafetensors(tensors, { manifest: JSON.stringify(manifest), doc_ids: JSON.stringify(r.ids) }),
    manifestJson: JSON.stringify({ ...manifest, qdrant: qdrantCollectionConfig(asStored, 'colbert', fde?.manifest.dimension) }, null, 2) + '\n',
    qdrant: () => qdrantPoints(asStored, 'colbert', { method: manifest.method, budget: info.budget, storage }, fde?.rows),
  };
}

/**
 * Compresses the corpus and writes it in any storage type the comparison scores: the four stored
 * types through IndexBuilder, the residual ones through an fp32 index (the vectors the comparison
 * compresses) and residual.ts with the same seed, so the file decodes to the vectors it scored.
 */
export function exportFiles(docs: Iterable<MultiVector>, options: Omit<IndexBuilderOptions, 'storage'> & { storage: EvalStorage }, model: string, muvera?: MuveraOptions): { files: IndexFiles; skipped: string[]; tokensIn: number } {
  const { storage, spec, budget, seed } = options;
  if (!isResidual(storage)) {
    const { stored, skipped, tokensIn } = buildIndex(docs, { ...options, storage });
    return { files: indexFiles(stored, { model, spec, budget, seed }, muvera), skipped, tokensIn };
  }
  const { stored, skipped, tokensIn } = buildIndex(docs, { ...options, storage: 'fp32' });
  if (stored.ids.length === 0) throw new SettingError('no document could be compressed, so there is no index to write');
  const packed = { ids: stored.ids, d: stored.d, offsets: stored.offsets, data: stored.vectors as Float32Array };
  return { files: residualIndexFiles(residualIndex(packed, RESIDUAL[storage].bits, seed), { model, spec, budget, seed }, muvera), skipped, tokensIn };
}
