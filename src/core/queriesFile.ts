/**
 * Queries with optional relevance, from a CSV, TSV or JSONL file:
 *
 *   CSV / TSV: query,document,grade     (header line optional; document and grade optional)
 *   JSONL:     {"query": "...", "document": "file.png", "grade": 2}   (document, grade optional)
 *
 * `document` is a file name in the corpus; grade defaults to 1 (0 = judged not relevant). A query
 * text repeated on several lines is one query with several judgments. Errors name the line.
 */

export interface ParsedQueries {
  queries: { id: string; text: string }[];
  /** query id -> (document file name -> grade) */
  qrels: Map<string, Map<string, number>>;
}

import Papa from 'papaparse';
import { LIMITS } from './limits.ts';

export class QueriesFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(line > 0 ? `${file}, line ${line}: ${message}` : `${file}: ${message}`);
    this.name = 'QueriesFileError';
  }
}


function parseGrade(raw: unknown, file: string, lineNo: number): number {
  if (raw === undefined || raw === null || raw === '') return 1;
  const g = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isFinite(g) || g < 0) throw new QueriesFileError(file, lineNo, `grade "${String(raw)}" is not a number >= 0`);
  return g;
}

/** Longest query text (the text towers read at most a few hundred tokens anyway). */
export const MAX_QUERY_CHARS = 10_000;

export function parseQueriesFile(name: string, text: string): ParsedQueries {
  const lower = name.toLowerCase();
  const format = lower.endsWith('.jsonl') || lower.endsWith('.ndjson') ? 'jsonl' : lower.endsWith('.tsv') || lower.endsWith('.tab') ? 'tsv' : lower.endsWith('.csv') ? 'csv' : undefined;
  if (!format) throw new QueriesFileError(name, 0, 'unknown format: name the file .csv, .tsv or .jsonl');
  const byText = new Map<string, string>();
  const result: ParsedQueries = { queries: [], qrels: new Map() };
  const add = (query: string, doc: string, grade: number) => {
    let id = byText.get(query);
    if (!id) {
      if (result.queries.length >= LIMITS.queries) throw new QueriesFileError(name, 0, `more than ${LIMITS.queries.toLocaleString('en')} queries; split the file`);
      if (query.length > MAX_QUERY_CHARS) throw new QueriesFileError(name, 0, `a query of ${query.length.toLocaleString('en')} characters; at most ${MAX_QUERY_CHARS.toLocaleString('en')}`);
      id = `q${result.queries.length + 1}`;
      byText.set(query, id);
      result.queries.push({ id, text: query });
      result.qrels.set(id, new Map());
    }
    if (doc) result.qrels.get(id)!.set(doc, grade);
  };
  const clean = text.replace(/^\uFEFF/, '');
  /** One record's fields: a header line is skipped, at most query, document and grade. */
  const record = (raw: string[], lineNo: number) => {
    const fields = raw.map((f) => f.trim());
    if (fields.every((f) => f === '')) return;
    if (lineNo === 1 && fields[0].toLowerCase() === 'query') return; // header
    if (fields.length > 3) throw new QueriesFileError(name, lineNo, `expected at most 3 fields (query, document, grade), found ${fields.length}`);
    if (!fields[0]) throw new QueriesFileError(name, lineNo, 'missing query text');
    add(fields[0], fields[1] ?? '', parseGrade(fields[2], name, lineNo));
  };
  if (format === 'csv') {
    // RFC 4180 through Papa Parse (quoted fields may hold commas, quotes and line breaks); the line
    // a record starts on is counted from the parser's cursor, for the messages.
    let start = 0;
    let line = 1;
    Papa.parse<string[]>(clean, {
      delimiter: ',',
      step: (r) => {
        const lineNo = line;
        for (let i = start; i < r.meta.cursor; i++) if (clean.charCodeAt(i) === 10) line++;
        start = r.meta.cursor;
        if (r.errors.length) throw new QueriesFileError(name, lineNo, r.errors[0].code === 'MissingQuotes' ? 'a quoted field is not closed' : r.errors[0].message);
        record(r.data, lineNo);
      },
    });
  } else {
    clean.split(/\r?\n/).forEach((raw, i) => {
      const lineNo = i + 1;
      if (raw.trim() === '') return;
      if (format === 'tsv') return record(raw.split('\t'), lineNo);
      let obj: unknown;
      try {
        obj = JSON.parse(raw);
      } catch (err) {
        throw new QueriesFileError(name, lineNo, `not valid JSON (${(err as Error).message})`);
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new QueriesFileError(name, lineNo, 'expected an object like {"query": "...", "document": "..."}');
      const o = obj as Record<string, unknown>;
      if (typeof o.query !== 'string' || o.query.trim() === '') throw new QueriesFileError(name, lineNo, 'missing "query" text');
      if (o.document !== undefined && typeof o.document !== 'string') throw new QueriesFileError(name, lineNo, '"document" must be a file name');
      add(o.query.trim(), (o.document as string | undefined)?.trim() ?? '', parseGrade(o.grade, name, lineNo));
    });
  }
  if (result.queries.length === 0) throw new QueriesFileError(name, 0, 'no queries found');
  return result;
}

/** One query per non-empty line, no judgments. */
export function parseTypedQueries(text: string): ParsedQueries {
  const result: ParsedQueries = { queries: [], qrels: new Map() };
  const seen = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const q = line.trim();
    if (!q || seen.has(q)) continue;
    seen.add(q);
    const id = `q${result.queries.length + 1}`;
    result.queries.push({ id, text: q });
    result.qrels.set(id, new Map());
  }
  return result;
}
