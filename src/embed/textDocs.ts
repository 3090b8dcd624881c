/**
 * Text files as documents: `.txt` and `.md` split into passages at paragraph breaks (a paragraph
 * longer than the window is split between sentences, or between words), and JSONL with one
 * record per line (`{"id", "text"}`, or BEIR's `{"_id", "title", "text"}`). Every passage keeps
 * where it came from in its file, so a stored vector can be shown as the words it encodes.
 * One bad line is reported with its number and never stops the other lines.
 */
import { LIMITS } from '../core/limits.ts';

export interface Passage {
  /** Document id: the file name, `name#p=N` when a file gives several passages, or the record id. */
  id: string;
  text: string;
  /** Character offsets of the passage in its file (for .txt/.md) or in its record's text. */
  start: number;
  end: number;
}

export interface TextFileResult {
  passages: Passage[];
  errors: { name: string; message: string }[];
  /** Passages (or JSONL records) past LIMITS.passagesPerFile, not embedded. */
  leftOut?: number;
}

/**
 * Whether bytes look like binary data rather than text: a NUL, or more than 10% control characters
 * (other than tab, line feed, form feed and carriage return), in the first 64 KiB. A program or an
 * image named `.txt` would otherwise become a thousand passages of noise.
 */
export function looksBinary(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 65536);
  let control = 0;
  for (const b of head) {
    if (b === 0) return true;
    if (b < 32 && b !== 9 && b !== 10 && b !== 12 && b !== 13) control++;
  }
  return head.length > 0 && control / head.length > 0.1;
}

/** Words per passage by default: well under ColBERT's 180-300 token documents for English prose. */
export const PASSAGE_WORDS = 120;

export function isTextFile(name: string, type: string): boolean {
  return /\.(txt|md|markdown|jsonl|ndjson)$/i.test(name) || type === 'text/plain' || type === 'text/markdown' || type === 'application/jsonl' || type === 'application/x-ndjson';
}

export function isJsonl(name: string, type: string): boolean {
  return /\.(jsonl|ndjson)$/i.test(name) || type === 'application/jsonl' || type === 'application/x-ndjson';
}

/**
 * A "word" longer than this many characters (a file without spaces, base64, a minified line) is
 * taken in pieces of this length: a passage then holds at most words x this many characters.
 */
export const MAX_WORD_CHARS = 200;

/** The word spans of text[from, to): runs of non-spaces, each at most MAX_WORD_CHARS long. Lazy: one at a time. */
function* wordSpans(text: string, from: number, to: number): Generator<[number, number]> {
  const re = /\S+/g;
  re.lastIndex = from;
  for (let m = re.exec(text); m && m.index < to; m = re.exec(text)) {
    const end = Math.min(to, m.index + m[0].length);
    for (let s = m.index; s < end; s += MAX_WORD_CHARS) yield [s, Math.min(end, s + MAX_WORD_CHARS)];
  }
}

/** Words in text[from, to), counted without keeping them. */
function countWords(text: string, from: number, to: number): number {
  let n = 0;
  for (const _ of wordSpans(text, from, to)) n++;
  return n;
}

const SENTENCE_END = /[.!?]["')\]]?$/;

/**
 * [start, end) spans of `text[from, to)` with at most `words` words each, cut at the best boundary:
 * paragraphs (runs between blank lines) are packed together while they fit; a longer paragraph is
 * cut after the last sentence end in the second half of each window, else after `words` words.
 * One pass, holding at most one window of word spans (a 200 MB file costs its passages, not its words).
 */
export function splitSpans(text: string, from: number, to: number, words: number): [number, number][] {
  const out: [number, number][] = [];
  let cur: [number, number][] = [];
  const flush = () => {
    if (cur.length) out.push([cur[0][0], cur[cur.length - 1][1]]);
    cur = [];
  };
  const re = /\n[ \t]*\n/g;
  re.lastIndex = from;
  let at = from;
  for (let done = false; !done; ) {
    const m = re.exec(text);
    const end = m && m.index < to ? m.index : to;
    done = end === to;
    const count = countWords(text, at, end);
    if (count > 0 && cur.length + count <= words) {
      for (const w of wordSpans(text, at, end)) cur.push(w);
    } else if (count > 0) {
      flush();
      let left = count;
      for (const w of wordSpans(text, at, end)) {
        cur.push(w);
        left--;
        if (cur.length < words || left === 0) continue;
        // A full window with words still to come: cut after its last sentence end in the second half.
        let cut = -1;
        for (let j = words - 1; j >= words / 2; j--) if (SENTENCE_END.test(text.slice(cur[j][0], cur[j][1]))) { cut = j; break; }
        const keep = cut >= 0 ? cut + 1 : words;
        out.push([cur[0][0], cur[keep - 1][1]]);
        cur = cur.slice(keep);
      }
    }
    if (m) at = m.index + m[0].length;
  }
  flush();
  return out;
}

function passagesOf(base: string, text: string, words: number, single: string): Passage[] {
  const spans = splitSpans(text, 0, text.length, words);
  return spans.map(([start, end], i) => ({ id: spans.length === 1 ? single : `${base}#p=${i + 1}`, text: text.slice(start, end), start, end }));
}

/** Passages of a .txt or .md file (at most `most`; the count of the rest in `leftOut`). */
export function plainTextPassages(name: string, text: string, words = PASSAGE_WORDS, most: number = LIMITS.passagesPerFile): TextFileResult {
  const all = passagesOf(name, text.replace(/^\uFEFF/, ''), words, name);
  const passages = all.length > most ? all.slice(0, most) : all;
  return { passages, errors: passages.length ? [] : [{ name, message: 'no text in it (empty, or only spaces)' }], ...(all.length > most ? { leftOut: all.length - most } : {}) };
}

/** Passages of a JSONL file: one record per line; a long record becomes `id#p=1`, `id#p=2`, ... */
export function jsonlPassages(name: string, text: string, words = PASSAGE_WORDS, most: number = LIMITS.passagesPerFile): TextFileResult {
  const passages: Passage[] = [];
  const errors: { name: string; message: string }[] = [];
  const seen = new Set<string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let leftOut = 0;
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    // Past the limit, records are counted, not parsed.
    if (passages.length >= most) return void leftOut++;
    const where = `${name} line ${i + 1}`;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch (err) {
      errors.push({ name: where, message: `not JSON (${(err as Error).message})` });
      return;
    }
    if (!rec || typeof rec !== 'object' || Array.isArray(rec)) {
      errors.push({ name: where, message: 'not a JSON object; each line must be {"id": ..., "text": ...}' });
      return;
    }
    const r = rec as Record<string, unknown>;
    const rawId = r.id ?? r._id;
    if (typeof rawId !== 'string' && typeof rawId !== 'number') {
      errors.push({ name: where, message: 'no "id" (or "_id") string or number' });
      return;
    }
    const id = String(rawId);
    if (typeof r.text !== 'string') {
      errors.push({ name: `${where} (${id})`, message: 'no "text" string' });
      return;
    }
    if (seen.has(id)) {
      errors.push({ name: `${where} (${id})`, message: 'this id was already used by an earlier line; ids must be unique' });
      return;
    }
    seen.add(id);
    const body = typeof r.title === 'string' && r.title.trim() ? `${r.title.trim()}\n\n${r.text}` : r.text;
    const ps = passagesOf(id, body, words, id);
    if (ps.length === 0) errors.push({ name: `${where} (${id})`, message: 'the text is empty' });
    for (const p of ps) passages.push(p);
  });
  if (passages.length === 0 && errors.length === 0) errors.push({ name, message: 'no records in it (empty file)' });
  if (passages.length > most) leftOut += passages.splice(most).length;
  return { passages, errors, ...(leftOut ? { leftOut } : {}) };
}
