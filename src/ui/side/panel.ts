/**
 * Side by side (as Squoosh compares codecs): two panels at the same budget, each with its own
 * method and options and its own engine worker. For one query each shows a document's picture
 * with its clusters coloured and the patches whose stored vector won a query token's MaxSim
 * outlined, the query's nDCG@10 / recall@10 when judged, and its top results.
 */
import type { MultiVector } from '../../core/multivector.ts';
import { METHODS, PRESETS } from '../../core/methods/registry.ts';
import type { EmbeddedCorpus } from '../corpusStore.ts';
import { EngineClient } from '../../clients/engineClient.ts';
import { corpusVersion as corpusSignal } from '../corpusStore.ts';
import { budgetsRun, shown } from '../results.ts';
import { focusedBudget, type PageState } from '../state/schema.ts';
import { effect, type Store } from '../state/store.ts';
import { bindFields } from '../state/fields.ts';
import { drawSideDocument, sideSummary, topList } from './draw.ts';
import { methodSpecOf, renderMethodOptions } from './options.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

interface Side {
  engine: EngineClient;
  root: HTMLDivElement;
  method: HTMLSelectElement;
  options: HTMLDivElement;
  canvas: HTMLCanvasElement;
  /** A text document's passage with its tokens marked (in place of the canvas). */
  text: HTMLDivElement;
  summary: HTMLParagraphElement;
  top: HTMLOListElement;
  corpusVersion: number;
}

/** Side by side's budget: its own when set, else the slider's (the focused budget of the result, or of the settings). */
export function sideBudget(s: Pick<PageState, 'sideM' | 'focus' | 'budgets'>, run: readonly number[] | undefined): number {
  return s.sideM || focusedBudget(s, run?.length ? run : s.budgets)!;
}

function makeSide(root: HTMLDivElement, i: number): Side {
  const method = root.querySelector<HTMLSelectElement>('.side-method')!;
  for (const m of METHODS) method.add(new Option(m.label, m.id));
  for (const p of PRESETS) method.add(new Option(p.label, p.id));
  method.value = i === 0 ? 'none' : 'agc';
  const options = root.querySelector<HTMLDivElement>('.side-options')!;
  method.addEventListener('change', () => renderMethodOptions(options, method.value));
  renderMethodOptions(options, method.value);
  return {
    engine: new EngineClient(),
    root,
    method,
    options,
    canvas: root.querySelector('canvas')!,
    text: root.querySelector<HTMLDivElement>('.side-text')!,
    summary: root.querySelector<HTMLParagraphElement>('.side-summary')!,
    top: root.querySelector<HTMLOListElement>('.side-top')!,
    corpusVersion: -1,
  };
}

export function initSidePanel(store: Store, corpus: EmbeddedCorpus): void {
  new SidePanel(store, corpus);
}

class SidePanel {
  private readonly queryInput = $<HTMLInputElement>('side-query');
  private readonly docSelect = $<HTMLSelectElement>('side-doc');
  private readonly status = $<HTMLParagraphElement>('side-status');
  private corpusVersion = 0;
  private readonly sides = [...document.querySelectorAll<HTMLDivElement>('#side-panel .side')].map(makeSide);

  /** Id of the newest run: older runs neither draw nor write the status. */
  private runs = 0;

  constructor(
    private readonly store: Store,
    private readonly corpus: EmbeddedCorpus,
  ) {
    bindFields(store, { sideQuery: 'side-query' });
    const mInput = $<HTMLInputElement>('side-m');
    // The budget follows the slider unless set here; the field shows which.
    effect(() => {
      const s = store.state.value;
      mInput.placeholder = String(this.budget());
      mInput.value = s.sideM ? String(s.sideM) : '';
      mInput.title = s.sideM ? 'Set here (empty: follow the budget slider)' : `Following the budget slider (m = ${this.budget()})`;
    });
    mInput.addEventListener('input', () => store.update({ sideM: Math.max(0, Math.floor(Number(mInput.value)) || 0) }));
    effect(() => {
      void corpusSignal.value;
      this.corpusVersion++;
      const docs = corpus.docs();
      const keep = this.docSelect.value;
      this.docSelect.replaceChildren(new Option("(each side's top result)", ''), ...docs.map((d) => new Option(d.id, d.id, d.id === keep, d.id === keep)));
      $<HTMLDataListElement>('side-queries').replaceChildren(...(corpus.demo()?.queries ?? []).map((q) => new Option(q.text)));
    });
    // Opening the view shows both sides at once (it opened as two blank boxes until a click), once per corpus.
    let shownFor = -1;
    effect(() => {
      const open = store.state.value.view === 'side';
      void corpusSignal.value;
      if (!open || shownFor === this.corpusVersion || corpus.docs().length === 0 || !corpus.model()) return;
      shownFor = this.corpusVersion;
      void this.compare();
    });
    $<HTMLFormElement>('side-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.compare();
    });
  }

  private budget(): number {
    return sideBudget(this.store.state.value, shown.value ? budgetsRun(shown.value.result) : undefined);
  }

  /** One side: the corpus sent if its worker lacks it, then compress, search and draw. */
  private async runSide(side: Side, docs: MultiVector[], version: number, query: { n: number; d: number; vectors: Float32Array }, qrel: [string, number][], m: number, current: () => boolean): Promise<void> {
    // The corpus changed, or the worker holding it was stopped (idle): send it again.
    if (side.corpusVersion !== version || !side.engine.running) {
      await side.engine.setCorpus(docs);
      side.corpusVersion = version;
    }
    const spec = methodSpecOf(side.options, side.method.value);
    const budget = side.method.value === 'none' ? null : m;
    const r = await side.engine.inspect(spec, budget, { id: 'q', n: query.n, d: query.d, data: query.vectors }, qrel, this.docSelect.value || undefined);
    // A newer run (another click, or the view's own first run) draws instead.
    if (!current()) return;
    side.root.dataset.method = spec;
    side.root.dataset.ndcg = String(r.ndcg10);
    const doc = docs.find((d) => d.id === r.doc.id);
    side.summary.textContent = sideSummary(spec, budget, r, query.n, !!doc?.text);
    topList(side.top, r);
    if (doc) await drawSideDocument(side.canvas, side.text, r, doc, this.corpus);
  }

  private async compare(): Promise<void> {
    const mine = ++this.runs;
    const current = () => mine === this.runs;
    const docs = this.corpus.docs();
    // The corpus this run uses: if files are added meanwhile, the workers are not marked current.
    const version = this.corpusVersion;
    if (docs.length === 0) {
      this.status.textContent = 'Embed some files first (or add the demo scenes).';
      return;
    }
    const text = this.queryInput.value.trim();
    const m = this.budget();
    try {
      this.status.textContent = 'Embedding the query…';
      const q = await this.corpus.embedQuery(text);
      if (q.n === 0) throw new Error(`the model gives none of the words of "${text}" a vector`);
      const demo = this.corpus.demo();
      const judged = demo?.queries.find((x) => x.text === text);
      const qrel: [string, number][] = judged ? [...demo!.qrels.get(judged.id)!] : [];
      this.status.textContent = 'Compressing and searching in both panels…';
      await Promise.all(this.sides.map((side) => this.runSide(side, docs, version, q, qrel, m, current)));
      if (!current()) return;
      this.status.textContent = judged ? `Query "${text}" is a demo caption: relevance is known.` : `Query "${text}" has no judgments: compare the rankings and the winning ${docs.some((d) => d.text) ? 'words' : 'patches'}.`;
    } catch (err) {
      if (current()) this.status.textContent = `Could not compare: ${(err as Error).message}`;
    }
  }
}
