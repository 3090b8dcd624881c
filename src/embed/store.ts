/**
 * Embeddings kept in IndexedDB (usable from the worker), keyed by the file's SHA-256, the model,
 * weight type, device and embedding options, so a reload does not embed the same file again.
 */
import type { MultiVector } from '../core/multivector.ts';
import { inTransaction } from './db.ts';
import { openRecord, sealRecord, type StoredRecord } from './storedRecord.ts';

const STORE = 'embeddings';

async function tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return inTransaction([STORE], mode, (t) => fn(t.objectStore(STORE)));
}

/** Hex SHA-256 of a file, or of bytes already read (so a large file is not read twice). */
export async function sha256(data: Blob | Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data instanceof Blob ? await data.arrayBuffer() : data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface StoredEmbedding {
  doc: MultiVector;
  decoder: string;
}

/**
 * The stored embedding under `key`: undefined when there is none, `{ problem }` when there is one
 * that must not be served (another format version, or damaged); the caller embeds again.
 */
export async function getStored(key: string): Promise<StoredEmbedding | { problem: string } | undefined> {
  const rec = await tx<StoredRecord | undefined>('readonly', (s) => s.get(key));
  return rec === undefined ? undefined : openRecord(rec);
}
export const putStored = (key: string, value: StoredEmbedding) => tx('readwrite', (s) => s.put(sealRecord(value.doc, value.decoder), key));
export const clearStored = () => tx('readwrite', (s) => s.clear());

/** Number of stored documents and the bytes of their vectors and metadata. */
export async function storedStats(): Promise<{ documents: number; bytes: number }> {
  const all = await tx<StoredRecord[]>('readonly', (s) => s.getAll());
  let bytes = 0;
  for (const { doc } of all) {
    if (!doc?.data) continue;
    bytes += doc.data.byteLength + (doc.saliency?.byteLength ?? 0);
    for (const a of Object.values(doc.positions ?? {})) bytes += (a as ArrayBufferView).byteLength;
  }
  return { documents: all.length, bytes };
}
