/**
 * Corpora of one's own kept in IndexedDB, so a reload or a link brings them back: a small record
 * per corpus (name, model, queries, document count; store `corpora`) and its documents and
 * pictures (store `corpus-docs`), both keyed by the corpus's fingerprint (a content hash of its
 * documents). Documents are sealed as stored embeddings are (format version and checksum): a
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

interface CorpusPayload {
  docs: StoredRecord[];
  sources: [string, Blob][];
}

/** Stores a corpus under its fingerprint, and removes the record it replaces (an earlier state of it). */
export async function saveCorpus(meta: CorpusMeta, docs: readonly MultiVector[], sources: ReadonlyMap<string, Blob>, replaces?: string): Promise<void> {
  const payload: CorpusPayload = { docs: docs.map((d) => sealRecord(d, '')), sources: [...sources].filter(([id]) => docs.some((d) => d.id === id)) };
  await inTransaction(['corpora', 'corpus-docs'], 'readwrite', (t) => {
    if (replaces && replaces !== meta.fingerprint) {
      t.objectStore('corpora').delete(replaces);
      t.objectStore('corpus-docs').delete(replaces);
    }
    t.objectStore('corpus-docs').put(payload, meta.fingerprint);
    t.objectStore('corpora').put(meta, meta.fingerprint);
  });
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
export async function loadCorpus(fingerprint: string): Promise<{ meta: CorpusMeta; docs: MultiVector[]; sources: Map<string, Blob>; problems: string[] } | undefined> {
  const [meta, payload] = await inTransaction<[CorpusMeta | undefined, CorpusPayload | undefined]>(['corpora', 'corpus-docs'], 'readonly', (t) => {
    const a = t.objectStore('corpora').get(fingerprint);
    const b = t.objectStore('corpus-docs').get(fingerprint);
    return () => [a.result, b.result];
  });
  if (!meta || !payload) return undefined;
  const docs: MultiVector[] = [];
  const problems: string[] = [];
  for (const rec of payload.docs ?? []) {
    const opened = openRecord(rec);
    if ('problem' in opened) problems.push(`${rec?.doc?.id ?? 'a document'}: ${opened.problem}`);
    else docs.push(opened.doc);
  }
  return { meta, docs, sources: new Map(payload.sources ?? []), problems };
}

export async function forgetCorpus(fingerprint: string): Promise<void> {
  await inTransaction(['corpora', 'corpus-docs'], 'readwrite', (t) => {
    t.objectStore('corpora').delete(fingerprint);
    t.objectStore('corpus-docs').delete(fingerprint);
  });
}
