/**
 * Runs the comparison: queries (the demo's captions with their relevance, typed queries, or a
 * CSV/TSV/JSONL file) are embedded by the embedding worker, the experiment grid (every method x
 * budget x storage type) runs once in the engine worker with progress, and the result goes to
 * the view (`shown`). A new run cancels the one in flight; interaction after it only re-renders.
 * Also here: the import of embeddings made elsewhere (a corpus with its own queries) and the
 * exports of the result (CSV, JSON, table, compressed index).
 */
import type { ExperimentResult } from '../../core/experiment.ts';
import type { VectorSet } from '../../core/maxsim.ts';
import { parseMethodSpec } from '../../core/methodSpec.ts';
import type { MultiVector } from '../../core/multivector.ts';
import { parseQueriesFile, parseTypedQueries, type ParsedQueries } from '../../core/queriesFile.ts';
import { resultTable, toCSV, toJSON } from '../../core/report.ts';
import type { EvalStorage } from '../../core/storage/stored.ts';
import { EngineClient, type ImportSummary } from '../../clients/engineClient.ts';
import { download, downloadIndex, showGridProgress } from '../common.ts';
import type { EmbeddedCorpus } from '../corpusStore.ts';
import { commitPendingEdits, storageSelect } from '../rail/compareSettings.ts';
import type { Store } from '../state/store.ts';
import { budgetsRun, KS } from './series.ts';
import { initMuvera, muveraFormValues, readMuveraSettings } from './muvera.ts';
import { shown } from '../results.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export interface CompareController {
  /** Runs the comparison with the current settings; resolves when done, failed or superseded. */
  compare(): Promise<void>;
  /** True while a run is in flight. */
  busy(): boolean;
}

export function initCompareController(store: Store, corpus: EmbeddedCorpus): CompareController {
  const engine = new EngineClient();
  const runButton = $<HTMLButtonElement>('compare-run');
  const cancelButton = $<HTMLButtonElement>('compare-cancel');
  const progress = $<HTMLProgressElement>('compare-progress');
  const status = $<HTMLParagraphElement>('compare-status');
  const corpusSelect = $<HTMLSelectElement>('compare-corpus');
  let modelLabel = '';
  /** Id of the newest run: progress and results of older runs are dropped. */
  let run = 0;
  let inFlight = false;
  /** Documents the shown result was computed on (for the index export). */
  let resultDocs: MultiVector[] = [];
  storageSelect($<HTMLSelectElement>('export-storage'), 'fp16', true);
  const muvera = initMuvera(engine);

  // Import of embeddings made elsewhere: read and checked in the worker, kept here whole or not at all.
  const importStatus = $<HTMLParagraphElement>('import-status');
  let imported: { name: string; summary: ImportSummary; qrels: Map<string, Map<string, number>> } | undefined;
  /** An imported corpus brings its own query vectors: the text-query controls do not apply. */
  const syncCorpusChoice = () => {
    const own = corpusSelect.value === 'imported';
    for (const id of ['query-source', 'typed-queries', 'queries-file']) $<HTMLInputElement>(id).disabled = own;
  };
  corpusSelect.addEventListener('change', () => (syncCorpusChoice(), void compare()));
  $<HTMLFormElement>('import-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    importStatus.classList.remove('error');
    const docsFile = $<HTMLInputElement>('import-docs').files?.[0];
    if (!docsFile) {
      importStatus.textContent = 'Choose a documents file (.safetensors or .npz).';
      importStatus.classList.add('error');
      return;
    }
    const button = $<HTMLButtonElement>('import-run');
    button.disabled = true;
    importStatus.textContent = `Reading ${docsFile.name} (${(docsFile.size / 2 ** 20).toFixed(1)} MiB)…`;
    try {
      const summary = await engine.importFiles(docsFile, $<HTMLInputElement>('import-queries').files?.[0], $<HTMLInputElement>('import-qrels').files?.[0]);
      const c = summary.corpus;
      imported = { name: docsFile.name, summary, qrels: new Map(c.qrels.map(([q, rel]) => [q, new Map(rel)])) };
      const option = corpusSelect.querySelector<HTMLOptionElement>('option[value="imported"]')!;
      option.disabled = false;
      option.textContent = `Imported: ${docsFile.name} (${c.docs.length} documents, ${c.queries.length} queries)`;
      corpusSelect.value = 'imported';
      syncCorpusChoice();
      importStatus.textContent =
        `Imported ${c.docs.length} documents (${summary.tokens} vectors, d = ${c.d}, ${c.layout}, ${c.dtype}), ${c.queries.length} queries, ` +
        `${imported.qrels.size} with relevance${c.manifest ? `; an exported index (${c.manifest.method}, m = ${c.manifest.budget ?? 'full'}, ${c.manifest.storage})` : ''}.` +
        (c.notes.length ? ` Notes: ${c.notes.join('; ')}.` : '') + (c.queries.length ? ' The comparison runs on it now (Compare view; the rail\'s Corpus chooses).' : ' Add a queries file to compare methods on it.');
      if (c.queries.length) {
        store.update({ view: 'compare' });
        void compare();
      }
    } catch (err) {
      importStatus.textContent = `Nothing was imported. ${(err as Error).message}`;
      importStatus.classList.add('error');
    } finally {
      button.disabled = false;
    }
  });

  async function queriesFromSource(): Promise<ParsedQueries> {
    const s = store.get();
    if (s.queries === 'demo') {
      const demo = corpus.demo();
      if (!demo) throw new Error('The demo captions need the demo scenes: embed them with "Add 24 demo scenes" (and nothing else), or pick another query source.');
      return { queries: demo.queries, qrels: demo.qrels as Map<string, Map<string, number>> };
    }
    if (s.queries === 'typed') {
      const q = parseTypedQueries($<HTMLTextAreaElement>('typed-queries').value);
      if (q.queries.length === 0) throw new Error('Type at least one query, one per line.');
      return q;
    }
    const f = $<HTMLInputElement>('queries-file').files?.[0];
    if (!f) throw new Error('Choose a queries file (CSV, TSV or JSONL; format in the README).');
    return parseQueriesFile(f.name, await f.text());
  }

  $<HTMLFormElement>('compare-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void compare();
  });

  /** Queries as vectors: the imported corpus's own, or the chosen source embedded by the model. */
  async function queryVectors(mine: number, docs: readonly MultiVector[]): Promise<{ queries: VectorSet[]; qrels: Map<string, Map<string, number>>; notes: string[] }> {
    if (corpusSelect.value === 'imported' && imported) {
      const c = imported.summary.corpus;
      if (c.queries.length === 0) throw new Error(`${imported.name} has no query vectors: import a queries file with it (README: Import).`);
      modelLabel = c.manifest?.model ?? `imported ${imported.name}`;
      return { queries: c.queries, qrels: imported.qrels, notes: [`imported from ${imported.name}`] };
    }
    const parsed = await queriesFromSource();
    const names = new Set(docs.map((d) => d.id));
    const unknown = new Set([...parsed.qrels.values()].flatMap((rel) => [...rel.keys()].filter((n) => !names.has(n))));
    status.textContent = `Embedding ${parsed.queries.length} queries…`;
    const queries: VectorSet[] = [];
    const empty: string[] = [];
    for (const q of parsed.queries) {
      if (mine !== run) throw new DOMException('Cancelled', 'AbortError');
      const e = await corpus.embedQuery(q.text);
      if (e.n === 0) empty.push(q.text);
      else queries.push({ id: q.id, n: e.n, d: e.d, data: e.vectors });
    }
    if (mine !== run) throw new DOMException('Cancelled', 'AbortError');
    if (queries.length === 0) throw new Error(`The model gives none of the query words a vector (${empty.join('; ')}).`);
    modelLabel = corpus.model()?.label ?? 'unknown model';
    const notes = [`${queries.length} queries, embedded with ${modelLabel}`];
    if (empty.length) notes.push(`${empty.length} queries skipped (no word the model knows): ${empty.join('; ')}`);
    if (unknown.size) notes.push(`${unknown.size} judged documents are not in the corpus: ${[...unknown].slice(0, 5).join(', ')}${unknown.size > 5 ? ', …' : ''}`);
    return { queries, qrels: parsed.qrels, notes };
  }

  async function compare(): Promise<void> {
    // A run in flight is stopped (its worker terminated): only the newest settings count.
    if (inFlight) engine.cancel();
    const mine = ++run;
    muvera.clear();
    status.classList.remove('error');
    status.textContent = 'Comparing…';
    commitPendingEdits();
    const settingsError = $<HTMLParagraphElement>('compare-settings-error').textContent;
    const useImported = corpusSelect.value === 'imported' && imported !== undefined;
    const docs = useImported ? imported!.summary.corpus.docs : corpus.docs();
    inFlight = true;
    runButton.disabled = true;
    cancelButton.disabled = false;
    progress.hidden = false;
    progress.removeAttribute('value');
    try {
      if (settingsError) throw new Error(settingsError);
      const indexedOnly = !useImported && $<HTMLInputElement>('stream-on').checked && !$<HTMLInputElement>('stream-keep').checked;
      if (docs.length === 0 && indexedOnly)
        throw new Error('The documents were indexed while embedding without their full-length vectors, and the comparison needs the full vectors (it compresses them with every method): tick "also keep the full vectors" in the Data view and embed again.');
      if (docs.length === 0) throw new Error('Nothing to compare yet: drop images or videos on the page, add the demo scenes, or import embeddings.');
      const s = store.get();
      const config = { methods: s.methods.map(parseMethodSpec), budgets: s.budgets, storages: s.storages, ks: KS, seed: s.seed };
      const { queries, qrels, notes } = await queryVectors(mine, docs);
      const started = performance.now();
      // Progress travels on its own port and can arrive after the result: ignore it then.
      let finished = false;
      const result: ExperimentResult = await engine.runCorpus(docs, queries, qrels, config, (p) => mine === run && !finished && showGridProgress(p, started, progress, status));
      finished = true;
      if (mine !== run) return;
      resultDocs = [...docs];
      if (result.failures.length) notes.push(`${result.failures.length} documents skipped: ${result.failures.slice(0, 3).map((f) => f.message).join('; ')}`);
      status.textContent = `Done in ${((performance.now() - started) / 1000).toFixed(1)} s: ${result.documents} documents, ${notes.join('. ')}.`;
      fillExport(result);
      shown.value = { result, caption: `Results (${result.documents} documents, ${result.queries} queries, ${modelLabel}, engine ${result.engineVersion})` };
      void muvera.run(resultDocs, queries, qrels, config.seed);
    } catch (err) {
      if (mine !== run) return;
      const e = err as Error;
      status.textContent = e.name === 'AbortError' ? 'Cancelled. Nothing is running in the background.' : e.message;
      if (e.name !== 'AbortError') status.classList.add('error');
    } finally {
      if (mine === run) {
        inFlight = false;
        runButton.disabled = false;
        cancelButton.disabled = true;
        progress.hidden = true;
      }
    }
  }

  cancelButton.addEventListener('click', () => {
    run++;
    engine.cancel();
    inFlight = false;
    runButton.disabled = false;
    cancelButton.disabled = true;
    progress.hidden = true;
    status.classList.remove('error');
    status.textContent = 'Cancelled. Nothing is running in the background.';
  });

  function fillExport(result: ExperimentResult) {
    const exportMethod = $<HTMLSelectElement>('export-method');
    const compressed = [...new Set(result.rows.filter((r) => r.budget !== null).map((r) => r.method))];
    exportMethod.replaceChildren(...['none', ...compressed].map((m) => new Option(m === 'none' ? 'uncompressed' : result.rows.find((r) => r.method === m)!.label, m, m === 'agc', m === 'agc')));
    const budgets = budgetsRun(result);
    const mid = budgets[Math.floor((budgets.length - 1) / 2)];
    $<HTMLSelectElement>('export-budget').replaceChildren(...budgets.map((b) => new Option(`m = ${b}`, String(b), b === mid, b === mid)));
  }

  $<HTMLFormElement>('index-export').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const out = $<HTMLParagraphElement>('export-status');
    out.classList.remove('error');
    const cur = shown.value?.result;
    if (!cur || resultDocs.length === 0) return;
    const method = $<HTMLSelectElement>('export-method').value;
    const budget = method === 'none' ? null : Number($<HTMLSelectElement>('export-budget').value);
    const storage = $<HTMLSelectElement>('export-storage').value as EvalStorage;
    out.textContent = 'Compressing and writing…';
    try {
      // MUVERA's encodings with the MUVERA panel's settings (its memory check included).
      const fde = $<HTMLInputElement>('export-muvera').checked ? readMuveraSettings(muveraFormValues(), resultDocs.length, resultDocs[0].d) : undefined;
      const r = await engine.exportIndex(resultDocs, method, budget, storage, modelLabel, cur.config.seed, fde && { kSim: fde.kSim, reps: fde.reps, dProj: fde.dProj, seed: cur.config.seed });
      out.textContent = `Wrote ${downloadIndex(r)}` + (r.skipped.length ? `. ${r.skipped.length} documents skipped: ${r.skipped.slice(0, 3).join('; ')}` : '') + '.';
    } catch (err) {
      out.textContent = `Export failed: ${(err as Error).message}`;
      out.classList.add('error');
    }
  });

  $<HTMLButtonElement>('export-csv').addEventListener('click', () => shown.value && download('results.csv', toCSV(resultTable(shown.value.result)), 'text/csv'));
  $<HTMLButtonElement>('export-json').addEventListener('click', () => shown.value && download('results.json', toJSON({ model: modelLabel, ...shown.value.result }), 'application/json'));
  $<HTMLButtonElement>('copy-table').addEventListener('click', async () => {
    if (!shown.value) return;
    const t = resultTable(shown.value.result);
    const tsv = [t.columns, ...t.rows].map((r) => r.map((v) => (v === null || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v))).join('\t')).join('\n');
    await navigator.clipboard.writeText(tsv).then(
      () => (status.textContent = 'Table copied (tab-separated).'),
      () => (status.textContent = 'The browser refused clipboard access; use Download CSV.'),
    );
  });
  $<HTMLButtonElement>('copy-link').addEventListener('click', async () => {
    await navigator.clipboard.writeText(location.href).catch(() => undefined);
    status.textContent = `Link copied: ${location.href}`;
  });

  return { compare, busy: () => inFlight };
}
