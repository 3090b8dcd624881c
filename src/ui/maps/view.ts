/**
 * Similarity maps (colpali-engine's interpretability maps, for compressed indexes too): for one
 * query and one document, how similar each patch's stored vector is to the query, uncompressed
 * beside one method at the slider's budget. A compressed vector paints every patch of its
 * cluster. "Whole query" shows the mean over query tokens; hovering or focusing a token shows
 * its own map; outlined patches hold the stored vector that won the token's MaxSim.
 */
import * as d3 from 'd3';
import { parseTypedQueries } from '../../core/queriesFile.ts';
import type { MultiVector } from '../../core/multivector.ts';
import type { SimilarityMap } from '../../core/similarityMap.ts';
import { EngineClient } from '../../clients/engineClient.ts';
import { budgetsRun, methodsOf, shown } from '../results.ts';
import { corpusVersion } from '../corpusStore.ts';
import type { EmbeddedCorpus } from '../corpusStore.ts';
import { PatchCanvas } from '../patchCanvas.ts';
import { pictures } from '../pictures.ts';
import { foldRuns, renderPassage } from '../textView.ts';
import { focusedBudget } from '../state/schema.ts';
import { computed, effect, type Store } from '../state/store.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
type Map = SimilarityMap & { docId: string; stored: number; assignments: Int32Array };

export function initMapsView(store: Store, corpus: EmbeddedCorpus): void {
  const engine = new EngineClient();
  const querySelect = $<HTMLSelectElement>('maps-query');
  const docSelect = $<HTMLSelectElement>('maps-doc');
  const methodSelect = $<HTMLSelectElement>('maps-method');
  const status = $<HTMLParagraphElement>('maps-status');
  const tokensBox = $<HTMLDivElement>('maps-tokens');
  const mapsBox = $<HTMLDivElement>('maps');
  let engineVersion = -1;
  let token = -1;
  let current: { doc: MultiVector; maps: { title: string; map: Map }[] } | undefined;

  /** The queries offered: the demo captions (with relevance) and the typed ones. */
  const queries = () => [...(corpus.demo()?.queries ?? []).map((q) => ({ id: q.id, text: q.text })), ...parseTypedQueries($<HTMLTextAreaElement>('typed-queries').value).queries];
  const fill = () => {
    const s = store.get();
    const qs = queries();
    querySelect.replaceChildren(...qs.map((q) => new Option(q.text, q.text, q.text === s.mapQuery, q.text === s.mapQuery)));
    const docs = corpus.docs();
    const relevant = [...(corpus.demo()?.qrels.get(qs.find((q) => q.text === querySelect.value)?.id ?? '') ?? new Map()).keys()];
    const doc = docs.some((d) => d.id === s.mapDoc) ? s.mapDoc : (relevant[0] ?? docs[0]?.id ?? '');
    docSelect.replaceChildren(...docs.map((d) => new Option(d.id, d.id, d.id === doc, d.id === doc)));
    const methods = shown.value ? methodsOf(shown.value.result) : [];
    const keep = methodSelect.value || 'agc';
    methodSelect.replaceChildren(...methods.map((m) => new Option(`uncompressed vs ${m.label}`, m.id, m.id === keep, m.id === keep)));
  };
  querySelect.addEventListener('change', () => store.update({ mapQuery: querySelect.value, mapDoc: '' }));
  docSelect.addEventListener('change', () => store.update({ mapDoc: docSelect.value }));
  methodSelect.addEventListener('change', () => void render());

  // Re-render when the view is open and the query, document, budget, result or corpus changed.
  const key = computed(() => {
    const s = store.state.value;
    return s.view !== 'maps' ? '' : JSON.stringify([s.mapQuery, s.mapDoc, s.focus, corpusVersion.value.n, shown.value?.result.rows.length]);
  });
  effect(() => {
    if (!key.value) return;
    fill();
    void render();
  });

  let rendering = 0;
  async function render(): Promise<void> {
    const mine = ++rendering;
    const docs = corpus.docs();
    const doc = docs.find((d) => d.id === docSelect.value);
    const text = querySelect.value;
    const result = shown.value?.result;
    const method = methodSelect.value;
    if (!doc || !text || !result || !method) {
      status.textContent = docs.length === 0 ? 'Nothing embedded yet: the maps need documents and a comparison.' : 'Run a comparison first (the maps use its methods and budgets).';
      mapsBox.replaceChildren();
      tokensBox.replaceChildren();
      return;
    }
    const m = focusedBudget(store.get(), budgetsRun(result))!;
    status.textContent = `Computing the maps of "${text}" on ${doc.id}…`;
    try {
      if (engineVersion !== corpusVersion.peek().n || !engine.running) {
        await engine.setCorpus(docs);
        engineVersion = corpusVersion.peek().n;
      }
      const q = await corpus.embedQuery(text);
      if (q.n === 0) throw new Error(`the model gives none of the words of "${text}" a vector`);
      const query = { id: 'q', n: q.n, d: q.d, data: q.vectors };
      const label = methodsOf(result).find((x) => x.id === method)?.label ?? method;
      const maps = [
        { title: 'uncompressed', map: await engine.similarityMap('none', null, query, doc.id) },
        { title: `${label}, m = ${m}`, map: await engine.similarityMap(method, m, query, doc.id) },
      ];
      if (mine !== rendering) return;
      current = { doc, maps };
      drawTokens(q.tokens ?? []);
      await draw();
      const unit = doc.text ? 'tokens' : 'patches';
      status.textContent = `"${text}" (${q.n} query tokens: ${foldRuns(q.tokens ?? []).join(' · ')}) on ${doc.id}, ${doc.n} ${unit}. Outlined: ${unit} whose stored vector won a token's MaxSim.`;
    } catch (err) {
      if (mine === rendering) status.textContent = `Could not draw the maps: ${(err as Error).message}`;
    }
  }

  function drawTokens(names: string[]) {
    token = -1;
    const button = (t: number) => {
      const b = Object.assign(document.createElement('button'), { type: 'button', textContent: t < 0 ? 'Whole query' : (names[t] ?? `token ${t + 1}`) });
      b.dataset.token = String(t);
      b.setAttribute('aria-pressed', String(t === token));
      const pick = () => {
        if (token === t) return;
        token = t;
        for (const x of tokensBox.querySelectorAll('button')) x.setAttribute('aria-pressed', String(x === b));
        void draw();
      };
      b.addEventListener('pointerenter', pick);
      b.addEventListener('focus', pick);
      b.addEventListener('click', pick);
      return b;
    };
    // ColBERT's query expansion: the [MASK] tokens, each a vector of its own, folded away under one
    // summary so the query's words stay in view.
    const expansion = names.flatMap((n, t) => (n === '[MASK]' ? [t] : []));
    const words = names.flatMap((n, t) => (n === '[MASK]' && expansion.length > 3 ? [] : [t]));
    tokensBox.replaceChildren(button(-1), ...words.map(button));
    if (expansion.length > 3) {
      const more = document.createElement('details');
      more.className = 'expansion';
      more.append(Object.assign(document.createElement('summary'), { textContent: `${expansion.length} query expansion tokens ([MASK])` }), ...expansion.map(button));
      tokensBox.append(more);
    }
  }

  /** Values per input token for the token chosen (or the mean over query tokens), and the winners. */
  const valuesOf = (map: Map) => {
    const values = new Float32Array(map.n);
    for (let i = 0; i < map.n; i++) {
      if (token >= 0) values[i] = map.sims[token * map.n + i];
      else {
        let s = 0;
        for (let t = 0; t < map.qn; t++) s += map.sims[t * map.n + i];
        values[i] = s / map.qn;
      }
    }
    const won = new Set(token >= 0 ? [map.winners[token]] : Array.from(map.winners));
    return { values, won };
  };

  async function draw() {
    if (!current) return;
    const { doc, maps } = current;
    const pics = doc.text ? [] : await pictures(corpus, doc);
    const all = maps.map((x) => ({ ...x, ...valuesOf(x.map) }));
    // One colour scale for both maps, so the eye compares like with like.
    const finite = all.flatMap((x) => Array.from(x.values).filter(Number.isFinite));
    const colour = d3.scaleSequential(d3.interpolateInferno).domain([Math.min(...finite), Math.max(...finite)]);
    mapsBox.replaceChildren(
      ...all.map(({ title, map, values, won }) => {
        const fig = document.createElement('figure');
        const contributionOf = () => (token >= 0 ? map.best[token] : map.best.reduce((s, v) => s + v, 0));
        if (doc.text) {
          // A text document: its passage, each token coloured by its similarity, winners outlined.
          const box = Object.assign(document.createElement('div'), { className: 'side-text map-text' });
          box.setAttribute('role', 'img');
          box.setAttribute('aria-label', `${title}: similarity of ${token >= 0 ? `query token ${token + 1}` : 'the whole query'} to each word of ${doc.id}; MaxSim ${contributionOf().toFixed(3)}`);
          renderPassage(box, doc, { assignments: map.assignments, stored: map.stored, won, heat: (i) => (Number.isFinite(values[i]) ? colour(values[i]) : '#ccc') });
          Object.assign(box.dataset, { title, token: String(token), stored: String(map.stored), score: String(contributionOf()), winners: Array.from(won).join(',') });
          const cap = document.createElement('figcaption');
          cap.textContent = `${title}: ${map.stored} stored vectors; MaxSim ${token >= 0 ? `of token ${token + 1}` : 'score'} ${contributionOf().toFixed(3)}`;
          fig.append(box, cap);
          return fig;
        }
        const canvas = Object.assign(document.createElement('canvas'), { width: 288, height: 288 });
        canvas.setAttribute('role', 'img');
        const contribution = token >= 0 ? map.best[token] : map.best.reduce((s, v) => s + v, 0);
        canvas.setAttribute('aria-label', `${title}: similarity map of ${token >= 0 ? `query token ${token + 1}` : 'the whole query'} on ${doc.id}; MaxSim ${contribution.toFixed(3)}`);
        Object.assign(canvas.dataset, { doc: doc.id, title, token: String(token), stored: String(map.stored), score: String(contribution), winners: Array.from(won).join(',') });
        const ctx = canvas.getContext('2d')!;
        const per = Math.ceil(Math.sqrt(pics.length));
        const size = canvas.width / per;
        pics.forEach((p, k) => {
          const area = { x: (k % per) * size, y: Math.floor(k / per) * size, size: size - (per > 1 ? 3 : 0), tokens: p.frame < 0 ? undefined : (i: number) => doc.positions?.frame?.[i] === p.frame };
          const pc = new PatchCanvas(ctx, doc, p.image, corpus.model()?.centerCrop ?? true, area);
          pc.base();
          ctx.globalAlpha = 0.62;
          for (const i of pc.tokens) {
            const { x, y } = pc.cell(i);
            ctx.fillStyle = Number.isFinite(values[i]) ? colour(values[i]) : '#ccc';
            ctx.fillRect(x, y, pc.cw, pc.ch);
          }
          ctx.globalAlpha = 1;
          for (const i of pc.tokens) if (won.has(map.assignments[i])) pc.outline(i, '#00e5ff', per > 1 ? 1.5 : 2.5, 1);
        });
        const cap = document.createElement('figcaption');
        cap.textContent = `${title}: ${map.stored} stored vectors; MaxSim ${token >= 0 ? `of token ${token + 1}` : 'score'} ${contribution.toFixed(3)}`;
        fig.append(canvas, cap);
        return fig;
      }),
    );
  }
}
