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
import { EngineClient } from '../../clients/engineClient.ts';
import { budgetsRun, methodsOf, shown } from '../results.ts';
import { corpusVersion } from '../corpusStore.ts';
import type { EmbeddedCorpus } from '../corpusStore.ts';
import { pictures } from '../pictures.ts';
import { foldRuns } from '../textView.ts';
import { focusedBudget } from '../state/schema.ts';
import { computed, effect, type Store } from '../state/store.ts';
import { drawLegend, mapDomain, mapValues, pictureMapFigure, textMapFigure, type DocMap } from './draw.ts';
import { drawTokenButtons } from './tokens.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function initMapsView(store: Store, corpus: EmbeddedCorpus): void {
  new MapsView(store, corpus);
}

class MapsView {
  private readonly engine = new EngineClient();
  private readonly querySelect = $<HTMLSelectElement>('maps-query');
  private readonly docSelect = $<HTMLSelectElement>('maps-doc');
  private readonly methodSelect = $<HTMLSelectElement>('maps-method');
  private readonly status = $<HTMLParagraphElement>('maps-status');
  private readonly tokensBox = $<HTMLDivElement>('maps-tokens');
  private readonly mapsBox = $<HTMLDivElement>('maps');
  private engineVersion = -1;
  private token = -1;
  /** Renders started; an older one's maps are dropped. */
  private rendering = 0;
  private current: { doc: MultiVector; maps: { title: string; map: DocMap }[] } | undefined;

  constructor(
    private readonly store: Store,
    private readonly corpus: EmbeddedCorpus,
  ) {
    // Another query keeps a document the user picked (it used to jump back to the first one); until
    // one is picked, the document follows the query (the first judged relevant to it).
    this.querySelect.addEventListener('change', () => store.update({ mapQuery: this.querySelect.value }));
    this.docSelect.addEventListener('change', () => store.update({ mapDoc: this.docSelect.value }));
    this.methodSelect.addEventListener('change', () => store.update({ mapMethod: this.methodSelect.value }));
    const scaleSelect = $<HTMLSelectElement>('maps-scale');
    scaleSelect.addEventListener('change', () => store.update({ mapScale: scaleSelect.value as 'doc' | 'abs' }));
    // Only a change of scale redraws here (any other change of state would draw the old maps again).
    const mapScale = computed(() => store.state.value.mapScale);
    let drawnScale = mapScale.peek();
    effect(() => {
      scaleSelect.value = mapScale.value;
      if (mapScale.value === drawnScale) return;
      drawnScale = mapScale.value;
      void this.draw();
    });
    // Re-render when the view is open and the query, document, budget, result or corpus changed.
    const key = computed(() => {
      const s = store.state.value;
      return s.view !== 'maps' ? '' : JSON.stringify([s.mapQuery, s.mapDoc, s.mapMethod, s.focus, corpusVersion.value.n, shown.value?.result.rows.length]);
    });
    effect(() => {
      if (!key.value) return;
      this.fill();
      void this.render();
    });
  }

  /** The queries offered: the demo captions (with relevance) and the typed ones. */
  private queries() {
    return [...(this.corpus.demo()?.queries ?? []).map((q) => ({ id: q.id, text: q.text })), ...parseTypedQueries($<HTMLTextAreaElement>('typed-queries').value).queries];
  }

  private fill(): void {
    const s = this.store.get();
    const qs = this.queries();
    this.querySelect.replaceChildren(...qs.map((q) => new Option(q.text, q.text, q.text === s.mapQuery, q.text === s.mapQuery)));
    const docs = this.corpus.docs();
    const relevant = [...(this.corpus.demo()?.qrels.get(qs.find((q) => q.text === this.querySelect.value)?.id ?? '') ?? new Map()).keys()];
    const doc = docs.some((d) => d.id === s.mapDoc) ? s.mapDoc : (relevant[0] ?? docs[0]?.id ?? '');
    this.docSelect.replaceChildren(...docs.map((d) => new Option(d.id, d.id, d.id === doc, d.id === doc)));
    const methods = shown.value ? methodsOf(shown.value.result) : [];
    const keep = s.mapMethod || this.methodSelect.value || 'agc';
    this.methodSelect.replaceChildren(...methods.map((m) => new Option(`uncompressed vs ${m.label}`, m.id, m.id === keep, m.id === keep)));
  }

  /**
   * The query's vectors. A query nobody picked (the list's first) that has no word the model knows
   * (one's own typed queries: the comparison skipped it too) gives way to the first that has, which
   * is then the one selected; a query picked by hand is kept, and its error said.
   */
  private async queryWithWords(text: string) {
    const q = await this.corpus.embedQuery(text);
    if (q.n > 0) return { text, q };
    if (!this.store.get().mapQuery)
      for (const other of this.queries()) {
        if (other.text === text) continue;
        const o = await this.corpus.embedQuery(other.text);
        if (o.n === 0) continue;
        this.querySelect.value = other.text;
        return { text: other.text, q: o };
      }
    throw new Error(`the model gives none of the words of "${text}" a vector`);
  }

  /** The engine worker holds the corpus the maps are computed on (sent again after it changed or restarted). */
  private async syncCorpus(docs: MultiVector[]): Promise<void> {
    if (this.engineVersion === corpusVersion.peek().n && this.engine.running) return;
    await this.engine.setCorpus(docs);
    this.engineVersion = corpusVersion.peek().n;
  }

  private async render(): Promise<void> {
    const mine = ++this.rendering;
    const docs = this.corpus.docs();
    const doc = docs.find((d) => d.id === this.docSelect.value);
    let text = this.querySelect.value;
    const result = shown.value?.result;
    const method = this.methodSelect.value;
    if (!doc || !text || !result || !method) {
      this.status.textContent = docs.length === 0 ? 'Nothing embedded yet: the maps need documents and a comparison.' : 'Run a comparison first (the maps use its methods and budgets).';
      this.mapsBox.replaceChildren();
      $<HTMLDivElement>('maps-legend').replaceChildren();
      this.tokensBox.replaceChildren();
      return;
    }
    const m = focusedBudget(this.store.get(), budgetsRun(result))!;
    this.status.textContent = `Computing the maps of "${text}" on ${doc.id}…`;
    try {
      await this.syncCorpus(docs);
      const { text: shownText, q } = await this.queryWithWords(text);
      text = shownText;
      const query = { id: 'q', n: q.n, d: q.d, data: q.vectors };
      const label = methodsOf(result).find((x) => x.id === method)?.label ?? method;
      const maps = [
        { title: 'uncompressed', map: await this.engine.similarityMap('none', null, query, doc.id) },
        { title: `${label}, m = ${m}`, map: await this.engine.similarityMap(method, m, query, doc.id) },
      ];
      if (mine !== this.rendering) return;
      this.current = { doc, maps };
      this.token = -1;
      drawTokenButtons(this.tokensBox, q.tokens ?? [], this.token, (t) => {
        this.token = t;
        void this.draw();
      });
      await this.draw();
      const unit = doc.text ? 'tokens' : 'patches';
      const prompt = doc.tokenLabels ? (doc.positions?.row ?? []).filter((r) => r < 0).length : 0;
      const size = prompt > 0 ? `${doc.n - prompt} image tokens and ${prompt} prompt tokens` : `${doc.n} ${unit}`;
      this.status.textContent = `"${text}" (${q.n} query tokens: ${foldRuns(q.tokens ?? []).join(' · ')}) on ${doc.id}, ${size}. Outlined: ${prompt > 0 ? 'tokens' : unit} whose stored vector won a token's MaxSim.`;
    } catch (err) {
      if (mine !== this.rendering) return;
      this.status.textContent = `Could not draw the maps: ${(err as Error).message}`;
      // The previous query's maps would read as this one's.
      this.current = undefined;
      this.mapsBox.replaceChildren();
      $<HTMLDivElement>('maps-legend').replaceChildren();
      this.tokensBox.replaceChildren();
    }
  }

  private async draw(): Promise<void> {
    if (!this.current) return;
    const { doc, maps } = this.current;
    const t = this.token;
    const pics = doc.text ? [] : await pictures(this.corpus, doc);
    const panels = maps.map((x) => ({ ...x, ...mapValues(x.map, t) }));
    // One colour scale for both maps, so the eye compares like with like; "absolute" is one scale for
    // every document, so a document that matches nothing does not look hot.
    const finite = panels.flatMap((x) => Array.from(x.values).filter(Number.isFinite));
    const domain = mapDomain(finite, this.store.get().mapScale);
    const scale = d3.scaleSequential(d3.interpolateInferno).domain(domain).clamp(true);
    const colour = (v: number) => scale(v);
    const centerCrop = this.corpus.model()?.centerCrop ?? true;
    // Each map about half the main area wide: a page is read, not guessed at.
    const width = Math.max(288, Math.floor(this.mapsBox.clientWidth / 2) - 16);
    this.mapsBox.replaceChildren(...panels.map((p) => (doc.text ? textMapFigure(doc, p, t, colour) : pictureMapFigure(doc, pics, centerCrop, p, t, colour, width))));
    drawLegend($<HTMLDivElement>('maps-legend'), domain, this.store.get().mapScale, t);
  }
}
