/**
 * What the embedding panel sends to the worker, and what it says afterwards: the rail's settings
 * read and bounded, each file routed by its type, and the summary line. Pure (no DOM), so each
 * rule is unit-tested without a browser.
 */
import type { EmbedItem, EmbedOptions, EmbedResult } from '../../embed/workerTypes.ts';
import { isJsonl, isTextFile } from '../../embed/textDocs.ts';
import { looksLikeWebm } from '../../media/video.ts';
import { looksLikeMp4 } from '../../media/videoDecode.ts';
import type { PageState } from '../state/schema.ts';

export interface EmbedSettings extends EmbedOptions {
  /** Frames sampled per video (1-256). */
  frames: number;
  /** Frames per second to sample at, when set (at most 60); otherwise `frames` spread evenly. */
  fps?: number;
}

/** The embedding settings of the page state (their bounds and defaults are the schema's). */
export function embedSettingsOf(s: Pick<PageState, 'frames' | 'fps' | 'tiles' | 'pdfSize' | 'pdfTiles'>): EmbedSettings {
  return { frames: s.frames, ...(s.fps > 0 ? { fps: s.fps } : {}), tiles: s.tiles, pdf: { size: s.pdfSize, tiles: s.pdfTiles } };
}

/** Where one file goes: an item for the worker, a video the page samples itself, or an error. */
export type Route = { item: EmbedItem } | { pageSample: string } | { error: string };

export function routeFile(f: File, s: EmbedSettings, rgba?: EmbedItem['rgba'], name = f.name): Route {
  if (isTextFile(f.name, f.type)) return { item: { name, text: f, jsonl: isJsonl(f.name, f.type) } }; // passages, embedded by a text model
  if (f.type === 'application/pdf' || /\.pdf$/i.test(f.name)) return { item: { name, pdf: f } }; // every page a document, rendered in the worker
  if (looksLikeMp4(f.name, f.type) || looksLikeWebm(f.name, f.type)) return { item: { name, video: { blob: f, frames: s.frames, fps: s.fps } } }; // demuxed and decoded in the worker
  if (f.type.startsWith('video/')) return { pageSample: `the worker demuxes MP4, MOV, WebM and Matroska only, and this is ${f.type}` };
  if (f.type.startsWith('image/') || f.type === '') return { item: { name, blob: f, rgba } };
  if (f.type === 'application/x-unknown-content') return { error: 'by its first bytes, not an image, video, PDF or text file; skipped' };
  return { error: `not an image, video, PDF or text file (${f.type}); skipped` };
}

/** Folds a second batch (videos the page sampled after the worker could not) into the first. */
export function mergeResults(result: EmbedResult, more: EmbedResult): void {
  result.docs.push(...more.docs);
  Object.assign(result.decoders, more.decoders);
  result.fromStore += more.fromStore;
  result.storeNotes.push(...more.storeNotes);
  result.notes.push(...more.notes);
  result.cancelled = more.cancelled;
}

/** The status line after a batch. */
export function batchSummary(result: EmbedResult, skipped: number, inIndex: number, corpus?: string): string {
  const stored = result.storeNotes.length;
  return (
    `${result.cancelled ? 'Cancelled' : 'Done'}: ${Math.max(result.docs.length, result.indexed.length)} embedded${result.fromStore ? ` (${result.fromStore} read from stored embeddings)` : ''}, ` +
    `${skipped} skipped, ${result.msPerItem.toFixed(1)} ms per item. ${inIndex} documents in ${corpus ? `the corpus ${corpus}` : 'the index'}.` +
    (result.notes.length ? ` ${result.notes.join('; ')}.` : '') +
    (result.storeError ? ` Embeddings could not be stored for reuse: ${result.storeError}` : '') +
    (stored ? ` ${stored} stored embedding${stored > 1 ? 's were' : ' was'} not used (another format version, or damaged) and embedded again: ${result.storeNotes.slice(0, 3).join('; ')}.` : '')
  );
}

/** The status line when a batch ended in an error (a cancel that stopped the worker forgets the model). */
export function failureSummary(e: Error): { text: string; modelLost: boolean } {
  const early = e.name === 'AbortError' && e.message === 'Cancelled before embedding';
  if (early) return { text: 'Cancelled.', modelLost: false };
  if (e.name === 'AbortError') return { text: 'Cancelled (the worker was stopped; load the model again).', modelLost: true };
  return { text: `Embedding failed: ${e.message}`, modelLost: false };
}
