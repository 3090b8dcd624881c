/**
 * Side by side (as Squoosh compares codecs): two panels at the same budget, each with its own
 * method and options and its own engine worker. For one query each shows a document's picture
 * with its clusters coloured and the patches whose stored vector won a query token's MaxSim
 * outlined, the query's nDCG@10 / recall@10 when judged, and its top results.
 */
import type { Inspection } from '../../core/inspect.ts';
import { formatMethodSpec } from '../../core/methodSpec.ts';
import { getMethod, METHODS, PRESETS } from '../../core/methods/registry.ts';
import type { MultiVector } from '../../core/multivector.ts';
import type { EmbeddedCorpus } from '../corpusStore.ts';
import { EngineClient } from '../../clients/engineClient.ts';
import { corpusVersion as corpusSignal } from '../corpusStore.ts';
import { effect } from '../state/store.ts';
import { PatchCanvas } from '../patchCanvas.ts';
import { pictures } from '../pictures.ts';
import { renderPassage } from '../textView.ts';

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

export function initSidePanel(corpus: EmbeddedCorpus): void {
  const queryInput = $<HTMLInputElement>('side-query');
  const list = $<HTMLDataListElement>('side-queries');
  const mInput = $<HTMLInputElement>('side-m');
  const docSelect = $<HTMLSelectElement>('side-doc');
  const status = $<HTMLParagraphElement>('side-status');
  let corpusVersion = 0;

  const sides: Side[] = [...document.querySelectorAll<HTMLDivElement>('#side-panel .side')].map((root, i) => {
    const method = root.querySelector<HTMLSelectElement>('.side-method')!;
    for (const m of METHODS) method.add(new Option(m.label, m.id));
    for (const p of PRESETS) method.add(new Option(p.label, p.id));
    method.value = i === 0 ? 'none' : 'agc';
    const side: Side = {
      engine: new EngineClient(),
      root,
      method,
      options: root.querySelector<HTMLDivElement>('.side-options')!,
      canvas: root.querySelector('canvas')!,
      text: root.querySelector<HTMLDivElement>('.side-text')!,
      summary: root.querySelector<HTMLParagraphElement>('.side-summary')!,
      top: root.querySelector<HTMLOListElement>('.side-top')!,
      corpusVersion: -1,
    };
    method.addEventListener('change', () => renderOptions(side));
    renderOptions(side);
    return side;
  });

  /** Form controls for the chosen method's options (from the engine's registry). */
  function renderOptions(side: Side) {
    side.options.replaceChildren();
    const preset = PRESETS.find((p) => p.id === side.method.value);
    const method = getMethod(preset ? preset.method : side.method.value);
    const values = { ...method.defaults, ...(preset?.options ?? {}) };
    for (const o of method.options) {
      const label = Object.assign(document.createElement('label'), { title: o.description });
      label.append(`${o.label} `);
      let input: HTMLInputElement | HTMLSelectElement;
      if (o.type === 'enum') {
        input = document.createElement('select');
        for (const c of o.choices) input.add(new Option(c, c, c === values[o.key], c === values[o.key]));
      } else if (o.type === 'boolean') {
        input = Object.assign(document.createElement('input'), { type: 'checkbox', checked: values[o.key] === true });
      } else {
        input = Object.assign(document.createElement('input'), { type: 'number', min: String(o.min), max: String(o.max), step: o.type === 'number' ? 'any' : '1', value: String(values[o.key]) });
      }
      input.dataset.key = o.key;
      label.append(input);
      side.options.append(label);
    }
  }

  function specOf(side: Side): string {
    const preset = PRESETS.find((p) => p.id === side.method.value);
    const method = preset ? preset.method : side.method.value;
    const options: Record<string, string | number | boolean> = {};
    for (const el of side.options.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-key]')) {
      const key = el.dataset.key!;
      options[key] = el instanceof HTMLInputElement && el.type === 'checkbox' ? el.checked : el instanceof HTMLInputElement && el.type === 'number' ? Number(el.value) : el.value;
    }
    return formatMethodSpec({ method, options });
  }

  effect(() => {
    void corpusSignal.value;
    corpusVersion++;
    const docs = corpus.docs();
    const keep = docSelect.value;
    docSelect.replaceChildren(new Option("(each side's top result)", ''), ...docs.map((d) => new Option(d.id, d.id, d.id === keep, d.id === keep)));
    list.replaceChildren(...(corpus.demo()?.queries ?? []).map((q) => new Option(q.text)));
  });

  async function draw(side: Side, r: Inspection, doc: MultiVector) {
    const compressedText = r.budget !== null && r.method !== 'none';
    side.canvas.hidden = !!doc.text;
    side.text.hidden = !doc.text;
    if (doc.text) {
      renderPassage(side.text, doc, { assignments: compressedText ? r.doc.assignments : undefined, stored: r.doc.stored, won: new Set(r.doc.winners) });
      return;
    }
    const ctx = side.canvas.getContext('2d')!;
    side.canvas.dataset.doc = doc.id;
    side.canvas.dataset.winners = Array.from(r.doc.winners).join(',');
    ctx.clearRect(0, 0, side.canvas.width, side.canvas.height);
    const pics = await pictures(corpus, doc);
    const per = Math.ceil(Math.sqrt(pics.length));
    const size = side.canvas.width / per;
    const compressed = r.budget !== null && r.method !== 'none';
    const won = new Set(r.doc.winners);
    pics.forEach((p, k) => {
      const area = {
        x: (k % per) * size,
        y: Math.floor(k / per) * size,
        size: size - (per > 1 ? 3 : 0),
        tokens: p.frame < 0 ? undefined : (i: number) => doc.positions?.frame?.[i] === p.frame,
      };
      const pc = new PatchCanvas(ctx, doc, p.image, corpus.model()?.centerCrop ?? true, area);
      pc.base();
      if (compressed) pc.fill(r.doc.assignments, r.doc.stored, 0.3);
      // Patches pooled into a vector that won some query token's MaxSim.
      for (const i of pc.tokens) {
        const stored = compressed ? r.doc.assignments[i] : i;
        if (stored >= 0 && won.has(stored)) pc.outline(i, '#d00', per > 1 ? 2 : 3, 1);
      }
      if (compressed) pc.borders(r.doc.assignments);
      if (p.frame >= 0) {
        ctx.fillStyle = '#000';
        ctx.font = '11px system-ui';
        ctx.fillText(`frame ${p.frame}`, area.x + 3, area.y + 12);
      }
    });
  }

  $<HTMLFormElement>('side-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const docs = corpus.docs();
    // The corpus this run uses: if files are added meanwhile, the workers are not marked current.
    const version = corpusVersion;
    if (docs.length === 0) {
      status.textContent = 'Embed some files first (or add the demo scenes).';
      return;
    }
    const text = queryInput.value.trim();
    const m = Math.max(1, Number(mInput.value) || 8);
    try {
      status.textContent = 'Embedding the query…';
      const q = await corpus.embedQuery(text);
      if (q.n === 0) throw new Error(`the model gives none of the words of "${text}" a vector`);
      const demo = corpus.demo();
      const judged = demo?.queries.find((x) => x.text === text);
      const qrel: [string, number][] = judged ? [...demo!.qrels.get(judged.id)!] : [];
      status.textContent = 'Compressing and searching in both panels…';
      await Promise.all(
        sides.map(async (side) => {
          // The corpus changed, or the worker holding it was stopped (idle): send it again.
          if (side.corpusVersion !== version || !side.engine.running) {
            await side.engine.setCorpus(docs);
            side.corpusVersion = version;
          }
          const spec = specOf(side);
          const budget = side.method.value === 'none' ? null : m;
          const r = await side.engine.inspect(spec, budget, { id: 'q', n: q.n, d: q.d, data: q.vectors }, qrel, docSelect.value || undefined);
          side.root.dataset.method = spec;
          const doc0 = docs.find((d) => d.id === r.doc.id);
          side.root.dataset.ndcg = String(r.ndcg10);
          side.summary.textContent = `${spec}${budget ? `, m = ${budget}` : ' (uncompressed)'}: ${r.doc.id} ranks #${r.doc.rank} with ${r.doc.stored} stored vectors; ${doc0?.text ? 'outlined words' : 'red patches'} won a query token (${q.n} tokens).${r.judged ? ` nDCG@10 ${r.ndcg10.toFixed(3)}, recall@10 ${r.recall10.toFixed(3)}.` : ' No judgments for this query.'}`;
          side.top.replaceChildren(
            ...r.top.map((h) => {
              const li = Object.assign(document.createElement('li'), { textContent: `${h.id} (${h.score.toFixed(3)})` });
              li.dataset.doc = h.id;
              if (h.grade > 0) li.classList.add('relevant');
              return li;
            }),
          );
          const doc = docs.find((d) => d.id === r.doc.id);
          if (doc) await draw(side, r, doc);
        }),
      );
      status.textContent = judged ? `Query "${text}" is a demo caption: relevance is known.` : `Query "${text}" has no judgments: compare the rankings and the winning ${docs.some((d) => d.text) ? 'words' : 'patches'}.`;
    } catch (err) {
      status.textContent = `Could not compare: ${(err as Error).message}`;
    }
  });
}
