/**
 * Import of multi-vector embeddings computed elsewhere (ColPali, ColQwen, PyLate, ...), for the
 * page and `cli eval --input` alike. Files: safetensors, NumPy .npz, or (CLI) a folder of .npy.
 *
 * Arrays, for documents (prefix doc_) and queries (prefix query_); in a file that holds only one
 * side the prefix may be left out (embeddings, offsets, ...):
 *
 *   ragged   <p>_embeddings float [T, d] + <p>_offsets int [N + 1] (0 = o_0 <= ... <= o_N = T)
 *   padded   <p>_embeddings float [N, L, d] + optional <p>_mask [N, L] (non-zero = real token;
 *            without a mask, all-zero rows are padding)
 *   <p>_ids        strings, N of them: a NumPy string array, or JSON in safetensors __metadata__
 *   doc_saliency   float [T] (ragged) or [N, L] (padded), >= 0
 *   doc_grid       int [rows, cols] or [rows, cols, frames]: the first rows x cols x frames tokens
 *                  of every document are patches in row-major order (frame, row, column)
 *   relevance      a separate TSV (query_id, doc_id, grade) or JSON {query_id: {doc_id: grade}}
 *
 * Floats may be float32, float16, bfloat16 (safetensors) or float64. An exported index (see
 * exportIndex.ts) carries a manifest and may hold int8 vectors with doc_scales, or binary words.
 * Every error names the field; an import either returns the whole corpus or throws.
 */
import type { Judgments } from './metrics.ts';
import type { VectorSet } from './maxsim.ts';
import type { GridShape, MultiVector, TokenPositions } from './multivector.ts';
import type { NpyArray } from './npy.ts';
import { readNpz, type NpzHeaders } from './npz.ts';
import { readSafetensors, TensorFileError } from './safetensors.ts';
import { decodeResidualArrays, parseManifest, RESIDUAL_ARRAYS, storedFromFile } from './indexImport.ts';
import { decodeRows, isResidual, isStorageType, placeStored, STORAGE, type StoredCorpus } from './storage/stored.ts';
import { LIMITS } from './limits.ts';
import { parseRelevance } from './relevance.ts';
import { ImportError } from './importError.ts';

export { parseRelevance };

export { ImportError };
export type { IndexManifest, NamedArrays, Side } from './indexTypes.ts';
import type { IndexManifest, NamedArrays, Side } from './indexTypes.ts';

export interface ImportFile {
  name: string;
  bytes: Uint8Array;
}


export interface ImportedCorpus {
  docs: MultiVector[];
  queries: VectorSet[];
  qrels: Map<string, Judgments>;
  d: number;
  layout: 'ragged' | 'padded';
  /** The vectors' type in the file, e.g. "F16", "<f4". */
  dtype: string;
  /** Present when the file is an exported index: its manifest and the vectors as stored. */
  manifest?: IndexManifest;
  stored?: StoredCorpus;
  /** Things the user should know that are not errors (ignored arrays, defaulted ids). */
  notes: string[];
}


/**
 * The structure an .npz must have for the side it holds, checked on its members' .npy headers
 * before any data is inflated: the embeddings, and offsets when they are 2-D (ragged). The same
 * messages as the full read gives, for the price of a few hundred bytes per member.
 */
function checkNpzStructure(headers: NpzHeaders, prefix: 'doc' | 'query'): void {
  const pick = (field: string) => (headers.has(`${prefix}_${field}`) ? `${prefix}_${field}` : headers.has(field) ? field : undefined);
  const ek = pick('embeddings');
  if (!ek) {
    if (prefix === 'doc') throw new ImportError(`doc_embeddings is missing (arrays found: ${[...headers.keys()].join(', ') || 'none'})`);
    return;
  }
  const dims = headers.get(ek)!.shape.length;
  const ok = pick('offsets') ?? `${prefix}_offsets`;
  const mk = `${prefix}_mask`;
  if (dims === 2 && !headers.has(ok)) throw new ImportError(`${ok} is missing: a 2-D ${ek} [tokens, d] needs offsets [documents + 1] (or give ${ek} padded as [documents, length, d] with ${mk})`);
  if (dims !== 2 && dims !== 3) throw new ImportError(`${ek}: expected 2-D [tokens, d] (with ${ok}) or 3-D [documents, length, d] (with ${mk}), got shape (${headers.get(ek)!.shape.join(', ')})`);
}

/**
 * Reads a .safetensors or .npz file into named arrays (by content, falling back to the name). An
 * .npz holding `side` is checked from its members' headers before its data is inflated.
 */
export async function readTensorFile(file: ImportFile, side?: 'doc' | 'query'): Promise<NamedArrays> {
  const { name, bytes } = file;
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b;
  try {
    if (isZip || /\.npz$/i.test(name)) return { arrays: await readNpz(bytes, name, side && ((h) => checkNpzStructure(h, side))), metadata: {} };
    if (/\.npy$/i.test(name)) throw new ImportError(`${name}: a single .npy holds one array; put the arrays in one .npz (np.savez) or, for the CLI, a folder of .npy files`);
    if (/\.safetensors$/i.test(name) || bytes.length >= 9) {
      const t = readSafetensors(bytes, name);
      return { arrays: t.tensors, metadata: t.metadata };
    }
  } catch (err) {
    if (err instanceof TensorFileError) throw new ImportError(`${name}: ${err.message.replace(`${name}: `, '')}`);
    if (err instanceof ImportError && err.file === undefined) {
      // A structure refused from the headers: named with its file, as the full read names it.
      const e = new ImportError(`${name}: ${err.message}`);
      e.file = name;
      throw e;
    }
    throw err;
  }
  throw new ImportError(`${name}: not a .safetensors or .npz file`);
}

const FLOAT = new Set(['F32', 'F16', 'BF16', 'F64', '<f4', '<f2', '<f8']);

function stringsOf(na: NamedArrays, key: string): string[] | undefined {
  const arr = na.arrays.get(key);
  if (arr) {
    if (!arr.strings) throw new ImportError(`${key}: expected strings (np.array(ids, dtype=str)), got ${arr.dtype}`);
    return arr.strings;
  }
  const meta = na.metadata[key];
  if (meta === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(meta);
  } catch {
    throw new ImportError(`${key} (metadata): not JSON`);
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new ImportError(`${key} (metadata): expected a JSON array of strings`);
  return v;
}


/** Finds `<prefix>_<field>`, or the bare `<field>` when `bare` is allowed. */
function field(na: NamedArrays, prefix: string, name: string, bare: boolean): [string, NpyArray | undefined] {
  const key = `${prefix}_${name}`;
  if (na.arrays.has(key)) return [key, na.arrays.get(key)];
  if (bare && na.arrays.has(name)) return [name, na.arrays.get(name)];
  return [key, undefined];
}

/** One side's arrays as found in the file, with the names they were found under. */
interface SideArrays {
  prefix: 'doc' | 'query';
  ek: string;
  emb: NpyArray;
  ok: string;
  off?: NpyArray;
  mk: string;
  mask?: NpyArray;
  words: { one: string; many: string; idPrefix: string };
}

/** Sizes as declared, checked before any loop over them (a 300-byte file can declare 10^10 rows). */
function checkDeclaredSizes(a: SideArrays, packed: boolean): void {
  const { emb, off, ek } = a;
  const limitOf = a.prefix === 'doc' ? LIMITS.documents : LIMITS.queries;
  const dims = emb.shape;
  const rows = dims.length === 3 ? dims[0] : (off?.data.length ?? 1) - 1;
  const vectors = dims.length === 3 ? dims[0] * dims[1] : dims[0];
  const dimension = dims[dims.length - 1];
  if (dims.length >= 2 && (dimension < 1 || dimension > LIMITS.dimension) && !packed)
    throw new ImportError(`${ek}: vectors of dimension ${dimension}; expected 1 to ${LIMITS.dimension.toLocaleString('en')}`);
  if (rows > limitOf) throw new ImportError(`${ek}: ${rows.toLocaleString('en')} ${a.words.many}, over the limit of ${limitOf.toLocaleString('en')}`);
  if (vectors > LIMITS.totalTokens) throw new ImportError(`${ek}: ${vectors.toLocaleString('en')} vectors, over the limit of ${LIMITS.totalTokens.toLocaleString('en')} per import`);
}

/** A 2-D [tokens, d] array split by offsets [documents + 1]. */
function raggedSide(a: SideArrays, d: number): Side {
  const { emb, off, ek, ok, mk } = a;
  if (!off) throw new ImportError(`${ok} is missing: a 2-D ${ek} [tokens, d] needs offsets [documents + 1] (or give ${ek} padded as [documents, length, d] with ${mk})`);
  if (off.shape.length !== 1 || off.data instanceof Float32Array)
    throw new ImportError(`${ok}: expected a 1-D integer array, got ${off.dtype} of shape (${off.shape.join(', ')})`);
  const total = emb.shape[0];
  const o = off.data;
  if (o.length < 2 || o[0] !== 0 || o[o.length - 1] !== total)
    throw new ImportError(`${ok}: must start at 0 and end at ${total} (the rows of ${ek}), got ${o[0]} .. ${o[o.length - 1]}`);
  for (let i = 1; i < o.length; i++) if (o[i] < o[i - 1]) throw new ImportError(`${ok}: must not decrease (entry ${i}: ${o[i]} < ${o[i - 1]})`);
  const count = o.length - 1;
  const parts = Array.from({ length: count }, (_, i) => ({ id: '', n: o[i + 1] - o[i], data: new Float32Array(0), start: o[i] }));
  return { prefix: a.prefix, count, d, layout: 'ragged', dtype: emb.dtype, parts };
}

/** A 3-D [documents, length, d] array: the rows the mask keeps (or, without one, the rows not all zero). */
function paddedSide(a: SideArrays, notes: string[]): Side {
  const { emb, off, mask, ek, ok, mk } = a;
  const [count, len, d] = emb.shape;
  if (off) notes.push(`${ok} ignored: ${ek} is padded`);
  const data = emb.data as Float32Array;
  if (mask && (mask.shape.length !== 2 || mask.shape[0] !== count || mask.shape[1] !== len))
    throw new ImportError(`${mk}: expected shape (${count}, ${len}) to match ${ek} (${emb.shape.join(', ')}), got (${mask.shape.join(', ')})`);
  if (!mask) notes.push(`no ${mk}: all-zero rows of ${ek} were taken as padding`);
  const real = (row: number) => {
    if (mask) return mask.data[row] !== 0;
    for (let k = 0; k < d; k++) if (data[row * d + k] !== 0) return true;
    return false;
  };
  const parts = Array.from({ length: count }, (_, i) => {
    const kept: number[] = [];
    for (let t = 0; t < len; t++) if (real(i * len + t)) kept.push(t);
    return { id: '', n: kept.length, data: new Float32Array(0), start: i * len, kept: Int32Array.from(kept) };
  });
  return { prefix: a.prefix, count, d, layout: 'padded', dtype: emb.dtype, parts };
}

/** Names every part (its id, or prefix + index without ids) and refuses a part with no tokens. */
function nameParts(na: NamedArrays, a: SideArrays, side: Side, bare: boolean, notes: string[]): void {
  const has = (k: string) => na.arrays.has(k) || na.metadata[k] !== undefined;
  const idsKey = !has(`${a.prefix}_ids`) && bare && has('ids') ? 'ids' : `${a.prefix}_ids`;
  const ids = stringsOf(na, idsKey);
  const { one, many, idPrefix } = a.words;
  if (ids && ids.length !== side.count) throw new ImportError(`${idsKey}: ${ids.length} ids for ${side.count} ${many}`);
  if (ids) {
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) throw new ImportError(`${idsKey}: "${id}" appears more than once`);
      seen.add(id);
    }
  } else notes.push(`no ${idsKey}: ${many} are named ${idPrefix}0, ${idPrefix}1, ...`);
  side.parts.forEach((p, i) => {
    p.id = ids?.[i] ?? `${idPrefix}${i}`;
    if (p.n === 0) {
      const what = `${one} ${i} ("${p.id}")`;
      if (side.layout === 'ragged') throw new ImportError(`${a.ok}: ${what} has no tokens`);
      throw new ImportError(a.mask ? `${a.mk}: ${what} has no tokens` : `${a.ek}: ${what} is all zeros (taken as padding, so it has no tokens)`);
    }
  });
}

/**
 * Each part's vectors (a view of a ragged array, a gathered copy of a padded one), every value
 * finite, and at least one vector not all zeros: a zero vector has no direction, so a document of
 * them matches nothing (cosine undefined) and would make every compression method divide by zero.
 */
function gatherVectors(a: SideArrays, side: Side): void {
  const d = side.d;
  const all = a.emb.data as Float32Array;
  for (const [i, p] of side.parts.entries()) {
    if (p.kept) {
      const out = new Float32Array(p.n * d);
      p.kept.forEach((t, r) => out.set(all.subarray((p.start + t) * d, (p.start + t + 1) * d), r * d));
      p.data = out;
    } else p.data = all.subarray(p.start * d, (p.start + p.n) * d);
    let nonzero = false;
    for (let v = 0; v < p.data.length; v++) {
      if (!Number.isFinite(p.data[v])) throw new ImportError(`${a.ek}: ${a.words.one} ${i} ("${p.id}") token ${Math.floor(v / d)} has a non-finite value (${p.data[v]})`);
      nonzero ||= p.data[v] !== 0;
    }
    if (!nonzero) throw new ImportError(`${a.ek}: ${a.words.one} ${i} ("${p.id}") has only zero vectors (${p.n} x ${d}); a zero vector has no direction to match`);
  }
}

function readSide(na: NamedArrays, prefix: 'doc' | 'query', bare: boolean, notes: string[], manifest?: IndexManifest): Side | undefined {
  const [ek, emb] = field(na, prefix, 'embeddings', bare);
  const [ok, off] = field(na, prefix, 'offsets', bare);
  const [mk, mask] = field(na, prefix, 'mask', bare);
  if (!emb) {
    if (off || mask) throw new ImportError(`${ek} is missing (the file has ${ok}${mask ? ` / ${mk}` : ''})`);
    return undefined;
  }
  const words = prefix === 'doc' ? { one: 'document', many: 'documents', idPrefix: 'doc-' } : { one: 'query', many: 'queries', idPrefix: 'q-' };
  const a: SideArrays = { prefix, ek, emb, ok, off, mk, mask, words };
  const manifestStorage = prefix === 'doc' ? manifest?.storage : undefined;
  const codec = manifestStorage !== undefined && isStorageType(manifestStorage) ? STORAGE[manifestStorage] : undefined;
  /** Stored values that are not floats (int8, binary): read as the storage type decodes them. */
  const quantised = codec !== undefined && !FLOAT.has(codec.dtype);
  /** Rows that are not d values (binary's words): d comes from the manifest. */
  const packed = codec !== undefined && codec.width(manifest!.dimension) !== manifest!.dimension;
  if (!FLOAT.has(emb.dtype) && !quantised) throw new ImportError(`${ek}: dtype ${emb.dtype} is not supported; expected float32, float16, bfloat16 or float64`);
  checkDeclaredSizes(a, packed);
  if (emb.shape.length !== 2 && emb.shape.length !== 3)
    throw new ImportError(`${ek}: expected 2-D [tokens, d] (with ${ok}) or 3-D [documents, length, d] (with ${mk}), got shape (${emb.shape.join(', ')})`);
  if (emb.shape.length === 3 && quantised) throw new ImportError(`${ek}: a quantised index must be ragged`);
  const side = emb.shape.length === 2 ? raggedSide(a, packed ? manifest!.dimension : emb.shape[1]) : paddedSide(a, notes);
  nameParts(na, a, side, bare, notes);
  if (!quantised) gatherVectors(a, side);
  return side;
}

function gridOf(na: NamedArrays): GridShape | undefined {
  const g = na.arrays.get('doc_grid');
  const meta = na.metadata.doc_grid;
  let values: number[] | undefined;
  try {
    values = g ? Array.from(g.data) : meta !== undefined ? (JSON.parse(meta) as number[]) : undefined;
  } catch {
    throw new ImportError('doc_grid (metadata): not JSON');
  }
  if (!values) return undefined;
  if (!Array.isArray(values) || (values.length !== 2 && values.length !== 3) || values.some((v) => !Number.isInteger(v) || v < 1))
    throw new ImportError(`doc_grid: expected [rows, cols] or [rows, cols, frames] of positive integers, got ${JSON.stringify(values)}`);
  return { rows: values[0], cols: values[1], ...(values[2] ? { frames: values[2] } : {}) };
}

/** Positions of the first rows x cols x frames tokens (row-major per frame); the rest get -1. */
function gridPositions(n: number, grid: GridShape): TokenPositions {
  const per = grid.rows * grid.cols;
  const frames = grid.frames ?? 1;
  const row = new Int16Array(n).fill(-1);
  const col = new Int16Array(n).fill(-1);
  const frame = grid.frames ? new Int32Array(n).fill(-1) : undefined;
  for (let t = 0; t < Math.min(n, per * frames); t++) {
    row[t] = Math.floor((t % per) / grid.cols);
    col[t] = t % grid.cols;
    if (frame) frame[t] = Math.floor(t / per);
  }
  return frame ? { row, col, frame } : { row, col };
}


/**
 * Builds the corpus from named arrays: documents (required), queries (from the same arrays or
 * `queryArrays`), relevance. Throws ImportError naming the field at the first problem.
 */
export function corpusFromArrays(
  docArrays: NamedArrays,
  queryArrays?: NamedArrays,
  relevance?: { name: string; text: string },
  names: { docs?: string; queries?: string } = {},
): ImportedCorpus {
  const notes: string[] = [];
  const named = <T>(file: string | undefined, f: () => T): T => {
    try {
      return f();
    } catch (err) {
      if (err instanceof ImportError && file && err.file === undefined) {
        const e = new ImportError(`${file}: ${err.message}`);
        e.file = file;
        throw e;
      }
      throw err;
    }
  };
  const corpus = named(names.docs, () => build(docArrays, queryArrays, notes, (f) => named(queryArrays ? names.queries : names.docs, f)));
  if (relevance) {
    corpus.qrels = parseRelevance(relevance.name, relevance.text);
    const docIds = new Set(corpus.docs.map((x) => x.id));
    const queryIds = new Set(corpus.queries.map((x) => x.id));
    for (const [qid, rel] of corpus.qrels) {
      if (!queryIds.has(qid)) throw new ImportError(`${relevance.name}: query "${qid}" is not among the ${corpus.queries.length} query ids`);
      for (const did of rel.keys()) if (!docIds.has(did)) throw new ImportError(`${relevance.name}: document "${did}" (for query "${qid}") is not among the document ids`);
    }
  }
  return corpus;
}

function build(
  docArrays: NamedArrays,
  queryArrays: NamedArrays | undefined,
  notes: string[],
  inQueryFile: <T>(f: () => T) => T,
): ImportedCorpus {
  const manifest = docArrays.metadata.manifest ? parseManifest(docArrays.metadata.manifest) : undefined;
  // A residual index: decoded here to the vectors it stands for, then read like an fp32 file.
  if (manifest && isResidual(manifest.storage)) docArrays = { ...docArrays, arrays: new Map([...docArrays.arrays, ['doc_embeddings', decodeResidualArrays(docArrays, manifest)]]) };
  const docSide = readSide(docArrays, 'doc', true, notes, manifest);
  if (!docSide) throw new ImportError(`doc_embeddings is missing (arrays found: ${[...docArrays.arrays.keys()].join(', ') || 'none'})`);
  const d = docSide.d;
  let stored: StoredCorpus | undefined;
  const [ek, emb] = field(docArrays, 'doc', 'embeddings', true);
  if (manifest && (isStorageType(manifest.storage) || isResidual(manifest.storage))) {
    stored = placeStored(storedFromFile(docArrays, { ...manifest, storage: isResidual(manifest.storage) ? 'fp32' : manifest.storage }, docSide, emb!, ek));
    if (!FLOAT.has(STORAGE[stored.storage].dtype)) {
      // Dequantised vectors for everything that reads fp32 (methods, charts); fp32 and fp16 already are.
      const decoded = decodeRows(stored, 0, stored.offsets[docSide.count], new Float32Array(stored.offsets[docSide.count] * d));
      for (const p of docSide.parts) p.data = decoded.subarray(p.start * d, (p.start + p.n) * d);
    }
  }
  const [sk, sal] = field(docArrays, 'doc', 'saliency', true);
  if (sal) {
    const want = docSide.layout === 'ragged' ? [emb!.shape[0]] : [emb!.shape[0], emb!.shape[1]];
    if (sal.shape.join(',') !== want.join(','))
      throw new ImportError(`${sk}: expected shape (${want.join(', ')}${want.length === 1 ? ',' : ''}) to match ${ek}, got (${sal.shape.join(', ')})`);
    for (let i = 0; i < sal.data.length; i++)
      if (!Number.isFinite(sal.data[i]) || sal.data[i] < 0) throw new ImportError(`${sk}: value ${i} is ${sal.data[i]}; saliency must be finite and >= 0`);
  }
  const grid = gridOf(docArrays);
  const docs: MultiVector[] = docSide.parts.map((p) => {
    const doc: MultiVector = { id: p.id, n: p.n, d, data: p.data };
    if (sal) {
      doc.saliency = p.kept ? Float32Array.from(p.kept, (t) => sal.data[p.start + t]) : Float32Array.from(sal.data.subarray(p.start, p.start + p.n));
      doc.saliencySource = 'imported';
    }
    if (grid) {
      doc.grid = grid;
      doc.positions = gridPositions(p.n, grid);
    }
    return doc;
  });
  if (docs.length === 0) throw new ImportError(`${ek}: holds no documents; nothing was imported (the corpus you had is kept)`);
  const qSource = queryArrays ?? docArrays;
  const qSide = inQueryFile(() => {
    const side = readSide(qSource, 'query', queryArrays !== undefined, notes);
    if (!side && queryArrays)
      throw new ImportError(`query_embeddings (or embeddings) is missing (arrays found: ${[...queryArrays.arrays.keys()].join(', ') || 'none'})`);
    if (side && side.d !== d)
      throw new ImportError(`query_embeddings: queries have d = ${side.d} but doc_embeddings has d = ${d}; both must come from the same model`);
    return side;
  });
  const queries: VectorSet[] = (qSide?.parts ?? []).map((p) => ({ id: p.id, n: p.n, d, data: p.data }));
  const qrels = new Map<string, Judgments>();
  const known = new Set(['embeddings', 'offsets', 'mask', 'ids', 'saliency', 'grid', 'scales'].flatMap((f) => [f, `doc_${f}`, `query_${f}`]));
  if (manifest?.residual) for (const r of RESIDUAL_ARRAYS) known.add(r);
  if (manifest?.muvera) for (const r of ['doc_fde', 'muvera_hyperplanes', 'muvera_projections']) known.add(r);
  const ignored = [...docArrays.arrays.keys(), ...(queryArrays ? [...queryArrays.arrays.keys()] : [])].filter((k) => !known.has(k) && k !== 'doc_assignments');
  if (ignored.length) notes.push(`ignored arrays: ${ignored.join(', ')}`);
  return { docs, queries, qrels, d, layout: docSide.layout, dtype: docSide.dtype, manifest, stored, notes };
}

/** The page's and CLI's entry point: document file, optional query file and relevance file. */
export async function importEmbeddings(docs: ImportFile, queries?: ImportFile, relevance?: ImportFile): Promise<ImportedCorpus> {
  const docArrays = await readTensorFile(docs, 'doc');
  const queryArrays = queries ? await readTensorFile(queries, 'query') : undefined;
  const rel = relevance ? { name: relevance.name, text: new TextDecoder().decode(relevance.bytes) } : undefined;
  return corpusFromArrays(docArrays, queryArrays, rel, { docs: docs.name, queries: queries?.name });
}
