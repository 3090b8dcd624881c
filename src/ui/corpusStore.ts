/**
 * The embedded corpus's version: a signal every view that shows documents subscribes to (the
 * side-by-side lists, the teaching view, the similarity maps, the auto-comparison), instead of a
 * global DOM event. `reason` says why it changed, so a model switch (which empties the corpus)
 * is not mistaken for new documents.
 */
import { signal } from '@preact/signals-core';
import type { LoadedModel } from '../clients/embedClient.ts';
import type { MultiVector } from '../core/multivector.ts';
import type { DemoCorpus } from '../demo/scenes.ts';

/** 'embedded': documents were added; 'switched': another corpus of the tab is shown; 'cleared': none is. */
export type CorpusChange = 'embedded' | 'switched' | 'cleared';
export const corpusVersion = signal<{ n: number; reason: CorpusChange }>({ n: 0, reason: 'cleared' });

/** What the embedding panel is doing now ('' when idle), for the main area to say while a batch runs. */
export const embedActivity = signal('');

export function corpusChanged(reason: CorpusChange): void {
  corpusVersion.value = { n: corpusVersion.peek().n + 1, reason };
}

/** The embedded corpus as the views use it (the embedding panel implements it). */
export interface EmbeddedCorpus {
  docs(): MultiVector[];
  /** The demo corpus, when every embedded document is one of its scenes. */
  demo(): DemoCorpus | undefined;
  model(): LoadedModel | undefined;
  embedQuery(text: string): Promise<{ n: number; d: number; vectors: Float32Array; tokens?: string[] }>;
  /** Loads the selected model (resolves when loaded or failed; the status line says which). */
  loadModel(): Promise<void>;
  /** Embeds the 24 demo scenes (loading the chosen model first if none is loaded). */
  addDemo(): Promise<void>;
  /** Embeds files (dropped anywhere on the page), loading the chosen model first if needed. */
  addFiles(files: File[]): Promise<void>;
  /** The original image file of an embedded document (images only). */
  source(name: string): Blob | undefined;
  /** The corpus shown (its name; its fingerprint once stored in this browser). */
  current(): { key: string; name: string; fingerprint?: string } | undefined;
  /** Opens a corpus stored in this browser; undefined when shown, else why not, in words. */
  restore(fingerprint: string): Promise<string | undefined>;
}
