import { describe, expect, it } from 'vitest';
import type { EmbedResult } from '../../../src/embed/workerTypes.ts';
import { batchSummary, embedSettingsOf, failureSummary, mergeResults, routeFile } from '../../../src/ui/embed/items.ts';
import { DEFAULT_STATE, SCHEMA } from '../../../src/ui/state/schema.ts';
import { loadProgressView } from '../../../src/ui/embed/model.ts';

const result = (over: Partial<EmbedResult> = {}): EmbedResult => ({
  docs: [], indexed: [], errors: [], needsPageDecode: [], decoders: {}, notes: [], pictures: {}, fromStore: 0, storeNotes: [], cancelled: false, msPerItem: 12.34, ...over,
});

describe('embedding panel: settings, routing and status lines', () => {
  it('takes the embedding settings from the page state, whose parsers bound them', () => {
    expect(embedSettingsOf(DEFAULT_STATE)).toEqual({ frames: 24, tiles: 1, pdf: { size: 1024, tiles: 3 } });
    expect(embedSettingsOf({ frames: 6, fps: 2.5, tiles: 2, pdfSize: 2048, pdfTiles: 2 })).toEqual({ frames: 6, fps: 2.5, tiles: 2, pdf: { size: 2048, tiles: 2 } });
    expect(() => SCHEMA.tiles.parse('9')).toThrow('tiles must be a whole number >= 1 and <= 4, got "9"');
    expect(() => SCHEMA.frames.parse('0')).toThrow('frames must be a whole number >= 1 and <= 256');
    expect(() => SCHEMA.fps.parse('120')).toThrow('fps must be a number from 0 to 60, got "120"');
    expect(SCHEMA.fps.parse('')).toBe(0);
    expect(SCHEMA.fps.format(0)).toBe('');
    expect(() => SCHEMA.pdfSize.parse('10')).toThrow('pdfpx must be a whole number >= 64 and <= 4096');
  });

  it('routes each file by its type', () => {
    const s = embedSettingsOf({ ...DEFAULT_STATE, frames: 6, fps: 2 });
    const route = (name: string, type: string) => routeFile(new File(['x'], name, { type }), s);
    expect(route('notes.md', '')).toMatchObject({ item: { name: 'notes.md', jsonl: false } });
    expect(route('q.jsonl', '')).toMatchObject({ item: { jsonl: true } });
    expect(route('paper.pdf', '')).toMatchObject({ item: { name: 'paper.pdf' } });
    expect('pdf' in (route('paper.pdf', '') as { item: object }).item).toBe(true);
    expect(route('clip.mp4', 'video/mp4')).toMatchObject({ item: { video: { frames: 6, fps: 2 } } });
    expect(route('clip.avi', 'video/x-msvideo')).toEqual({ pageSample: 'the worker demuxes MP4, MOV, WebM and Matroska only, and this is video/x-msvideo' });
    expect(route('a.png', 'image/png')).toMatchObject({ item: { name: 'a.png' } });
    expect(route('x.bin', 'application/octet-stream')).toEqual({ error: 'not an image, video, PDF or text file (application/octet-stream); skipped' });
  });

  it('says what a batch did', () => {
    expect(batchSummary(result({ docs: [{} as never, {} as never], fromStore: 1 }), 1, 5)).toBe('Done: 2 embedded (1 read from stored embeddings), 1 skipped, 12.3 ms per item. 5 documents in the index.');
    expect(batchSummary(result({ cancelled: true, notes: ['3 passages were cut'], storeNotes: ['a', 'b'] }), 0, 0)).toBe(
      'Cancelled: 0 embedded, 0 skipped, 12.3 ms per item. 0 documents in the index. 3 passages were cut. 2 stored embeddings were not used (another format version, or damaged) and embedded again: a; b.',
    );
    expect(failureSummary(new DOMException('Cancelled before embedding', 'AbortError'))).toEqual({ text: 'Cancelled.', modelLost: false });
    expect(failureSummary(new DOMException('Cancelled', 'AbortError'))).toEqual({ text: 'Cancelled (the worker was stopped; load the model again).', modelLost: true });
    expect(failureSummary(new Error('boom'))).toEqual({ text: 'Embedding failed: boom', modelLost: false });
  });

  it('merges the page-sampled batch into the first', () => {
    const a = result({ docs: [{ id: 'a' } as never], decoders: { a: 'image' }, fromStore: 1 });
    mergeResults(a, result({ docs: [{ id: 'v' } as never], decoders: { v: 'video-element' }, fromStore: 2, cancelled: true }));
    expect(a.docs.map((d) => d.id)).toEqual(['a', 'v']);
    expect(a.decoders).toEqual({ a: 'image', v: 'video-element' });
    expect([a.fromStore, a.cancelled]).toEqual([3, true]);
  });

  it('shows load progress: downloads with a bar, compiling without one, fallbacks as notes', () => {
    expect(loadProgressView({ step: 'download', progress: { loaded: 2.5e6, total: 1e7, file: 'onnx/x.onnx', fromCache: false } as never })).toEqual({ text: 'Downloading model files: 2.5 of 10.0 MB (onnx/x.onnx)', value: 2.5e6, max: 1e7 });
    expect(loadProgressView({ step: 'download', progress: { loaded: 1e6, total: 0, file: 'f', fromCache: true } as never })).toEqual({ text: 'Reading cached model files: 1.0 MB (f)' });
    expect(loadProgressView({ step: 'compile', device: 'wasm', dtype: 'q8' })).toEqual({ text: 'Compiling for WASM (q8) and running the self-check…', indeterminate: true });
    expect(loadProgressView({ step: 'fallback', reason: 'no GPU' })).toEqual({ note: 'no GPU' });
  });
});
