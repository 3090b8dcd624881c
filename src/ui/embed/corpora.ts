/**
 * Corpora as named collections: the demo scenes of a model, and each corpus of one's own (files,
 * folders), each with its documents, pictures, queries and the model its vectors came from.
 * Dropped files never join the demo unless asked to; two different files never share an id (a
 * second file under a taken path gets a numeric suffix); the same file dropped again replaces
 * itself. Pure (no DOM, no storage), so every rule is unit-tested.
 */
import type { MultiVector } from '../../core/multivector.ts';
import { checksumOf } from '../../embed/storedRecord.ts';

import type { CorpusModel, CorpusQueries, QuerySource } from '../../embed/corpusDb.ts';
export type { CorpusModel, CorpusQueries, QuerySource } from '../../embed/corpusDb.ts';

export interface Corpus {
  /** Unique in the tab. */
  key: string;
  name: string;
  /** Started by the demo buttons (the demo scenes of its model). */
  demo: boolean;
  model: CorpusModel;
  docs: MultiVector[];
  /** Pictures of documents (an image file, a rendered PDF page), by document id. */
  sources: Map<string, Blob>;
  /** Which file each path was taken by (name, size, date), by path. */
  files: Map<string, string>;
  queries: CorpusQueries;
  /** How its files were embedded, in words (the first batch's settings). */
  settings?: string;
  /** Content hash of the documents, once stored (what a link names). */
  fingerprint?: string;
  /** Keys of its documents already written to this browser's storage (corpusDb.ts). */
  stored?: Set<string>;
}

export const modelKey = (m: CorpusModel) => (m.folder ? `folder:${m.folder}` : m.id);

/** `a/README.md`, 2 -> `a/README (2).md` (the suffix before the extension, after the folder). */
export function withSuffix(path: string, k: number): string {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  const at = dot > slash + 1 ? dot : path.length;
  return `${path.slice(0, at)} (${k})${path.slice(at)}`;
}

/** Bytes read from each end of a file for its signature. */
const SIGNATURE_BYTES = 64 * 1024;

/**
 * What tells two files apart without reading them whole: the size and SHA-256 of the first and last
 * 64 KiB (the whole file when smaller). The same content dropped again, even with a new date, has
 * the same signature; an edited file almost always another.
 */
export async function fileSignature(f: Blob): Promise<string> {
  const ends = f.size <= 2 * SIGNATURE_BYTES ? [f] : [f.slice(0, SIGNATURE_BYTES), f.slice(f.size - SIGNATURE_BYTES)];
  const bytes = new Uint8Array(await new Blob(ends).arrayBuffer());
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return `${f.size}:${Array.from(digest.subarray(0, 12), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * The ids of a batch of files in a corpus: each file's path, unless that path is taken by another
 * file (earlier in the corpus, or in this batch), then the path with the first free suffix. The
 * same file dropped again keeps its id (its document is replaced). `taken` is updated.
 */
export function assignPaths(taken: Map<string, string>, files: readonly { path: string; signature: string }[]): string[] {
  const inBatch = new Set<string>();
  return files.map(({ path, signature }) => {
    let id = path;
    for (let k = 2; (taken.has(id) && taken.get(id) !== signature) || inBatch.has(id); k++) id = withSuffix(path, k);
    taken.set(id, signature);
    inBatch.add(id);
    return id;
  });
}

/** Paths inside one picked or dropped folder lose that folder's name ("docs/a/x.md" -> "a/x.md"); others stay whole. */
export function relativeToFolder(paths: readonly string[]): string[] {
  const top = paths[0]?.includes('/') ? paths[0].split('/')[0] : '';
  if (!top || !paths.every((p) => p.startsWith(`${top}/`))) return [...paths];
  return paths.map((p) => p.slice(top.length + 1));
}

/** A name for a new corpus from its first files: their common folder, else the first file and a count. */
export function corpusName(paths: readonly string[]): string {
  if (paths.length === 0) return 'Your files';
  const top = paths[0].includes('/') ? paths[0].split('/')[0] : '';
  if (top && paths.every((p) => p.startsWith(`${top}/`))) return `${top}/`;
  return paths.length === 1 ? paths[0] : `${paths[0]} and ${paths.length - 1} more`;
}

/** Puts a batch's documents in the corpus (an id embedded again replaces its document). */
export function keepDocs(corpus: Corpus, docs: readonly MultiVector[], pictureOf: (id: string) => Blob | undefined): void {
  for (const d of docs) {
    const at = corpus.docs.findIndex((x) => x.id === d.id);
    if (at >= 0) corpus.docs[at] = d;
    else corpus.docs.push(d);
    const picture = pictureOf(d.id);
    if (picture) corpus.sources.set(d.id, picture);
  }
}

const checksums = new WeakMap<MultiVector, number>();

/** A document's checksum (storedRecord.checksumOf), computed once per document object. */
export function checksumCached(d: MultiVector): number {
  let c = checksums.get(d);
  if (c === undefined) checksums.set(d, (c = checksumOf(d)));
  return c;
}

/** 16 hex digits of SHA-256 over every document's id, shape and checksum (in id order). */
export async function fingerprintOf(docs: readonly MultiVector[]): Promise<string> {
  const lines = docs.map((d) => `${d.id}\t${d.n}\t${d.d}\t${checksumCached(d)}`).sort();
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(lines.join('\n')));
  return Array.from(new Uint8Array(digest).subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
}

export const isFingerprint = (t: string) => /^[0-9a-f]{16}$/.test(t);

/** The embedding settings a corpus was made with, in words (the rail's tooltip). */
export function embedSettingsText(s: { tiles: number; pdfTiles: number; pdfSize: number; frames: number; fps: number }): string {
  const tiles = (k: number) => (k > 1 ? `global view + ${k} x ${k} tiles` : 'one view');
  return `images: ${tiles(s.tiles)}; PDF pages: ${tiles(s.pdfTiles)} at ${s.pdfSize} px; videos: ${s.fps > 0 ? `${s.fps} fps, at most ${s.frames} frames` : `${s.frames} frames`}`;
}

/** The rail's line for a corpus: name, documents, model. */
export function describeCorpus(c: Pick<Corpus, 'name' | 'model'>, documents: number): string {
  return `${c.name}: ${documents} ${documents === 1 ? 'document' : 'documents'}, ${c.model.folder ? `local folder ${c.model.folder}` : c.model.label}`;
}

/** The corpora of the tab and which one is current; `target` decides where a batch goes. */
export class Corpora {
  readonly list: Corpus[] = [];
  private currentKey = '';
  private made = 0;

  current(): Corpus | undefined {
    return this.list.find((c) => c.key === this.currentKey);
  }

  select(key: string): Corpus | undefined {
    const c = this.list.find((x) => x.key === key);
    if (c) this.currentKey = key;
    return c;
  }

  /** No corpus is current (a model was loaded that none of them was embedded with). */
  deselect(): void {
    this.currentKey = '';
  }

  add(c: Omit<Corpus, 'key'>): Corpus {
    const corpus = { ...c, key: `c${++this.made}` };
    this.list.push(corpus);
    this.currentKey = corpus.key;
    return corpus;
  }

  remove(key: string): void {
    const at = this.list.findIndex((c) => c.key === key);
    if (at >= 0) this.list.splice(at, 1);
    if (this.currentKey === key) this.currentKey = '';
  }

  /**
   * The corpus a batch goes to (made current): demo scenes to their model's demo corpus; files to
   * the current corpus when it is of the same model and `intoCurrent`, else to a new one.
   */
  target(batch: { demo: boolean; model: CorpusModel; intoCurrent: boolean; paths: readonly string[] }): Corpus {
    const cur = this.current();
    const same = (c: Corpus) => modelKey(c.model) === modelKey(batch.model);
    if (batch.demo) {
      const demo = this.list.find((c) => c.demo && same(c));
      if (demo) return this.select(demo.key)!;
      return this.add(blank('Demo scenes', true, batch.model, 'demo'));
    }
    if (cur && same(cur) && batch.intoCurrent) return cur;
    return this.add(blank(corpusName(batch.paths), false, batch.model, 'typed'));
  }
}

function blank(name: string, demo: boolean, model: CorpusModel, source: QuerySource): Omit<Corpus, 'key'> {
  return { name, demo, model, docs: [], sources: new Map(), files: new Map(), queries: { source, typed: '' } };
}
