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
import { PatchCanvas } from '../patchCanvas.ts';
import type { PageState } from '../state/schema.ts';
import { effect, type Store } from '../state/store.ts';
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
  const engine = new EngineClient();
  const docSelect = $<HTMLSelectElement>('teach-doc');
  const methodSelect = $<HTMLSelectElement>('teach-method');
  const mInput = $<HTMLInputElement>('teach-m');
  const queryInput = $<HTMLInputElement>('teach-query');
  const stage = document.querySelector<HTMLDivElement>('.teach-stage')!;
  const canvas = $<HTMLCanvasElement>('teach-canvas');
  const counter = $<HTMLParagraphElement>('teach-counter');
  const title = $<HTMLHeadingElement>('teach-title-step');
  const text = $<HTMLParagraphElement>('teach-step');
  const list = $<HTMLOListElement>('teach-steps');
  const back = $<HTMLButtonElement>('teach-back');
  const next = $<HTMLButtonElement>('teach-next');
  const play = $<HTMLButtonElement>('teach-play');
  const ctx = canvas.getContext('2d')!;
  let steps: Step[] = [];
  let current = 0;
  let shown: TeachState | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;

  const refreshDocs = () => {
    const keep = docSelect.value;
    const names = corpus.docs().filter((d) => corpus.source(d.id)).map((d) => d.id);
    docSelect.replaceChildren(...(names.length ? names.map((n) => new Option(n, n, n === keep, n === keep)) : [new Option('(embed images first)', '')]));
  };
  effect(() => void (corpusVersion.value, refreshDocs()));

  function go(i: number) {
    if (steps.length === 0) return;
    current = Math.max(0, Math.min(steps.length - 1, i));
    steps[current].draw(ctx);
    counter.textContent = `Step ${current + 1} of ${steps.length}`;
    title.textContent = steps[current].title;
    text.textContent = steps[current].text;
    back.disabled = current === 0;
    next.disabled = current === steps.length - 1;
    list.querySelectorAll('button').forEach((b, k) => (k === current ? b.setAttribute('aria-current', 'step') : b.removeAttribute('aria-current')));
    if (shown) shown.step = current;
    canvas.dataset.step = String(current);
    onChange();
  }

  function stopPlay() {
    if (timer) clearInterval(timer);
    timer = undefined;
    play.textContent = 'Autoplay';
  }

  /**
   * The story's query: the one asked for; else, of the demo captions judged relevant to the
   * picture, the one the picture answers best (the teaching model misses some small shapes, and a
   * story about a score of 0 teaches little); else the first typed query.
   */
  async function storyQueries(doc: MultiVector, wanted?: string): Promise<string[]> {
    if (wanted) return [wanted];
    const demo = corpus.demo();
    const judged = demo?.queries.filter((q) => (demo.qrels.get(q.id)?.get(doc.id) ?? 0) > 0).map((q) => q.text) ?? [];
    return judged.length ? judged : [parseTypedQueries($<HTMLTextAreaElement>('typed-queries').value).queries[0]?.text ?? 'red'];
  }

  async function buildSteps(state: TeachState, doc: MultiVector, pc: PatchCanvas): Promise<{ steps: Step[]; m: number; query?: string }> {
    if (state.method !== 'story') {
      const trace = await engine.explain(doc, state.method, state.m, 1);
      return { steps: methodSteps(pc, doc, trace), m: trace.m };
    }
    let best: { query: string; q: Awaited<ReturnType<EmbeddedCorpus['embedQuery']>>; story: Awaited<ReturnType<EngineClient['story']>> } | undefined;
    for (const query of await storyQueries(doc, state.query)) {
      const q = await corpus.embedQuery(query);
      if (q.n === 0) continue;
      const story = await engine.story(doc, { data: q.vectors, n: q.n }, state.m, 1);
      if (!best || story.scoreFull > best.story.scoreFull) best = { query, q, story };
    }
    if (!best) throw new Error(`the model gives none of the words of "${state.query ?? 'the query'}" a vector: type another query`);
    return { steps: storySteps(pc, doc, best.story, best.query, best.q.tokens ?? []), m: best.story.agc.m, query: best.query };
  }

  async function show(state: TeachState): Promise<void> {
    stopPlay();
    refreshDocs();
    const doc = corpus.docs().find((d) => d.id === state.doc);
    const blob = corpus.source(state.doc);
    stage.hidden = false;
    if (!doc || !blob) {
      text.textContent = `No embedded picture named "${state.doc}".`;
      return;
    }
    docSelect.value = state.doc;
    methodSelect.value = state.method;
    mInput.value = String(state.m);
    try {
      const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
      const built = await buildSteps(state, doc, new PatchCanvas(ctx, doc, bitmap, corpus.model()?.centerCrop ?? true));
      steps = built.steps;
      queryInput.value = built.query ?? queryInput.value;
      shown = { ...state, m: built.m, query: built.query };
    } catch (err) {
      text.textContent = `Could not build the steps: ${(err as Error).message}`;
      return;
    }
    list.replaceChildren(
      ...steps.map((s, k) => {
        const li = document.createElement('li');
        const b = Object.assign(document.createElement('button'), { type: 'button', textContent: s.title });
        b.addEventListener('click', () => (stopPlay(), go(k)));
        li.append(b);
        return li;
      }),
    );
    Object.assign(canvas.dataset, { doc: state.doc, method: state.method, m: String(shown?.m ?? state.m) });
    go(state.step);
  }

  $<HTMLFormElement>('teach-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!docSelect.value) {
      stage.hidden = false;
      text.textContent = 'Embed some images first (for example the demo scenes).';
      return;
    }
    const method = methodSelect.value as TeachState['method'];
    void show({ doc: docSelect.value, method, m: Math.max(1, Number(mInput.value) || 8), step: 0, query: queryInput.value.trim() || undefined });
  });
  back.addEventListener('click', () => (stopPlay(), go(current - 1)));
  next.addEventListener('click', () => (stopPlay(), go(current + 1)));
  play.addEventListener('click', () => {
    if (timer) return stopPlay();
    if (current === steps.length - 1) go(0);
    play.textContent = 'Pause';
    timer = setInterval(() => (current >= steps.length - 1 ? stopPlay() : go(current + 1)), 2200);
  });
  // Arrow keys (and a presenter remote's PageUp / PageDown) anywhere in the view, except while typing.
  document.addEventListener('keydown', (e) => {
    if (store.get().view !== 'teach' || steps.length === 0) return;
    const target = e.target as HTMLElement;
    if (target.closest('input, textarea, select')) return;
    if (e.key === 'ArrowRight' || e.key === 'PageDown') (e.preventDefault(), stopPlay(), go(current + 1));
    if (e.key === 'ArrowLeft' || e.key === 'PageUp') (e.preventDefault(), stopPlay(), go(current - 1));
  });
  canvas.tabIndex = 0;

  return { show, state: () => (shown ? { ...shown } : undefined) };
}
