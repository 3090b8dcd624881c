/**
 * Corpora of one's own kept in IndexedDB, so a reload or a link brings them back: a small record
 * per corpus (name, model, queries, its documents' keys; store `corpora`, keyed by the corpus's
 * fingerprint, a content hash of its documents) and each document with its picture (store
 * `corpus-docs`, keyed by the document's checksum, shape and id), written once however often its
 * corpus grows. Documents are sealed as stored embeddings are (format version and checksum): a
 * damaged one is left out and named, never served.
 */
import type { MultiVector } from '../core/multivector.ts';
import { inTransaction } from './db.ts';
import { openRecord, sealRecord, type StoredRecord } from './storedRecord.ts';

export type QuerySource = 'demo' | 'typed' | 'file';
export interface CorpusQueries {
  source: QuerySource;
  typed: string;
}

/** The model a corpus's vectors come from (queries must be embedded by the same one). */
export interface CorpusModel {
  /** Registry id of the menu entry. */
  id: string;
  label: string;
  /** The local folder's name, when the model was loaded from one (it cannot be reloaded by itself). */
  folder?: string;
}

export interface CorpusMeta {
  fingerprint: string;
  name: string;
  model: CorpusModel;
  documents: number;
  queries: CorpusQueries;
  /** Which file each path was taken by (corpora.ts). */
  files: [string, string][];
  /** How its files were embedded (corpora.ts: embedSettingsText). */
  settings?: string;
  savedAt: number;
}

/** One stored document of a corpus: its sealed record and its picture (an image file, a rendered page). */
interface StoredDoc {
  doc: StoredRecord;
  picture?: Blob;
}

/** A document's key in `corpus-docs`: its checksum, shape and id, so a document is written once and shared by every state of its corpus. */
export const docKey = (d: MultiVector, checksum: number) => `${checksum.toString(16)}:${d.n}x${d.d}:${d.id}`;

/**
 * Stores a corpus under its fingerprint: the documents not stored yet (`stored` holds the keys
 * written before, and gains the new ones), then its record, which lists its documents' keys; the
 * record of the state it replaces goes (its documents stay: they are this state's too).
 */
export async function saveCorpus(
  meta: CorpusMeta,
  docs: readonly MultiVector[],
  sources: ReadonlyMap<string, Blob>,
  opts: { replaces?: string; stored: Set<string>; checksum(d: MultiVector): number },
): Promise<void> {
  const keys = docs.map((d) => docKey(d, opts.checksum(d)));
  const fresh = docs.flatMap((d, i) => (opts.stored.has(keys[i]) ? [] : [[keys[i], { doc: sealRecord(d, '', opts.checksum(d)), picture: sources.get(d.id) }] as const]));
  await inTransaction(['corpora', 'corpus-docs'], 'readwrite', (t) => {
    if (opts.replaces && opts.replaces !== meta.fingerprint) t.objectStore('corpora').delete(opts.replaces);
    for (const [key, value] of fresh) t.objectStore('corpus-docs').put(value satisfies StoredDoc, key);
    t.objectStore('corpora').put({ ...meta, docKeys: keys }, meta.fingerprint);
  });
  for (const [key] of fresh) opts.stored.add(key);
}

/** Rewrites a stored corpus's record (its queries changed); its documents stay. */
export async function updateCorpusMeta(meta: CorpusMeta): Promise<void> {
  await inTransaction(['corpora'], 'readwrite', (t) => {
    t.objectStore('corpora').put(meta, meta.fingerprint);
  });
}

/** Every stored corpus's record, the most recently saved first. */
export async function listCorpora(): Promise<CorpusMeta[]> {
  const all = await inTransaction<CorpusMeta[]>(['corpora'], 'readonly', (t) => t.objectStore('corpora').getAll());
  return all.filter((m) => m && typeof m.fingerprint === 'string').sort((a, b) => b.savedAt - a.savedAt);
}

/** A stored corpus: its record, the documents that read back intact, and those that did not. */
export async function loadCorpus(fingerprint: string): Promise<{ meta: CorpusMeta; docs: MultiVector[]; sources: Map<string, Blob>; problems: string[]; keys: string[] } | undefined> {
  const meta = await inTransaction<(CorpusMeta & { docKeys?: string[] }) | undefined>(['corpora'], 'readonly', (t) => t.objectStore('corpora').get(fingerprint));
  if (!meta || !Array.isArray(meta.docKeys)) return undefined;
  const keys = meta.docKeys;
  const records = await inTransaction<(StoredDoc | undefined)[]>(['corpus-docs'], 'readonly', (t) => {
    const reqs = keys.map((k) => t.objectStore('corpus-docs').get(k));
    return () => reqs.map((r) => r.result);
  });
  const docs: MultiVector[] = [];
  const sources = new Map<string, Blob>();
  const problems: string[] = [];
  const kept: string[] = [];
  records.forEach((rec, i) => {
    const opened = rec ? openRecord(rec.doc) : { problem: 'it is missing from storage' };
    if ('problem' in opened) return void problems.push(`${rec?.doc?.doc?.id ?? keys[i].split(':').slice(2).join(':')}: ${opened.problem}`);
    docs.push(opened.doc);
    kept.push(keys[i]);
    if (rec?.picture) sources.set(opened.doc.id, rec.picture);
  });
  return { meta, docs, sources, problems, keys: kept };
}

/** Removes a corpus and its documents (those another stored corpus lists stay). */
export async function forgetCorpus(fingerprint: string): Promise<void> {
  const all = await inTransaction<(CorpusMeta & { docKeys?: string[] })[]>(['corpora'], 'readonly', (t) => t.objectStore('corpora').getAll());
  const mine = all.find((m) => m?.fingerprint === fingerprint)?.docKeys ?? [];
  const others = new Set(all.filter((m) => m?.fingerprint !== fingerprint).flatMap((m) => m.docKeys ?? []));
  await inTransaction(['corpora', 'corpus-docs'], 'readwrite', (t) => {
    t.objectStore('corpora').delete(fingerprint);
    for (const k of mine) if (!others.has(k)) t.objectStore('corpus-docs').delete(k);
  });
}
