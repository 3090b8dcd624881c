/**
 * What a stored embedding looks like in IndexedDB: the document, how it was decoded, the format
 * version and a checksum of everything numeric. A record from another format version, or whose
 * numbers no longer match their checksum (a damaged profile, a half-written record, another tool
 * writing the same database), is never served: the file is embedded again and the user told.
 */
import type { MultiVector } from '../core/multivector.ts';

/** Bumped whenever what is stored changes meaning (v1: no version or checksum). */
export const STORED_FORMAT_VERSION = 2;

export interface StoredRecord {
  version: number;
  /** FNV-1a (32-bit) over id, shape and the bytes of every typed array of the document. */
  checksum: number;
  doc: MultiVector;
  decoder: string;
}

function fnv1a(h: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export function checksumOf(doc: MultiVector): number {
  let h = fnv1a(0x811c9dc5, new TextEncoder().encode(`${doc.id}|${doc.n}|${doc.d}|${doc.saliencySource ?? ''}|${JSON.stringify(doc.grid ?? null)}`));
  h = fnv1a(h, bytesOf(doc.data));
  if (doc.saliency) h = fnv1a(h, bytesOf(doc.saliency));
  if (doc.tokenLabels) h = fnv1a(h, new TextEncoder().encode(doc.tokenLabels.join('\u0000')));
  if (doc.text) {
    h = fnv1a(h, new TextEncoder().encode(`${doc.text.passage}|${doc.text.tokens.join(' ')}`));
    h = fnv1a(h, bytesOf(doc.text.start));
    h = fnv1a(h, bytesOf(doc.text.end));
  }
  for (const [k, a] of Object.entries(doc.positions ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    h = fnv1a(h, new TextEncoder().encode(k));
    if (a) h = fnv1a(h, bytesOf(a as ArrayBufferView));
  }
  return h;
}

export function sealRecord(doc: MultiVector, decoder: string, checksum = checksumOf(doc)): StoredRecord {
  return { version: STORED_FORMAT_VERSION, checksum, doc, decoder };
}

/** The document of a record, or why it cannot be used. */
export function openRecord(rec: unknown): { doc: MultiVector; decoder: string } | { problem: string } {
  const r = rec as Partial<StoredRecord> | undefined;
  if (!r || typeof r !== 'object' || !r.doc) return { problem: 'the stored record is empty or unreadable' };
  if (r.version !== STORED_FORMAT_VERSION) return { problem: `it was stored in format ${r.version ?? 1}, this page reads format ${STORED_FORMAT_VERSION}` };
  const d = r.doc;
  if (!(d.data instanceof Float32Array) || d.data.length !== d.n * d.d) return { problem: 'its vectors do not have the shape the record states (damaged)' };
  if (checksumOf(d) !== r.checksum) return { problem: 'its vectors do not match their checksum (damaged)' };
  return { doc: d, decoder: r.decoder ?? '' };
}
