import { describe, expect, it } from 'vitest';
import { checksumOf, openRecord, sealRecord, STORED_FORMAT_VERSION } from '../../src/embed/storedRecord.ts';
import type { MultiVector } from '../../src/core/multivector.ts';

const doc = (): MultiVector => ({
  id: 'a.png', n: 2, d: 3, data: new Float32Array([1, 0, 0, 0, 1, 0]), saliency: new Float32Array([0.7, 0.3]),
  positions: { row: new Int16Array([0, 0]), col: new Int16Array([0, 1]) }, grid: { rows: 1, cols: 2 },
});

describe('stored embedding records', () => {
  it('a sealed record opens to the same document', () => {
    const rec = structuredClone(sealRecord(doc(), 'image'));
    expect(rec.version).toBe(STORED_FORMAT_VERSION);
    expect(openRecord(rec)).toEqual({ doc: doc(), decoder: 'image' });
  });
  it('a flipped byte in the vectors, the saliency or a position is caught', () => {
    for (const damage of [(r: ReturnType<typeof sealRecord>) => (r.doc.data[4] = 0.999), (r: ReturnType<typeof sealRecord>) => (r.doc.saliency![1] = 0.31), (r: ReturnType<typeof sealRecord>) => (r.doc.positions!.col![1] = 0)]) {
      const rec = sealRecord(doc(), 'image');
      damage(rec);
      expect(openRecord(rec)).toEqual({ problem: 'its vectors do not match their checksum (damaged)' });
    }
  });
  it('a record of the old format (no version, no checksum), a wrong shape, or nothing are not served', () => {
    expect(openRecord({ doc: doc(), decoder: 'image' })).toEqual({ problem: 'it was stored in format 1, this page reads format 2' });
    const short = sealRecord(doc(), 'image');
    short.doc = { ...short.doc, n: 3 };
    expect(openRecord(short)).toEqual({ problem: 'its vectors do not have the shape the record states (damaged)' });
    expect(openRecord(undefined)).toEqual({ problem: 'the stored record is empty or unreadable' });
  });
  it('a text document\'s passage, token labels and spans are covered too', () => {
    const textDoc = (): MultiVector => ({ ...doc(), id: 'notes.md', text: { passage: 'red apple', tokens: ['red', 'apple'], start: new Int32Array([0, 4]), end: new Int32Array([3, 9]) } });
    const rec = structuredClone(sealRecord(textDoc(), 'text'));
    expect(openRecord(rec)).toEqual({ doc: textDoc(), decoder: 'text' });
    for (const damage of [(r: ReturnType<typeof sealRecord>) => (r.doc.text!.passage = 'red appla'), (r: ReturnType<typeof sealRecord>) => (r.doc.text!.end[1] = 8), (r: ReturnType<typeof sealRecord>) => (r.doc.text!.tokens[0] = 'rad')]) {
      const bad = sealRecord(textDoc(), 'text');
      damage(bad);
      expect(openRecord(bad)).toEqual({ problem: 'its vectors do not match their checksum (damaged)' });
    }
  });
  it('the checksum covers the id and the shape too', () => {
    expect(checksumOf({ ...doc(), id: 'b.png' })).not.toBe(checksumOf(doc()));
    expect(checksumOf(doc())).toBe(checksumOf(structuredClone(doc())));
  });
});
