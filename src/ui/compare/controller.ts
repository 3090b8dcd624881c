/**
 * Runs the comparison: queries (the demo's captions with their relevance, typed queries, or a
 * CSV/TSV/JSONL file) are embedded by the embedding worker, the experiment grid (every method x
 * budget x storage type) runs once in the engine worker with progress, and the result goes to
 * the view (`shown`). A new run cancels the one in flight; interaction after it only re-renders.
 * Also here: the import of embeddings made elsewhere (a corpus with its own queries) and the
 * exports of the result (CSV, JSON, table, compressed index).
 */
import type { ExperimentResult } from '../../core/experiment.ts';
import { parseMethodSpec } from '../../core/methodSpec.ts';
import type { MultiVector } from '../../core/multivector.ts';
import { EngineClient } from '../../clients/engineClient.ts';
import { showGridProgress, threadsNote } from '../common.ts';
import { embedActivity, type EmbeddedCorpus } from '../corpusStore.ts';
import { commitPendingEdits } from '../rail/compareSettings.ts';
import { effect, type Store } from '../state/store.ts';
import { bindFields } from '../state/fields.ts';
import { KS } from './series.ts';
import { initMuvera } from './muvera.ts';
import { shown, type Shown } from '../results.ts';
import { PARTIAL_NOTE, STOPPED_NOTE, streamRows } from './stream.ts';
import { fillExportChoices, initExports } from './exports.ts';
import { initImport, usesImported } from './importPanel.ts';
import { embeddedQueries, importedQueries, queriesFromSource } from './queries.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Why there is nothing to compare, or undefined when there is. */
function nothingToCompare(docs: readonly MultiVector[], indexedOnly: boolean): string | undefined {
  if (docs.length > 0) return undefined;
  if (indexedOnly)
    return 'The documents were indexed while embedding without their full-length vectors, and the comparison needs the full vectors (it compresses them with every method): tick "also keep the full vectors" in the Data view and embed again.';
  return 'Nothing to compare yet: drop images or videos on the page, add the demo scenes, or import embeddings.';
}

export interface CompareController {
  /**
   * Runs the comparison with the current settings; resolves when done, failed or superseded. With
   * `reuse`, a result this tab computed on the same corpus with the same settings is shown instead.
   */
  compare(options?: { reuse?: boolean }): Promise<void>;
  /** True while a run is in flight. */
  busy(): boolean;
}

export function initCompareController(store: Store, corpus: EmbeddedCorpus): CompareController {
  return new CompareRunner(store, corpus);
}

/** One run at a time: a new one cancels the one in flight (its worker terminated). */
class CompareRunner implements CompareController {
  private readonly engine = new EngineClient();
  private readonly runButton = $<HTMLButtonElement>('compare-run');
  private readonly cancelButton = $<HTMLButtonElement>('compare-cancel');
  private readonly progress = $<HTMLProgressElement>('compare-progress');
  private readonly status = $<HTMLParagraphElement>('compare-status');
  private modelLabel = '';
  /** Id of the newest run: progress and results of older runs are dropped. */
  private run = 0;
  private inFlight = false;
  /** The last result on each corpus of the tab (by its key), and what it was computed from. */
  private readonly byCorpus = new Map<string, { signature: string; shown: Shown; status: string; docs: MultiVector[]; model: string }>();
  /** Documents the shown result was computed on (for the index export). */
  private resultDocs: MultiVector[] = [];
  private readonly muvera = initMuvera(this.engine);
  private readonly importer = initImport(this.engine, {
    onReady: () => (this.store.update({ view: 'compare' }), void this.compare()),
    onCorpus: () => void this.compare(),
  });

  constructor(
    private readonly store: Store,
    private readonly corpus: EmbeddedCorpus,
  ) {
    bindFields(store, { muveraKsim: 'muvera-ksim', muveraReps: 'muvera-reps', muveraDproj: 'muvera-dproj', muveraCandidates: 'muvera-candidates' });
    initExports(this.engine, { docs: () => this.resultDocs, model: () => this.modelLabel, say: (text) => (this.status.textContent = text) });
    $<HTMLFormElement>('compare-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.compare();
    });
    // While files embed, the main area says so (it kept saying "Done ... 24 documents"); the
    // comparison re-runs on them when they are done, and its own status takes over.
    let before: string | undefined;
    effect(() => {
      const activity = embedActivity.value;
      if (activity && !this.inFlight) {
        before ??= this.status.textContent ?? '';
        this.status.textContent = `${activity} The comparison runs again on them when they are embedded.`;
      } else if (!activity && before !== undefined) {
        if (!this.inFlight) this.status.textContent = before;
        before = undefined;
      }
    });
    this.cancelButton.addEventListener('click', () => {
      this.run++;
      this.engine.cancel();
      this.idle();
      stopPartial();
      this.status.classList.remove('error');
      this.status.textContent = 'Cancelled. Nothing is running in the background.';
    });
  }

  busy = () => this.inFlight;

  private idle(): void {
    this.inFlight = false;
    this.runButton.disabled = false;
    this.cancelButton.disabled = true;
    this.progress.hidden = true;
  }

  private async queryVectors(mine: number, docs: readonly MultiVector[]) {
    const imported = this.importer.imported();
    const q = usesImported(imported)
      ? importedQueries(imported)
      : await embeddedQueries(await queriesFromSource(this.store.get().queries, this.corpus), docs, this.corpus, () => mine === this.run, (text) => (this.status.textContent = text));
    this.modelLabel = q.model;
    return q;
  }

  /** Runs the comparison with the current settings; resolves when done, failed or superseded. */
  /** What a result was computed from: settings, queries and documents (a file of queries is never assumed unchanged). */
  private signature(docs: readonly MultiVector[]): string | undefined {
    const s = this.store.get();
    if (s.queries === 'file') return undefined;
    return JSON.stringify([s.methods, s.budgets, s.storages, s.seed, s.queries, s.queries === 'typed' ? s.typed : '', this.corpus.current()?.fingerprint, docs.map((d) => `${d.id}:${d.n}`)]);
  }

  /** Shows the result this tab computed on the corpus shown with the same settings, if there is one. */
  private reuse(): boolean {
    const c = this.corpus.current();
    const hit = c && this.byCorpus.get(c.key);
    if (!c || !hit || usesImported(this.importer.imported()) || hit.signature !== this.signature(this.corpus.docs())) return false;
    if (this.inFlight) this.engine.cancel();
    this.run++;
    this.idle();
    this.muvera.clear();
    this.resultDocs = hit.docs;
    this.modelLabel = hit.model;
    fillExportChoices(hit.shown.result);
    shown.value = hit.shown;
    this.status.classList.remove('error');
    this.status.textContent = `${hit.status} (${c.name}: its last result in this tab, shown again; the settings are the same.)`;
    return true;
  }

  compare = async (options: { reuse?: boolean } = {}): Promise<void> => {
    if (options.reuse && this.reuse()) return;
    // A run in flight is stopped (its worker terminated): only the newest settings count.
    if (this.inFlight) this.engine.cancel();
    const mine = ++this.run;
    this.muvera.clear();
    this.status.classList.remove('error');
    this.status.textContent = 'Comparing…';
    commitPendingEdits();
    const settingsError = $<HTMLParagraphElement>('compare-settings-error').textContent;
    const imported = this.importer.imported();
    const useImported = usesImported(imported);
    const docs = useImported ? imported.summary.corpus.docs : this.corpus.docs();
    this.inFlight = true;
    this.runButton.disabled = true;
    this.cancelButton.disabled = false;
    this.progress.hidden = false;
    this.progress.removeAttribute('value');
    try {
      if (settingsError) throw new Error(settingsError);
      const empty = nothingToCompare(docs, !useImported && $<HTMLInputElement>('stream-on').checked && !$<HTMLInputElement>('stream-keep').checked);
      if (empty) throw new Error(empty);
      const s = this.store.get();
      const config = { methods: s.methods.map(parseMethodSpec), budgets: s.budgets, storages: s.storages, ks: KS, seed: s.seed };
      const { queries, qrels, notes } = await this.queryVectors(mine, docs);
      const started = performance.now();
      // Progress travels on its own port and can arrive after the result: ignore it then.
      let finished = false;
      const streamed = streamRows(started, (partial) => (shown.value = partial));
      const result: ExperimentResult = await this.engine.runCorpus(docs, queries, qrels, config, (p) => {
        if (mine !== this.run || finished) return;
        if (p.stage === 'rows') streamed(p);
        else showGridProgress(p, started, this.progress, this.status);
      }, undefined, s.gridThreads);
      finished = true;
      if (mine !== this.run) return;
      this.resultDocs = [...docs];
      if (result.failures.length) notes.push(`${result.failures.length} documents skipped: ${result.failures.slice(0, 3).map((f) => f.message).join('; ')}`);
      this.status.textContent = `Done in ${((performance.now() - started) / 1000).toFixed(1)} s${threadsNote(result.compressThreads)}: ${result.documents} documents, ${notes.join('. ')}.`;
      fillExportChoices(result);
      shown.value = { result, caption: `Results (${result.documents} documents, ${result.queries} queries, ${this.modelLabel}, engine ${result.engineVersion})` };
      const c = this.corpus.current();
      const signature = this.signature(docs);
      if (c && !useImported && signature) this.byCorpus.set(c.key, { signature, shown: shown.value, status: this.status.textContent, docs: this.resultDocs, model: this.modelLabel });
      void this.muvera.run(this.resultDocs, queries, qrels, config.seed);
    } catch (err) {
      if (mine !== this.run) return;
      stopPartial();
      const e = err as Error;
      this.status.textContent = e.name === 'AbortError' ? 'Cancelled. Nothing is running in the background.' : e.message;
      if (e.name !== 'AbortError') this.status.classList.add('error');
    } finally {
      if (mine === this.run) this.idle();
    }
  };
}


/** A partial result left on screen by a run that stopped says so. */
function stopPartial(): void {
  const cur = shown.value;
  if (cur?.caption.includes(PARTIAL_NOTE)) shown.value = { ...cur, caption: cur.caption.replace(PARTIAL_NOTE, STOPPED_NOTE) };
}
