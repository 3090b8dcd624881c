/**
 * The comparison's queries as vectors: an imported corpus's own, or the chosen source (the demo's
 * captions with their relevance, typed queries, or a CSV/TSV/JSONL file) embedded by the model.
 */
import type { VectorSet } from '../../core/maxsim.ts';
import type { MultiVector } from '../../core/multivector.ts';
import { parseQueriesFile, parseTypedQueries, type ParsedQueries } from '../../core/queriesFile.ts';
import type { EmbeddedCorpus } from '../corpusStore.ts';
import type { PageState } from '../state/schema.ts';
import type { ImportedCorpus } from './importPanel.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export interface QueryVectors {
  queries: VectorSet[];
  qrels: Map<string, Map<string, number>>;
  notes: string[];
  /** The model the queries (and so the documents) came from, for captions and exports. */
  model: string;
}

/** The queries of the chosen source, as text with their judgments. */
export async function queriesFromSource(source: PageState['queries'], corpus: EmbeddedCorpus): Promise<ParsedQueries> {
  if (source === 'demo') {
    const demo = corpus.demo();
    if (!demo) throw new Error('The demo captions need the demo scenes: embed them with "Add 24 demo scenes" (and nothing else), or pick another query source.');
    return { queries: demo.queries, qrels: demo.qrels as Map<string, Map<string, number>> };
  }
  if (source === 'typed') {
    const q = parseTypedQueries($<HTMLTextAreaElement>('typed-queries').value);
    if (q.queries.length === 0) throw new Error('Type at least one query, one per line.');
    return q;
  }
  const f = $<HTMLInputElement>('queries-file').files?.[0];
  if (!f) throw new Error('Choose a queries file (CSV, TSV or JSONL; format in the README).');
  return parseQueriesFile(f.name, await f.text());
}

/** The notes of an embedded query set: how many, skipped ones, judged documents not in the corpus. */
export function queryNotes(kept: number, model: string, empty: readonly string[], unknown: ReadonlySet<string>): string[] {
  const notes = [`${kept} queries, embedded with ${model}`];
  if (empty.length) notes.push(`${empty.length} queries skipped (no word the model knows): ${empty.join('; ')}`);
  if (unknown.size) notes.push(`${unknown.size} judged documents are not in the corpus: ${[...unknown].slice(0, 5).join(', ')}${unknown.size > 5 ? ', …' : ''}`);
  return notes;
}

/** An imported corpus's own query vectors. */
export function importedQueries(imported: ImportedCorpus): QueryVectors {
  const c = imported.summary.corpus;
  if (c.queries.length === 0) throw new Error(`${imported.name} has no query vectors: import a queries file with it (README: Import).`);
  return { queries: c.queries, qrels: imported.qrels, notes: [`imported from ${imported.name}`], model: c.manifest?.model ?? `imported ${imported.name}` };
}

/**
 * The chosen source embedded by the loaded model, one query at a time; `current()` turning false
 * (a newer run) stops it with an AbortError.
 */
export async function embeddedQueries(parsed: ParsedQueries, docs: readonly MultiVector[], corpus: EmbeddedCorpus, current: () => boolean, say: (text: string) => void): Promise<QueryVectors> {
  const names = new Set(docs.map((d) => d.id));
  const unknown = new Set([...parsed.qrels.values()].flatMap((rel) => [...rel.keys()].filter((n) => !names.has(n))));
  say(`Embedding ${parsed.queries.length} queries…`);
  const queries: VectorSet[] = [];
  const empty: string[] = [];
  for (const q of parsed.queries) {
    if (!current()) throw new DOMException('Cancelled', 'AbortError');
    const e = await corpus.embedQuery(q.text);
    if (e.n === 0) empty.push(q.text);
    else queries.push({ id: q.id, n: e.n, d: e.d, data: e.vectors });
  }
  if (!current()) throw new DOMException('Cancelled', 'AbortError');
  if (queries.length === 0) throw new Error(`The model gives none of the query words a vector (${empty.join('; ')}).`);
  const model = corpus.model()?.label ?? 'unknown model';
  return { queries, qrels: parsed.qrels, notes: queryNotes(queries.length, model, empty, unknown), model };
}
