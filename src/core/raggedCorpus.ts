/**
 * A corpus as named arrays in the "ragged" layout: all token vectors of all documents stacked
 * ([total_tokens, d]) plus offsets ([docs + 1]) marking where each document starts. The same
 * layout serves loose .npy files in a folder (cli eval --input DIR) and, later, .npz/.safetensors.
 *
 *   doc_embeddings   float [T, d]      doc_offsets    int [D + 1], 0 = o_0 <= ... <= o_D = T
 *   doc_saliency     float [T]          (optional, >= 0)
 *   query_embeddings float [Tq, d]     query_offsets  int [Q + 1]
 *   doc_ids, query_ids: string lists   (optional; default "doc-0".., "q-0"..)
 *   qrels: "query_id<TAB>doc_id<TAB>grade" lines (grade optional, default 1; '#' lines ignored)
 */
import type { Judgments } from './metrics.ts';
import type { VectorSet } from './maxsim.ts';
import type { MultiVector } from './multivector.ts';
import type { NpyArray } from './npy.ts';

export interface RaggedArrays {
  doc_embeddings?: NpyArray;
  doc_offsets?: NpyArray;
  doc_saliency?: NpyArray;
  query_embeddings?: NpyArray;
  query_offsets?: NpyArray;
  doc_ids?: string[];
  query_ids?: string[];
  qrels?: string;
}

export class CorpusFormatError extends Error {
  override name = 'CorpusFormatError';
}

function split(emb: NpyArray | undefined, off: NpyArray | undefined, what: string, ids: string[] | undefined, prefix: string) {
  if (!emb) throw new CorpusFormatError(`${what}_embeddings is missing`);
  if (!off) throw new CorpusFormatError(`${what}_offsets is missing`);
  if (emb.shape.length !== 2) throw new CorpusFormatError(`${what}_embeddings must be 2-D [tokens, d], got shape (${emb.shape.join(', ')})`);
  if (!(emb.data instanceof Float32Array)) throw new CorpusFormatError(`${what}_embeddings must be a float array, got ${emb.dtype}`);
  if (off.shape.length !== 1 || off.data instanceof Float32Array)
    throw new CorpusFormatError(`${what}_offsets must be a 1-D integer array, got ${off.dtype} of shape (${off.shape.join(', ')})`);
  const [total, d] = emb.shape;
  const o = off.data;
  if (o.length < 2 || o[0] !== 0 || o[o.length - 1] !== total)
    throw new CorpusFormatError(`${what}_offsets must start at 0 and end at ${total} (the number of ${what} tokens), got ${o[0]} .. ${o[o.length - 1]}`);
  for (let i = 1; i < o.length; i++)
    if (o[i] < o[i - 1]) throw new CorpusFormatError(`${what}_offsets must not decrease (entry ${i}: ${o[i]} < ${o[i - 1]})`);
  const count = o.length - 1;
  if (ids && ids.length !== count) throw new CorpusFormatError(`${what}_ids has ${ids.length} entries, ${what}_offsets describes ${count}`);
  if (ids && new Set(ids).size !== ids.length) throw new CorpusFormatError(`${what}_ids has duplicates`);
  return Array.from({ length: count }, (_, i) => ({
    id: ids?.[i] ?? `${prefix}${i}`,
    n: o[i + 1] - o[i],
    d,
    data: (emb.data as Float32Array).subarray(o[i] * d, o[i + 1] * d),
    start: o[i],
  }));
}

export function parseQrels(text: string): Map<string, Map<string, number>> {
  const qrels = new Map<string, Map<string, number>>();
  let seenHeader = false;
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const parts = line.split('\t');
    if (parts.length < 2 || parts.length > 3) throw new CorpusFormatError(`qrels line ${i + 1}: expected query_id<TAB>doc_id[<TAB>grade], got "${line}"`);
    const grade = parts[2] === undefined ? 1 : Number(parts[2]);
    if (!Number.isFinite(grade)) {
      if (qrels.size === 0 && !seenHeader) return void (seenHeader = true); // a header line such as "query<TAB>doc<TAB>grade"
      throw new CorpusFormatError(`qrels line ${i + 1}: grade "${parts[2]}" is not a number`);
    }
    const rel = qrels.get(parts[0]) ?? new Map<string, number>();
    rel.set(parts[1], grade);
    qrels.set(parts[0], rel);
  });
  return qrels;
}

export function raggedCorpus(a: RaggedArrays): { docs: MultiVector[]; queries: VectorSet[]; qrels: Map<string, Judgments> } {
  const docParts = split(a.doc_embeddings, a.doc_offsets, 'doc', a.doc_ids, 'doc-');
  const sal = a.doc_saliency;
  if (sal && (sal.shape.length !== 1 || sal.shape[0] !== a.doc_embeddings!.shape[0]))
    throw new CorpusFormatError(`doc_saliency must have shape (${a.doc_embeddings!.shape[0]},), got (${sal.shape.join(', ')})`);
  const docs: MultiVector[] = docParts.map((p) => ({
    id: p.id, n: p.n, d: p.d, data: p.data,
    ...(sal ? { saliency: Float32Array.from(sal.data.subarray(p.start, p.start + p.n)), saliencySource: 'imported' } : {}),
  }));
  const queryParts = a.query_embeddings || a.query_offsets ? split(a.query_embeddings, a.query_offsets, 'query', a.query_ids, 'q-') : [];
  const d = docs[0]?.d;
  for (const q of queryParts)
    if (q.d !== d) throw new CorpusFormatError(`query_embeddings has dimension ${q.d}, doc_embeddings has ${d}`);
  const qrels = a.qrels ? parseQrels(a.qrels) : new Map<string, Map<string, number>>();
  const docIds = new Set(docs.map((x) => x.id));
  const queryIds = new Set(queryParts.map((x) => x.id));
  for (const [qid, rel] of qrels) {
    if (!queryIds.has(qid)) throw new CorpusFormatError(`qrels names query "${qid}", which is not in query_ids`);
    for (const did of rel.keys()) if (!docIds.has(did)) throw new CorpusFormatError(`qrels names document "${did}", which is not in doc_ids`);
  }
  return { docs, queries: queryParts.map(({ id, n, d: dd, data }) => ({ id, n, d: dd, data })), qrels };
}
