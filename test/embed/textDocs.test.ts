import { describe, expect, it } from 'vitest';
import { isTextFile, jsonlPassages, looksBinary, plainTextPassages, splitSpans } from '../../src/embed/textDocs.ts';

describe('text files into passages', () => {
  it('keeps paragraphs together up to the word window and records offsets', () => {
    const text = 'one two three\n\nfour five\n\nsix seven eight nine';
    // window 5: "one two three" + "four five" = 5 words; then "six seven eight nine".
    expect(splitSpans(text, 0, text.length, 5)).toEqual([
      [0, 24],
      [26, 46],
    ]);
    const r = plainTextPassages('notes.txt', text, 5);
    expect(r.passages.map((p) => p.id)).toEqual(['notes.txt#p=1', 'notes.txt#p=2']);
    expect(r.passages[1].text).toBe('six seven eight nine');
    expect(text.slice(r.passages[1].start, r.passages[1].end)).toBe('six seven eight nine');
  });
  it('cuts a long paragraph after a sentence end inside the window, else after the window', () => {
    const text = 'a b c. d e f g h';
    // window 4: the sentence ends after word 3 ("c."), which is past half the window.
    expect(splitSpans(text, 0, text.length, 4).map(([s, e]) => text.slice(s, e))).toEqual(['a b c.', 'd e f g', 'h']);
    const flat = 'a b c d e';
    expect(splitSpans(flat, 0, flat.length, 2).map(([s, e]) => flat.slice(s, e))).toEqual(['a b', 'c d', 'e']);
  });
  it('one passage keeps the file name; an empty file is an error', () => {
    expect(plainTextPassages('a.md', '# Title\n\nshort').passages.map((p) => p.id)).toEqual(['a.md']);
    expect(plainTextPassages('e.txt', ' \n\n ').errors).toEqual([{ name: 'e.txt', message: 'no text in it (empty, or only spaces)' }]);
  });
  it('JSONL: records by id (BEIR _id and title too), and each bad line reported with its number', () => {
    const text = [
      '{"id": "d1", "text": "red apple"}',
      '{"_id": 7, "title": "Storms", "text": "rain and snow"}',
      'not json',
      '{"id": "d3"}',
      '{"id": "d1", "text": "again"}',
      '',
      '[1, 2]',
      '{"text": "no id"}',
    ].join('\n');
    const r = jsonlPassages('corpus.jsonl', text);
    expect(r.passages.map((p) => [p.id, p.text])).toEqual([
      ['d1', 'red apple'],
      ['7', 'Storms\n\nrain and snow'],
    ]);
    expect(r.errors.map((e) => e.name)).toEqual(['corpus.jsonl line 3', 'corpus.jsonl line 4 (d3)', 'corpus.jsonl line 5 (d1)', 'corpus.jsonl line 7', 'corpus.jsonl line 8']);
    expect(r.errors[0].message).toMatch(/^not JSON/);
    expect(r.errors[2].message).toBe('this id was already used by an earlier line; ids must be unique');
  });
  it('recognises text files by name or type', () => {
    expect(['a.txt', 'b.MD', 'c.jsonl', 'd.ndjson'].map((n) => isTextFile(n, ''))).toEqual([true, true, true, true]);
    expect(isTextFile('x.png', 'image/png')).toBe(false);
    expect(isTextFile('readme', 'text/plain')).toBe(true);
  });
});

describe('text files under a budget', () => {
  it('a run of 1,000 characters without spaces is taken in words of 200 (2 per passage here)', () => {
    expect(splitSpans('x'.repeat(1000), 0, 1000, 2)).toEqual([[0, 400], [400, 800], [800, 1000]]);
  });

  it('a JSONL record of 51 MB (141,667 passages) keeps the other lines; the old push(...) overflowed the stack and lost the file', () => {
    const huge = 'ab '.repeat(17_000_000); // 17,000,000 words (51 MB) -> ceil(1.7 x 10^7 / 120) = 141,667 passages
    const text = `{"id":"a","text":"one two"}\n{"id":"big","text":"${huge}"}\n{"id":"z","text":"last line"}\n`;
    const r = jsonlPassages('big.jsonl', text, 120, 1_000_000);
    expect(r.errors).toEqual([]);
    expect(r.passages).toHaveLength(1 + 141_667 + 1);
    expect(r.passages[0].id).toBe('a');
    expect(r.passages[1].id).toBe('big#p=1');
    expect(r.passages.at(-1)!.id).toBe('z');
  });

  it('at most `most` passages per file; the rest counted as left out', () => {
    const words = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');
    const r = plainTextPassages('long.txt', words, 10, 20);
    expect(r.passages).toHaveLength(20);
    expect(r.leftOut).toBe(10);
    const lines = Array.from({ length: 50 }, (_, i) => `{"id":"r${i}","text":"t ${i}"}`).join('\n');
    const j = jsonlPassages('many.jsonl', lines, 120, 30);
    expect(j.passages.map((p) => p.id)).toEqual(Array.from({ length: 30 }, (_, i) => `r${i}`));
    expect(j.leftOut).toBe(20);
  });

  it('binary bytes are told from text', () => {
    const enc = new TextEncoder();
    expect(looksBinary(enc.encode('plain text\twith tabs\r\nand lines, café, 東京'))).toBe(false);
    expect(looksBinary(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 0, 1))).toBe(true); // an ELF header: a NUL
    const noisy = enc.encode('x'.repeat(100));
    for (let i = 0; i < 100; i += 5) noisy[i] = 0x1b; // 20% ESC
    expect(looksBinary(noisy)).toBe(true);
    expect(looksBinary(new Uint8Array(0))).toBe(false);
  });
});
