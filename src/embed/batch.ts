/**
 * One batch of the embedding worker: where its documents, errors, progress, notes and stored
 * embeddings go. The per-kind handlers (textItem.ts, pdfItem.ts, pictureItem.ts) report through it
 * (it is their ItemContext), and `result` is what the page receives.
 */
import type { MultiVector } from '../core/multivector.ts';
import { getStored, putStored } from './store.ts';
import type { StreamIndex } from './streamIndex.ts';
import type { ItemContext } from './textItem.ts';
import type { EmbedItem, EmbedProgress, EmbedResult } from './workerTypes.ts';

export class EmbedBatch implements ItemContext {
  readonly docs: MultiVector[] = [];
  readonly indexed: EmbedResult['indexed'] = [];
  readonly errors: EmbedResult['errors'] = [];
  readonly needsPageDecode: EmbedResult['needsPageDecode'] = [];
  readonly decoders: EmbedResult['decoders'] = {};
  readonly pictures: Record<string, Blob> = {};
  readonly notes: string[] = [];
  readonly storeNotes: string[] = [];
  storeError?: string;
  private stored = 0;
  private count = 0;
  private total: number;
  private readonly t0 = performance.now();

  constructor(
    items: number,
    /** The model's part of every stored-embedding key: id, fingerprint, weights, device. */
    private readonly modelKey: string[],
    private readonly engineVersion: string,
    private readonly onProgress: (p: EmbedProgress) => void,
    private readonly stream: StreamIndex | undefined,
    readonly cancelled: () => boolean,
  ) {
    this.total = items;
  }

  storeKey(what: string[], settings: string[]): string {
    return [...what, ...this.modelKey, ...settings, this.engineVersion].join('|');
  }

  /** A finished document: into the streaming index (if any), and to the page if it keeps full vectors. */
  accept(doc: MultiVector): void {
    if (this.stream) {
      this.indexed.push({ id: doc.id, n: doc.n, stored: this.stream.add(doc) });
      if (!this.stream.settings.keepFull) return;
    }
    this.docs.push(doc);
  }

  fail(name: string, message: string): void {
    this.errors.push({ name, message });
    this.onProgress({ step: 'error', name, message });
  }

  done(name: string, ms: number): void {
    this.count++;
    this.onProgress({ step: 'item', done: this.count, total: this.total, name, ms });
  }

  grow(n: number): void {
    this.total += n;
    this.onProgress({ step: 'total', total: this.total });
  }

  async recall(key: string | undefined, id: string): Promise<MultiVector | undefined> {
    const got = key ? await getStored(key).catch(() => undefined) : undefined;
    if (got && 'problem' in got) this.storeNotes.push(`${id}: a stored embedding was not used (${got.problem}); embedded again`);
    return got && 'doc' in got ? got.doc : undefined;
  }

  async keep(key: string | undefined, doc: MultiVector, decoder: string): Promise<void> {
    if (key) await putStored(key, { doc, decoder }).catch((err) => (this.storeError ??= (err as Error).message));
  }

  fromStore(): void {
    this.stored++;
  }

  /** Closes the page-decoded frames of items that will not be processed (cancel). */
  static closeFrames(items: readonly EmbedItem[]): void {
    for (const it of items) it.frames?.forEach((f) => f.bitmap.close());
  }

  result(cancelled: boolean): EmbedResult {
    const { docs, indexed, errors, needsPageDecode, decoders, pictures, storeError, storeNotes, notes } = this;
    return { docs, indexed, stream: this.stream?.info(), errors, needsPageDecode, decoders, pictures, fromStore: this.stored, storeError, storeNotes, notes, cancelled, msPerItem: (performance.now() - this.t0) / Math.max(1, this.count) };
  }
}
