/**
 * The teaching view: one embedded picture, step by step on the picture itself. *The whole story*
 * (for a class): what a multi-vector index is, MaxSim token by token on one query, why compress,
 * AGC's four steps, H-Pool at the same budget, and what was lost. Or one method alone: AGC
 * (saliency, centroids, assignment, pooling) or H-Pool (Ward's merges from n clusters to m).
 * Back / Next / Autoplay, the arrow keys (and a presenter's PageUp / PageDown) anywhere in the
 * view, and the step lives in the URL, so a slide can show exactly one (`present=1` enlarges it).
 * The traces are computed in the engine worker; the page only draws.
 */
import type { MultiVector } from '../../core/multivector.ts';
import { parseTypedQueries } from '../../core/queriesFile.ts';
import { EngineClient } from '../../clients/engineClient.ts';
import { corpusVersion } from '../corpusStore.ts';
import type { EmbeddedCorpus } from '../corpusStore.ts';
import { canvasHeightFor, PatchCanvas } from '../patchCanvas.ts';
import { focusedBudget, type PageState } from '../state/schema.ts';
import { budgetsRun, shown } from '../results.ts';
import { effect, type Store } from '../state/store.ts';
import { bindFields } from '../state/fields.ts';
import { methodSteps, storySteps, type Step } from './steps.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export interface TeachState {
  doc: string;
  method: PageState['teachMethod'];
  m: number;
  step: number;
  /** The story's query (empty: the first demo caption relevant to the picture, else a typed query). */
  query?: string;
}

export interface TeachPanel {
  show(state: TeachState): Promise<void>;
  state(): TeachState | undefined;
}

export function initTeachPanel(store: Store, corpus: EmbeddedCorpus, onChange: () => void = () => {}): TeachPanel {
  const panel = new Teach(store, corpus, onChange);
  return { show: (state) => panel.show(state), state: () => panel.state() };
}

class Teach {
  private readonly engine = new EngineClient();
  private readonly docSelect = $<HTMLSelectElement>('teach-doc');
  private readonly methodSelect = $<HTMLSelectElement>('teach-method');
  private readonly mInput = $<HTMLInputElement>('teach-m');
  private readonly queryInput = $<HTMLInputElement>('teach-query');
  private readonly stage = document.querySelector<HTMLDivElement>('.teach-stage')!;
  private readonly canvas = $<HTMLCanvasElement>('teach-canvas');
  private readonly text = $<HTMLParagraphElement>('teach-step');
  private readonly list = $<HTMLOListElement>('teach-steps');
  private readonly back = $<HTMLButtonElement>('teach-back');
  private readonly next = $<HTMLButtonElement>('teach-next');
  private readonly play = $<HTMLButtonElement>('teach-play');
  private readonly ctx = this.canvas.getContext('2d')!;
  private steps: Step[] = [];
  private current = 0;
  private shown: TeachState | undefined;
  /** An automatic first show is under way (the view was opened). */
  private opening = false;
  /** Calls of show() so far: only the latest one's steps are put up. */
  private showing = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly store: Store,
    private readonly corpus: EmbeddedCorpus,
    private readonly onChange: () => void,
  ) {
    bindFields(store, { teachM: 'teach-m' });
    effect(() => void (corpusVersion.value, this.refreshDocs()));
    // Opening the view shows the story of the first picture at the slider's budget (it opened as a
    // blank box, and at m = 8 whatever the slider said); a link's own step is left to its replay.
    effect(() => {
      const s = store.state.value;
      void corpusVersion.value;
      if (s.view !== 'teach' || this.shown || this.opening || s.teachDoc || !this.docSelect.value) return;
      const m = (shown.value && focusedBudget(s, budgetsRun(shown.value.result))) || 8;
      this.opening = true;
      void this.show({ doc: this.docSelect.value, method: 'story', m, step: 0 }).finally(() => (this.opening = false));
    });
    $<HTMLFormElement>('teach-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (!this.docSelect.value) {
        this.stage.hidden = false;
        this.text.textContent = 'Embed some images first (for example the demo scenes).';
        return;
      }
      const method = this.methodSelect.value as TeachState['method'];
      void this.show({ doc: this.docSelect.value, method, m: Math.max(1, Number(this.mInput.value) || 8), step: 0, query: this.queryInput.value.trim() || undefined });
    });
    // Another document with steps on screen: its steps at once (the old picture stayed up before).
    this.docSelect.addEventListener('change', () => {
      if (this.shown && this.docSelect.value && this.docSelect.value !== this.shown.doc) void this.show({ ...this.shown, doc: this.docSelect.value, step: 0, query: undefined });
    });
    this.back.addEventListener('click', () => (this.stopPlay(), this.go(this.current - 1)));
    this.next.addEventListener('click', () => (this.stopPlay(), this.go(this.current + 1)));
    this.play.addEventListener('click', () => this.togglePlay());
    this.bindKeys();
    this.canvas.tabIndex = 0;
  }

  state(): TeachState | undefined {
    return this.shown ? { ...this.shown } : undefined;
  }

  private refreshDocs(): void {
    const keep = this.docSelect.value;
    const names = this.corpus.docs().filter((d) => this.corpus.source(d.id)).map((d) => d.id);
    this.docSelect.replaceChildren(...(names.length ? names.map((n) => new Option(n, n, n === keep, n === keep)) : [new Option('(embed images first)', '')]));
  }

  private go(i: number): void {
    const steps = this.steps;
    if (steps.length === 0) return;
    this.current = Math.max(0, Math.min(steps.length - 1, i));
    const step = steps[this.current];
    step.draw(this.ctx);
    $<HTMLParagraphElement>('teach-counter').textContent = `Step ${this.current + 1} of ${steps.length}`;
    $<HTMLHeadingElement>('teach-title-step').textContent = step.title;
    this.text.textContent = step.text;
    this.back.disabled = this.current === 0;
    this.next.disabled = this.current === steps.length - 1;
    this.list.querySelectorAll('button').forEach((b, k) => (k === this.current ? b.setAttribute('aria-current', 'step') : b.removeAttribute('aria-current')));
    if (this.shown) this.shown.step = this.current;
    this.canvas.dataset.step = String(this.current);
    this.onChange();
  }

  private stopPlay(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.play.textContent = 'Autoplay';
  }

  private togglePlay(): void {
    if (this.timer) return this.stopPlay();
    if (this.current === this.steps.length - 1) this.go(0);
    this.play.textContent = 'Pause';
    this.timer = setInterval(() => (this.current >= this.steps.length - 1 ? this.stopPlay() : this.go(this.current + 1)), 2200);
  }

  /** Arrow keys (and a presenter remote's PageUp / PageDown) anywhere in the view, except while typing. */
  private bindKeys(): void {
    document.addEventListener('keydown', (e) => {
      if (this.store.get().view !== 'teach' || this.steps.length === 0) return;
      if ((e.target as HTMLElement).closest('input, textarea, select')) return;
      if (e.key === 'ArrowRight' || e.key === 'PageDown') (e.preventDefault(), this.stopPlay(), this.go(this.current + 1));
      if (e.key === 'ArrowLeft' || e.key === 'PageUp') (e.preventDefault(), this.stopPlay(), this.go(this.current - 1));
    });
  }

  /**
   * The story's query: the one asked for; else, of the demo captions judged relevant to the
   * picture, the one the picture answers best (the teaching model misses some small shapes, and a
   * story about a score of 0 teaches little); else the typed queries (the best answered of those
   * the model has words for: one's own files have no captions, and the first typed query may have
   * no word the model knows); else "red".
   */
  private storyQueries(doc: MultiVector, wanted?: string): string[] {
    if (wanted) return [wanted];
    const demo = this.corpus.demo();
    const judged = demo?.queries.filter((q) => (demo.qrels.get(q.id)?.get(doc.id) ?? 0) > 0).map((q) => q.text) ?? [];
    const typed = parseTypedQueries($<HTMLTextAreaElement>('typed-queries').value).queries.map((q) => q.text);
    return judged.length ? judged : typed.length ? typed : ['red'];
  }

  private async buildSteps(state: TeachState, doc: MultiVector, pc: PatchCanvas): Promise<{ steps: Step[]; m: number; query?: string }> {
    if (state.method !== 'story') {
      const trace = await this.engine.explain(doc, state.method, state.m, 1);
      return { steps: methodSteps(pc, doc, trace), m: trace.m };
    }
    let best: { query: string; q: Awaited<ReturnType<EmbeddedCorpus['embedQuery']>>; story: Awaited<ReturnType<EngineClient['story']>> } | undefined;
    const tried = this.storyQueries(doc, state.query);
    for (const query of tried) {
      const q = await this.corpus.embedQuery(query);
      if (q.n === 0) continue;
      const story = await this.engine.story(doc, { data: q.vectors, n: q.n }, state.m, 1);
      if (!best || story.scoreFull > best.story.scoreFull) best = { query, q, story };
    }
    if (!best) throw new Error(`the model gives none of the words of ${tried.map((t) => `"${t}"`).join(', ')} a vector: type another query`);
    return { steps: storySteps(pc, doc, best.story, best.query, best.q.tokens ?? []), m: best.story.agc.m, query: best.query };
  }

  private stepList(): HTMLLIElement[] {
    return this.steps.map((s, k) => {
      const li = document.createElement('li');
      const b = Object.assign(document.createElement('button'), { type: 'button', textContent: s.title });
      b.addEventListener('click', () => (this.stopPlay(), this.go(k)));
      li.append(b);
      return li;
    });
  }

  async show(state: TeachState): Promise<void> {
    // The latest call wins: the automatic story of a view just opened can finish after the steps
    // the user asked for next (seen on a loaded machine: the story replaced AGC's steps).
    const mine = ++this.showing;
    this.stopPlay();
    this.refreshDocs();
    const doc = this.corpus.docs().find((d) => d.id === state.doc);
    const blob = this.corpus.source(state.doc);
    this.stage.hidden = false;
    if (!doc || !blob) {
      this.text.textContent = `No embedded picture named "${state.doc}".`;
      return;
    }
    this.docSelect.value = state.doc;
    this.methodSelect.value = state.method;
    this.mInput.value = String(state.m);
    try {
      const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
      if (mine !== this.showing) return bitmap.close();
      // The page at its aspect ratio (a tall PDF page keeps its title), tiles beside the global view.
      this.canvas.height = canvasHeightFor(doc, bitmap, this.canvas.width);
      const built = await this.buildSteps(state, doc, new PatchCanvas(this.ctx, doc, bitmap, this.corpus.model()?.centerCrop ?? true));
      if (mine !== this.showing) return;
      this.steps = built.steps;
      this.queryInput.value = built.query ?? this.queryInput.value;
      this.shown = { ...state, m: built.m, query: built.query };
    } catch (err) {
      if (mine !== this.showing) return;
      this.text.textContent = `Could not build the steps: ${(err as Error).message}`;
      return;
    }
    this.list.replaceChildren(...this.stepList());
    Object.assign(this.canvas.dataset, { doc: state.doc, method: state.method, m: String(this.shown?.m ?? state.m) });
    this.go(state.step);
  }
}
