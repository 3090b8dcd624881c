/**
 * Text files as documents: `.txt` and `.md` split into passages at paragraph breaks (a paragraph
 * longer than the window is split between sentences, or between words), and JSONL with one
 * record per line (`{"id", "text"}`, or BEIR's `{"_id", "title", "text"}`). Every passage keeps
 * where it came from in its file, so a stored vector can be shown as the words it encodes.
 * One bad line is reported with its number and never stops the other lines.
 */

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
}

/** Words per passage by default: well under ColBERT's 180-300 token documents for English prose. */
export const PASSAGE_WORDS = 120;

export function isTextFile(name: string, type: string): boolean {
  return /\.(txt|md|markdown|jsonl|ndjson)$/i.test(name) || type === 'text/plain' || type === 'text/markdown' || type === 'application/jsonl' || type === 'application/x-ndjson';
}

export function isJsonl(name: string, type: string): boolean {
  return /\.(jsonl|ndjson)$/i.test(name) || type === 'application/jsonl' || type === 'application/x-ndjson';
}

/** [start, end) spans of `text[from, to)` with at most `words` words each, cut at the best boundary. */
export function splitSpans(text: string, from: number, to: number, words: number): [number, number][] {
  const out: [number, number][] = [];
  // Paragraphs: runs of text between blank lines.
  const paragraphs: [number, number][] = [];
  const re = /\n[ \t]*\n/g;
  re.lastIndex = from;
  let at = from;
  for (let m = re.exec(text); m && m.index < to; m = re.exec(text)) {
    paragraphs.push([at, m.index]);
    at = m.index + m[0].length;
  }
  paragraphs.push([at, to]);
  const wordSpans = (s: number, e: number) => [...text.slice(s, e).matchAll(/\S+/g)].map((m) => [s + m.index!, s + m.index! + m[0].length] as [number, number]);
  let cur: [number, number][] = [];
  const flush = () => {
    if (cur.length) out.push([cur[0][0], cur[cur.length - 1][1]]);
    cur = [];
  };
  for (const [ps, pe] of paragraphs) {
    const ws = wordSpans(ps, pe);
    if (ws.length === 0) continue;
    if (cur.length + ws.length <= words) {
      cur.push(...ws);
      continue;
    }
    flush();
    // A long paragraph: cut after the last sentence end inside each window, else after `words` words.
    let i = 0;
    while (ws.length - i > words) {
      let cut = -1;
      for (let j = i + words - 1; j >= i + words / 2; j--) if (/[.!?]["')\]]?$/.test(text.slice(ws[j][0], ws[j][1]))) { cut = j; break; }
      const end = cut >= 0 ? cut + 1 : i + words;
      out.push([ws[i][0], ws[end - 1][1]]);
      i = end;
    }
    cur = ws.slice(i);
  }
  flush();
  return out;
}

function passagesOf(base: string, text: string, words: number, single: string): Passage[] {
  const spans = splitSpans(text, 0, text.length, words);
  return spans.map(([start, end], i) => ({ id: spans.length === 1 ? single : `${base}#p=${i + 1}`, text: text.slice(start, end), start, end }));
}

/** Passages of a .txt or .md file. */
export function plainTextPassages(name: string, text: string, words = PASSAGE_WORDS): TextFileResult {
  const passages = passagesOf(name, text.replace(/^\uFEFF/, ''), words, name);
  return { passages, errors: passages.length ? [] : [{ name, message: 'no text in it (empty, or only spaces)' }] };
}

/** Passages of a JSONL file: one record per line; a long record becomes `id#p=1`, `id#p=2`, ... */
export function jsonlPassages(name: string, text: string, words = PASSAGE_WORDS): TextFileResult {
  const passages: Passage[] = [];
  const errors: { name: string; message: string }[] = [];
  const seen = new Set<string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim()) return;
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
    passages.push(...ps);
  });
  if (passages.length === 0 && errors.length === 0) errors.push({ name, message: 'no records in it (empty file)' });
  return { passages, errors };
}
