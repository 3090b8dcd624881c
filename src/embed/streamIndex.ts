/**
 * The embedding worker's streaming index: each document is compressed and encoded the moment it is
 * embedded, and its full-length vectors are dropped unless the page asked to keep them.
 */
import { IndexBuilder } from '../core/exportIndex.ts';
import { formatMethodSpec, parseMethodSpec } from '../core/methodSpec.ts';
import { DocumentError, type MultiVector } from '../core/multivector.ts';
import { storedBytes } from '../core/storage/stored.ts';
import type { StreamInfo, StreamSettings } from './workerTypes.ts';

export class StreamIndex {
  readonly settings: StreamSettings;
  readonly builder: IndexBuilder;
  readonly ids = new Set<string>();

  constructor(settings: StreamSettings, d: number, readonly model: string) {
    const spec = parseMethodSpec(settings.method);
    this.settings = { ...settings, method: formatMethodSpec(spec) };
    this.builder = new IndexBuilder({ d, spec, budget: settings.budget, storage: settings.storage, seed: settings.seed });
  }

  /** Compresses and stores one document; returns the vectors it added. */
  add(doc: MultiVector): number {
    if (this.ids.has(doc.id)) throw new Error('already in the streaming index (start a new one to re-embed it)');
    const before = this.builder.vectorCount;
    try {
      this.builder.add(doc);
    } catch (err) {
      throw new Error(err instanceof DocumentError ? `not indexed: ${err.message}` : (err as Error).message);
    }
    this.ids.add(doc.id);
    return this.builder.vectorCount - before;
  }

  info(): StreamInfo {
    const stored = this.builder.view();
    const bytes = storedBytes(stored);
    const documents = stored.ids.length;
    return { ...this.settings, documents, vectors: stored.offsets[documents], tokensIn: this.builder.tokensIn, bytes, bytesPerDoc: documents ? bytes / documents : 0 };
  }
}
