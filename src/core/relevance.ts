/**
 * Relevance judgments made elsewhere, for an import: TSV lines `query_id<TAB>doc_id[<TAB>grade]`
 * (a header line and # comments are skipped; an empty grade is 1) or JSON `{"q": {"doc": grade}}`.
 * Errors name the file and the line.
 */
import { ImportError } from './importError.ts';
import type { Judgments } from './metrics.ts';

/** Relevance: TSV lines query_id, doc_id[, grade] (a header line is skipped) or JSON. */
export function parseRelevance(name: string, text: string): Map<string, Judgments> {
  const qrels = new Map<string, Map<string, number>>();
  if (/^\s*\{/.test(text)) {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (err) {
      throw new ImportError(`${name}: not valid JSON (${(err as Error).message})`);
    }
    for (const [q, rel] of Object.entries(v as Record<string, unknown>)) {
      if (typeof rel !== 'object' || rel === null) throw new ImportError(`${name}: "${q}" must map to {doc_id: grade}`);
      const m = new Map<string, number>();
      for (const [doc, grade] of Object.entries(rel)) {
        if (typeof grade !== 'number' || !Number.isFinite(grade)) throw new ImportError(`${name}: grade of "${q}" / "${doc}" is not a number`);
        m.set(doc, grade);
      }
      qrels.set(q, m);
    }
    return qrels;
  }
  let seenHeader = false;
  let first = true;
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const parts = line.split('\t');
    const isFirst = first;
    first = false;
    if (isFirst && /^(query|query_id|query-id|qid)$/i.test(parts[0].trim()) && /^(doc|doc_id|doc-id|docid|document|corpus_id)$/i.test((parts[1] ?? '').trim())) return; // a header line
    if (parts.length < 2 || parts.length > 3) throw new ImportError(`${name} line ${i + 1}: expected query_id<TAB>doc_id[<TAB>grade], got "${line}"`);
    // An empty grade field is the default grade, 1, as in the page's query files (Number('') would be 0).
    const grade = parts[2] === undefined || parts[2].trim() === '' ? 1 : Number(parts[2]);
    if (!Number.isFinite(grade)) {
      if (qrels.size === 0 && !seenHeader) return void (seenHeader = true); // a header line
      throw new ImportError(`${name} line ${i + 1}: grade "${parts[2]}" is not a number`);
    }
    const rel = qrels.get(parts[0]) ?? new Map<string, number>();
    rel.set(parts[1], grade);
    qrels.set(parts[0], rel);
  });
  return qrels;
}
