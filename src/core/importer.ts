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
import { readNpz, type NpzHeaders } from './npz.ts';
import { readSafetensors, TensorFileError } from './safetensors.ts';
import { decodeResidualArrays, parseManifest, RESIDUAL_ARRAYS, storedFromFile } from './indexImport.ts';
import { decodeRows, isResidual, isStorageType, placeStored, STORAGE, type StoredCorpus } from './storage/stored.ts';
import { parseRelevance } from './relevance.ts';
import { ImportError } from './importError.ts';
import { field, FLOAT, readSide } from './importSide.ts';

export { parseRelevance };

export { ImportError };
export type { IndexManifest, NamedArrays, Side } from './indexTypes.ts';
import type { IndexManifest, NamedArrays } from './indexTypes.ts';

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
