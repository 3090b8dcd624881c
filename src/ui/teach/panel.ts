/**
 * The teaching view: one embedded picture and one method, step by step on the picture itself.
 * AGC: the patch grid, the saliency map, the m centroids, every patch's assignment, the pooled
 * vectors. H-Pool: Ward's merges from n clusters down to m. Back / Next / Autoplay, keyboard
 * (arrow keys on the canvas), and the step lives in the URL so a slide can show exactly one.
 * The trace is computed in the engine worker; the page only draws.
 */
import type { Explanation } from '../../core/explain.ts';
import type { MultiVector } from '../../core/multivector.ts';
import type { EmbeddedCorpus } from '../embed/panel.ts';
import { EngineClient } from '../../engineClient.ts';
import { corpusVersion } from '../corpusStore.ts';
import { effect } from '../state/store.ts';
import { clusterColour, PatchCanvas } from '../patchCanvas.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export interface TeachState {
  doc: string;
  method: 'agc' | 'hpool';
  m: number;
  step: number;
}

export interface TeachPanel {
  show(state: TeachState): Promise<void>;
  state(): TeachState | undefined;
}

interface Step {
  text: string;
  draw(ctx: CanvasRenderingContext2D): void;
}


export function initTeachPanel(corpus: EmbeddedCorpus, onChange: () => void = () => {}): TeachPanel {
  const engine = new EngineClient();
  const docSelect = $<HTMLSelectElement>('teach-doc');
  const methodSelect = $<HTMLSelectElement>('teach-method');
  const mInput = $<HTMLInputElement>('teach-m');
  const stage = document.querySelector<HTMLDivElement>('.teach-stage')!;
  const canvas = $<HTMLCanvasElement>('teach-canvas');
  const counter = $<HTMLParagraphElement>('teach-counter');
  const text = $<HTMLParagraphElement>('teach-step');
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
    current = Math.max(0, Math.min(steps.length - 1, i));
    steps[current].draw(ctx);
    counter.textContent = `Step ${current + 1} of ${steps.length}`;
    text.textContent = steps[current].text;
    back.disabled = current === 0;
    next.disabled = current === steps.length - 1;
    if (shown) shown.step = current;
    canvas.dataset.step = String(current);
    onChange();
  }

  function stopPlay() {
    if (timer) clearInterval(timer);
    timer = undefined;
    play.textContent = 'Autoplay';
  }

  async function show(state: TeachState): Promise<void> {
    stopPlay();
    refreshDocs();
    const doc = corpus.docs().find((d) => d.id === state.doc);
    const blob = corpus.source(state.doc);
    if (!doc || !blob) {
      text.textContent = `No embedded picture named "${state.doc}".`;
      stage.hidden = false;
      return;
    }
    docSelect.value = state.doc;
    methodSelect.value = state.method;
    mInput.value = String(state.m);
    const trace = await engine.explain(doc, state.method, state.m, 1);
    const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
    steps = buildSteps(doc, trace, bitmap, corpus.model()?.centerCrop ?? true);
    shown = { ...state, m: trace.m };
    stage.hidden = false;
    canvas.dataset.doc = state.doc;
    canvas.dataset.method = state.method;
    canvas.dataset.m = String(trace.m);
    go(state.step);
  }

  function buildSteps(doc: MultiVector, t: Explanation, image: ImageBitmap, centerCrop: boolean): Step[] {
    const pc = new PatchCanvas(ctx, doc, image, centerCrop);
    const { rows, cols, tokens } = pc;
    const n = t.n;
    const bytes = (v: number) => `${v * doc.d * 2} bytes in fp16`;
    const intro: Step = {
      text: `The picture as the model sees it, cut into ${rows} x ${cols} patches. The model gives every patch its own ${doc.d}-dimensional vector: ${n} vectors, ${bytes(n)}, for this one picture.`,
      draw: () => pc.base(),
    };
    if (t.method === 'agc') {
      const sal = t.saliency!;
      let max = 0;
      for (const i of tokens) max = Math.max(max, sal[i]);
      const centroidSet = new Set(t.centroids);
      return [
        intro,
        {
          text: 'Step 1, saliency: how strongly the model\'s summary token attends to each patch in its last layer. Bright patches matter to the model; the dark ones are mostly background.',
          draw: (c) => {
            pc.base();
            for (const i of tokens) {
              const { x, y } = pc.cell(i);
              c.fillStyle = `rgba(0,0,0,${0.75 * (1 - (max > 0 ? sal[i] / max : 0))})`;
              c.fillRect(x, y, pc.cw, pc.ch);
            }
          },
        },
        {
          text: `Step 2, centroids: AGC keeps the ${t.m} most salient patches as the seeds of ${t.m} clusters (numbered, in their cluster colours).`,
          draw: () => {
            pc.base(0.35);
            t.centroids!.forEach((tok, k) => {
              if (!tokens.includes(tok)) return;
              pc.outline(tok, clusterColour(k, t.m), 4);
              pc.label(tok, String(k + 1));
            });
          },
        },
        {
          text: 'Step 3, assignment: every other patch joins the centroid whose vector is most similar to its own (cosine). Similar-looking patches end up in the same cluster even when they are far apart.',
          draw: () => {
            pc.base();
            pc.fill(t.assignments, t.m, 0.55);
            for (const tok of centroidSet) pc.outline(tok, '#000', 2, 1);
          },
        },
        {
          text: `Step 4, pooling: each cluster becomes one stored vector, the average of its patches weighted by saliency. The index keeps ${t.m} vectors instead of ${n}: ${bytes(t.m)}, ${((100 * t.m) / n).toFixed(0)}% of the uncompressed size.`,
          draw: () => {
            pc.base();
            pc.fill(t.assignments, t.m, 0.35);
            pc.borders(t.assignments);
          },
        },
      ];
    }
    return [
      intro,
      ...t.levels!.slice(1).map((level, i, all) => ({
        text:
          i === all.length - 1
            ? `Ward's method has merged its way down to ${level.k} clusters (the budget). Each becomes one stored vector, the mean of its patches: ${bytes(level.k)} instead of ${bytes(n)}.`
            : `Ward's method repeatedly merges the two clusters whose union is tightest (least growth in within-cluster spread). Now ${level.k} clusters remain; each colour is one cluster.`,
        draw: () => {
          pc.base();
          pc.fill(level.labels, level.k, 0.5);
          pc.borders(level.labels);
        },
      })),
    ];
  }

  $<HTMLFormElement>('teach-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!docSelect.value) {
      text.textContent = 'Embed some images first (for example the demo scenes).';
      stage.hidden = false;
      return;
    }
    void show({ doc: docSelect.value, method: methodSelect.value as 'agc' | 'hpool', m: Math.max(1, Number(mInput.value) || 8), step: 0 });
  });
  back.addEventListener('click', () => (stopPlay(), go(current - 1)));
  next.addEventListener('click', () => (stopPlay(), go(current + 1)));
  play.addEventListener('click', () => {
    if (timer) return stopPlay();
    if (current === steps.length - 1) go(0);
    play.textContent = 'Pause';
    timer = setInterval(() => (current >= steps.length - 1 ? stopPlay() : go(current + 1)), 1800);
  });
  canvas.tabIndex = 0;
  canvas.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowRight') go(current + 1);
    if (e.key === 'ArrowLeft') go(current - 1);
  });

  return { show, state: () => (shown ? { ...shown } : undefined) };
}
