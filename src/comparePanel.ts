/**
 * "Compare methods on the embedded corpus": queries (the demo's captions with their relevance,
 * typed queries, or a CSV/TSV/JSONL file) are embedded by the embedding worker, the experiment
 * grid runs in the engine worker, and the results become d3 charts and a sortable table.
 * Without judgments the charts show fidelity to the uncompressed index instead of recall.
 */
import type { ExperimentResult, ExperimentRow } from './core/experiment.ts';
import type { VectorSet } from './core/maxsim.ts';
import { parseQueriesFile, parseTypedQueries, type ParsedQueries } from './core/queriesFile.ts';
import { resultTable, toCSV, toJSON } from './core/report.ts';
import { barChart, colourOf, heatmap, lineChart, svgText, svgToPng, type Series } from './charts/charts.ts';
import { ALL_METHOD_IDS } from './core/methodSpec.ts';
import type { EmbeddedCorpus } from './embedPanel.ts';
import { EngineClient } from './engineClient.ts';
import { download, downloadIndex, methodCheckboxes, parseBudgets, showGridProgress } from './ui/common.ts';
import { formatMethodSpec, parseMethodSpec } from './core/methodSpec.ts';
import type { PageState } from './urlState.ts';
import type { MultiVector } from './core/multivector.ts';
import type { ImportSummary } from '../workers/engine.worker.ts';
import type { StorageType } from './core/storage.ts';

/** One line style per storage type on the bytes chart (the colour is the method's). */
const STORAGE_DASH: Record<StorageType, string | false> = { fp32: false, fp16: '6 3', int8: '2 2', binary: '8 2 2 2' };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const KS = [1, 5, 10];
/** One colour per method in every chart (the base method id decides it). */
const COLOUR_KEYS = ['none', ...ALL_METHOD_IDS];
const methodColour = (method: string) => colourOf(method.split(/[:]/)[0], COLOUR_KEYS);

export interface ComparePanel {
  /** Runs the comparison with the current settings; resolves when done or failed. */
  compare(): Promise<void>;
  applyState(s: Pick<PageState, 'queries' | 'typed' | 'methods' | 'budgets' | 'storages' | 'seed' | 'metric' | 'util'>): void;
  state(): Pick<PageState, 'queries' | 'typed' | 'methods' | 'budgets' | 'storages' | 'seed' | 'metric' | 'util'>;
}

export function initComparePanel(corpus: EmbeddedCorpus, onDone: () => void = () => {}): ComparePanel {
  const engine = new EngineClient();
  const form = $<HTMLFormElement>('compare-form');
  const source = $<HTMLSelectElement>('query-source');
  const typed = $<HTMLTextAreaElement>('typed-queries');
  const file = $<HTMLInputElement>('queries-file');
  const methodsBox = $<HTMLFieldSetElement>('compare-methods');
  const budgets = $<HTMLInputElement>('compare-budgets');
  const specsInput = $<HTMLInputElement>('compare-specs');
  /** Checked boxes plus the typed specs with options ("hpool:protectFirst=true"), deduplicated. */
  const chosenMethods = () => {
    const typed = specsInput.value.split(';').map((t) => t.trim()).filter(Boolean).map((t) => {
      try {
        return parseMethodSpec(t);
      } catch (err) {
        throw new Error(`More methods: ${(err as Error).message}`);
      }
    });
    const boxes = [...methodsBox.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => parseMethodSpec(b.value));
    const all = [...boxes, ...typed];
    if (all.length === 0) throw new Error('Pick at least one method.');
    const seen = new Set<string>();
    return all.filter((m) => !seen.has(formatMethodSpec(m)) && seen.add(formatMethodSpec(m)));
  };
  const storageBox = $<HTMLFieldSetElement>('compare-storage');
  const chosenStorages = (): StorageType[] => {
    const list = [...storageBox.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value as StorageType);
    if (list.length === 0) throw new Error('Pick at least one storage type (fp32, fp16, int8 or binary).');
    return list;
  };
  const runButton = $<HTMLButtonElement>('compare-run');
  const cancelButton = $<HTMLButtonElement>('compare-cancel');
  const progress = $<HTMLProgressElement>('compare-progress');
  const status = $<HTMLParagraphElement>('compare-status');
  const results = $<HTMLDivElement>('compare-results');
  const metricSelect = $<HTMLSelectElement>('compare-metric');
  const utilSelect = $<HTMLSelectElement>('util-budget');
  methodCheckboxes(methodsBox);

  let result: ExperimentResult | undefined;
  let modelLabel = '';
  let run = 0;
  /** Documents the last result was computed on (for the index export). */
  let resultDocs: MultiVector[] = [];

  // Import of embeddings made elsewhere: read and checked in the worker, kept here whole or not at all.
  const corpusSelect = $<HTMLSelectElement>('compare-corpus');
  const importStatus = $<HTMLParagraphElement>('import-status');
  let imported: { name: string; summary: ImportSummary; qrels: Map<string, Map<string, number>> } | undefined;
  /** An imported corpus brings its own query vectors: the text-query controls do not apply. */
  const syncCorpusChoice = () => {
    const own = corpusSelect.value === 'imported';
    for (const el of [source, typed, file]) el.disabled = own;
  };
  corpusSelect.addEventListener('change', syncCorpusChoice);
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
        (c.notes.length ? ` Notes: ${c.notes.join('; ')}.` : '') + ' Choose “Imported” as the corpus below and compare.';
    } catch (err) {
      importStatus.textContent = `Nothing was imported. ${(err as Error).message}`;
      importStatus.classList.add('error');
    } finally {
      button.disabled = false;
    }
  });

  async function queriesFromSource(): Promise<ParsedQueries> {
    if (source.value === 'demo') {
      const demo = corpus.demo();
      if (!demo) throw new Error('The demo captions need the demo scenes: embed them with "Add 24 demo scenes" (and nothing else), or pick another query source.');
      return { queries: demo.queries, qrels: demo.qrels as Map<string, Map<string, number>> };
    }
    if (source.value === 'typed') {
      const q = parseTypedQueries(typed.value);
      if (q.queries.length === 0) throw new Error('Type at least one query, one per line.');
      return q;
    }
    const f = file.files?.[0];
    if (!f) throw new Error('Choose a queries file (CSV, TSV or JSONL; format in the README).');
    return parseQueriesFile(f.name, await f.text());
  }

  const seedInput = $<HTMLInputElement>('compare-seed');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void compare();
  });

  async function compare(): Promise<void> {
    status.classList.remove('error');
    const useImported = corpusSelect.value === 'imported' && imported !== undefined;
    const docs = useImported ? imported!.summary.corpus.docs : corpus.docs();
    const mine = ++run;
    try {
      if (docs.length === 0) throw new Error('Embed some files first (or add the demo scenes, or import embeddings), then compare.');
      const seed = Number(seedInput.value);
      if (!Number.isInteger(seed)) throw new Error('The seed must be a whole number.');
      const config = { methods: chosenMethods(), budgets: parseBudgets(budgets.value), storages: chosenStorages(), ks: KS, seed };
      if (useImported) {
        const c = imported!.summary.corpus;
        if (c.queries.length === 0) throw new Error(`${imported!.name} has no query vectors: import a queries file with it (README: Import).`);
        runButton.disabled = true;
        cancelButton.disabled = false;
        progress.hidden = false;
        const started = performance.now();
        modelLabel = c.manifest?.model ?? `imported ${imported!.name}`;
        result = await engine.runCorpus(docs, c.queries, imported!.qrels, config, (p) => mine === run && showGridProgress(p, started, progress, status));
        run++;
        resultDocs = docs;
        status.textContent = `Done in ${((performance.now() - started) / 1000).toFixed(1)} s: ${result.documents} documents, ${c.queries.length} queries, imported from ${imported!.name}.` +
          (result.failures.length ? ` ${result.failures.length} documents skipped: ${result.failures.slice(0, 3).map((f) => f.message).join('; ')}.` : '');
        render();
        onDone();
        return;
      }
      const parsed = await queriesFromSource();
      const names = new Set(docs.map((d) => d.id));
      const unknown = new Set([...parsed.qrels.values()].flatMap((rel) => [...rel.keys()].filter((n) => !names.has(n))));
      runButton.disabled = true;
      cancelButton.disabled = false;
      progress.hidden = false;
      progress.removeAttribute('value');
      status.textContent = `Embedding ${parsed.queries.length} queries…`;
      const queries: VectorSet[] = [];
      const empty: string[] = [];
      for (const q of parsed.queries) {
        if (cancelled === mine) throw new DOMException('Cancelled', 'AbortError');
        const e = await corpus.embedQuery(q.text);
        if (e.n === 0) empty.push(q.text);
        else queries.push({ id: q.id, n: e.n, d: e.d, data: e.vectors });
      }
      if (cancelled === mine) throw new DOMException('Cancelled', 'AbortError');
      if (queries.length === 0) throw new Error(`The model gives none of the query words a vector (${empty.join('; ')}).`);
      const started = performance.now();
      modelLabel = corpus.model()?.label ?? 'unknown model';
      result = await engine.runCorpus(docs, queries, parsed.qrels, config, (p) => mine === run && showGridProgress(p, started, progress, status));
      run++;
      resultDocs = docs;
      const notes = [];
      if (empty.length) notes.push(`${empty.length} queries skipped (no word the model knows): ${empty.join('; ')}`);
      if (unknown.size) notes.push(`${unknown.size} judged documents are not in the corpus: ${[...unknown].slice(0, 5).join(', ')}${unknown.size > 5 ? ', …' : ''}`);
      status.textContent = `Done in ${((performance.now() - started) / 1000).toFixed(1)} s: ${result.documents} documents, ${queries.length} queries, embedded with ${modelLabel}.${notes.length ? ` ${notes.join('. ')}.` : ''}`;
      render();
      onDone();
    } catch (err) {
      run++;
      const e = err as Error;
      status.textContent = e.name === 'AbortError' ? 'Cancelled.' : e.message;
      if (e.name !== 'AbortError') status.classList.add('error');
    } finally {
      runButton.disabled = false;
      cancelButton.disabled = true;
      progress.hidden = true;
    }
  }

  /** The run a click on Cancel stopped (query embedding checks it between queries). */
  let cancelled = -1;
  cancelButton.addEventListener('click', () => {
    cancelled = run;
    engine.cancel();
  });

  $<HTMLFormElement>('index-export').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const out = $<HTMLParagraphElement>('export-status');
    out.classList.remove('error');
    if (!result || resultDocs.length === 0) return;
    const method = $<HTMLSelectElement>('export-method').value;
    const budget = method === 'none' ? null : Number($<HTMLSelectElement>('export-budget').value);
    const storage = $<HTMLSelectElement>('export-storage').value as StorageType;
    out.textContent = 'Compressing and writing…';
    try {
      const r = await engine.exportIndex(resultDocs, method, budget, storage, modelLabel, result.config.seed);
      out.textContent = `Wrote ${downloadIndex(r)}` +
        (r.skipped.length ? `. ${r.skipped.length} documents skipped: ${r.skipped.slice(0, 3).join('; ')}` : '') + '.';
    } catch (err) {
      out.textContent = `Export failed: ${(err as Error).message}`;
      out.classList.add('error');
    }
  });

  function render() {
    if (!result) return;
    const judged = result.rows.some((r) => r.judgedQueries > 0);
    const metrics = judged ? [...KS.flatMap((k) => [`ndcg@${k}`, `recall@${k}`]), ...KS.map((k) => `overlap@${k}`), 'spearman'] : [...KS.map((k) => `overlap@${k}`), 'spearman'];
    const preferred = wantedMetric || metricSelect.value;
    wantedMetric = '';
    const keep = metrics.includes(preferred) ? preferred : judged ? 'ndcg@10' : 'overlap@10';
    metricSelect.replaceChildren(...metrics.map((m) => new Option(m, m, m === keep, m === keep)));
    const budgetsRun = [...new Set(result.rows.map((r) => r.budget).filter((b): b is number => b !== null))].sort((a, b) => a - b);
    const preferredB = wantedUtil ?? Number(utilSelect.value);
    wantedUtil = null;
    const keepB = budgetsRun.includes(preferredB) ? preferredB : budgetsRun[Math.floor((budgetsRun.length - 1) / 2)];
    utilSelect.replaceChildren(...budgetsRun.map((b) => new Option(`m = ${b}`, String(b), b === keepB, b === keepB)));
    results.hidden = false;
    const exportMethod = $<HTMLSelectElement>('export-method');
    const compressed = [...new Set(result.rows.filter((r) => r.budget !== null).map((r) => r.method))];
    exportMethod.replaceChildren(...['none', ...compressed].map((m) => new Option(m === 'none' ? 'uncompressed' : result!.rows.find((r) => r.method === m)!.label, m, m === 'agc', m === 'agc')));
    $<HTMLSelectElement>('export-budget').replaceChildren(...budgetsRun.map((b) => new Option(`m = ${b}`, String(b), b === keepB, b === keepB)));
    draw();
  }

  let wantedMetric = '';
  let wantedUtil: number | null = null;
  const value = (r: ExperimentRow, m: string) => r.metrics[m] ?? r.fidelity?.[m] ?? NaN;

  function draw() {
    if (!result) return;
    const metric = metricSelect.value;
    const utilBudget = Number(utilSelect.value);
    // Budget, utilisation and evenness charts read one storage type (the first chosen, normally
    // fp32); the bytes chart shows every storage type as its own measured points.
    const primary = result.rows[0]?.storage ?? 'fp32';
    const storages = [...new Set(result.rows.map((r) => r.storage))];
    const full = result.rows.find((r) => r.budget === null && r.storage === primary);
    const methods = [...new Set(result.rows.filter((r) => r.budget !== null).map((r) => r.method))];
    const rowsOf = (m: string, storage = primary) => result!.rows.filter((r) => r.method === m && r.budget !== null && r.storage === storage);
    const label = (m: string) => rowsOf(m)[0]?.label ?? m;
    const refs = full ? [{ label: `uncompressed ${value(full, metric).toFixed(3)}`, y: value(full, metric) }] : [];

    const byBudget: Series[] = methods.map((m) => ({ id: m, label: label(m), colour: methodColour(m), points: rowsOf(m).map((r) => ({ x: r.budget!, y: value(r, metric), key: `m=${r.budget}` })) }));
    lineChart($('chart-budget') as unknown as SVGSVGElement, byBudget, { title: `${metric} against budget${storages.length > 1 ? ` (${primary})` : ''}`, xLabel: 'vectors per document (m)', yLabel: metric, xScale: 'log2', yDomain: [0, 1], references: refs });

    const byBytes: Series[] = [];
    for (const m of methods) {
      storages.forEach((st) => {
        byBytes.push({ id: `${m}:${st}`, label: `${label(m)} ${st}`, colour: methodColour(m), dashed: STORAGE_DASH[st], points: rowsOf(m, st).map((r) => ({ x: r.bytesPerDoc, y: value(r, metric), key: `m=${r.budget} ${st}`, hollow: st !== primary })) });
      });
    }
    const fullRows = result.rows.filter((r) => r.budget === null);
    if (fullRows.length) {
      byBytes.push({
        id: 'none',
        label: 'uncompressed',
        colour: methodColour('none'),
        line: false,
        points: fullRows.map((r) => ({ x: r.bytesPerDoc, y: value(r, metric), key: r.storage, hollow: r.storage !== primary })),
      });
    }
    lineChart($('chart-bytes') as unknown as SVGSVGElement, byBytes, { title: `${metric} against index bytes per document`, xLabel: 'bytes per document (log)', yLabel: metric, xScale: 'log10', yDomain: [0, 1], height: 300 + Math.max(0, byBytes.length - 14) * 15 });

    const atBudget = result.rows.filter((r) => r.storage === primary && (r.budget === utilBudget || r.budget === null));
    barChart(
      $('chart-active') as unknown as SVGSVGElement,
      atBudget.map((r) => ({ id: r.method, label: r.budget === null ? 'uncompressed' : r.label, value: r.utilization.activeFraction, colour: methodColour(r.method) })),
      { title: `Stored vectors that ever win a MaxSim match (m = ${utilBudget})`, xLabel: 'active fraction', yLabel: '', yDomain: [0, 1] },
    );

    const evenness: Series[] = methods.map((m) => ({
      id: m,
      label: label(m),
      colour: methodColour(m),
      line: false,
      points: rowsOf(m).map((r) => ({ x: r.utilization.vectorGini, y: value(r, metric), key: `m=${r.budget}` })),
    }));
    lineChart($('chart-evenness') as unknown as SVGSVGElement, evenness, { title: `Evenness of use against ${metric}`, xLabel: 'Gini of wins per stored vector (0 = even)', yLabel: metric, yDomain: [0, 1] });

    const maps = $<HTMLDivElement>('heatmaps');
    maps.replaceChildren();
    const figure = (id: string, method: string) => {
      const fig = document.createElement('figure');
      const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      svg.id = id;
      svg.dataset.method = method;
      fig.append(svg);
      for (const format of ['svg', 'png']) {
        const b = Object.assign(document.createElement('button'), { type: 'button', className: 'export', textContent: format.toUpperCase() });
        b.dataset.chart = id;
        b.dataset.format = format;
        fig.append(b);
      }
      maps.append(fig);
      return svg;
    };
    for (const r of atBudget) {
      const title = r.budget === null ? 'uncompressed' : `${r.label}, m = ${r.budget}`;
      const grid = r.utilization.grid;
      if (grid) heatmap(figure(`heatmap-${r.method}`, r.method), grid.count, grid.rows, grid.cols, { title, xLabel: `Gini ${r.utilization.positionGini.toFixed(2)}`, yLabel: '' });
      // Videos: the same wins over frame indices (one row of cells, frame 0 on the left).
      const frames = r.utilization.frames;
      if (frames) heatmap(figure(`frames-${r.method}`, r.method), frames.count, frames.rows, frames.cols, { title: `${title}: frames`, xLabel: 'wins per frame', yLabel: '', height: 120 });
    }
    renderTable();
  }

  metricSelect.addEventListener('change', () => (draw(), onDone()));
  utilSelect.addEventListener('change', () => (draw(), onDone()));

  let sortBy = -1;
  let ascending = true;
  function renderTable() {
    if (!result) return;
    const t = resultTable(result);
    const rows = [...t.rows];
    if (sortBy >= 0) {
      rows.sort((a, b) => {
        const x = a[sortBy];
        const y = b[sortBy];
        const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''));
        return ascending ? c : -c;
      });
    }
    const table = document.createElement('table');
    table.id = 'compare-table';
    table.createCaption().textContent = `Results (${result.documents} documents, ${result.queries} queries, ${modelLabel}, engine ${result.engineVersion})`;
    const head = table.createTHead().insertRow();
    t.columns.forEach((c, i) => {
      const th = Object.assign(document.createElement('th'), { textContent: c, scope: 'col', tabIndex: 0 });
      if (i === sortBy) th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      const sort = () => {
        ascending = sortBy === i ? !ascending : true;
        sortBy = i;
        renderTable();
      };
      th.addEventListener('click', sort);
      th.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), sort()));
      head.append(th);
    });
    const body = table.createTBody();
    for (const r of rows) {
      const tr = body.insertRow();
      tr.dataset.method = String(r[0]);
      tr.dataset.budget = String(r[2] ?? 'full');
      tr.dataset.storage = String(r[3]);
      r.forEach((v, i) => {
        const td = tr.insertCell();
        td.dataset.column = t.columns[i];
        td.textContent = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : String(v ?? '');
      });
    }
    $<HTMLDivElement>('compare-table-wrap').replaceChildren(table);
  }

  $<HTMLButtonElement>('export-csv').addEventListener('click', () => result && download('results.csv', toCSV(resultTable(result)), 'text/csv'));
  $<HTMLButtonElement>('export-json').addEventListener('click', () => result && download('results.json', toJSON({ model: modelLabel, ...result }), 'application/json'));
  $<HTMLButtonElement>('copy-table').addEventListener('click', async () => {
    if (!result) return;
    const t = resultTable(result);
    const tsv = [t.columns, ...t.rows].map((r) => r.map((v) => (v === null || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v))).join('\t')).join('\n');
    await navigator.clipboard.writeText(tsv).then(
      () => (status.textContent = 'Table copied (tab-separated).'),
      () => (status.textContent = 'The browser refused clipboard access; use Download CSV.'),
    );
  });
  results.addEventListener('click', async (ev) => {
    const b = (ev.target as HTMLElement).closest<HTMLButtonElement>('button.export');
    if (!b) return;
    const svg = document.getElementById(b.dataset.chart!) as unknown as SVGSVGElement;
    if (b.dataset.format === 'svg') download(`${b.dataset.chart}.svg`, svgText(svg), 'image/svg+xml');
    else download(`${b.dataset.chart}.png`, await svgToPng(svg));
  });

  return {
    compare,
    applyState(st) {
      source.value = st.queries;
      if (st.typed) typed.value = st.typed;
      const wanted = new Set(st.methods);
      for (const box of methodsBox.querySelectorAll<HTMLInputElement>('input')) box.checked = wanted.has(box.value);
      // Specs with options have no box: they go to the "more methods" field.
      specsInput.value = st.methods.filter((m) => !methodsBox.querySelector(`input[value="${CSS.escape(m)}"]`)).join('; ');
      budgets.value = st.budgets.join(',');
      const stored = new Set(st.storages);
      for (const box of storageBox.querySelectorAll<HTMLInputElement>('input')) box.checked = stored.has(box.value as StorageType);
      seedInput.value = String(st.seed);
      wantedMetric = st.metric;
      wantedUtil = st.util;
    },
    state() {
      return {
        queries: source.value as PageState['queries'],
        typed: source.value === 'typed' ? typed.value.trim() : '',
        methods: chosenMethods().map(formatMethodSpec),
        budgets: parseBudgets(budgets.value),
        storages: chosenStorages(),
        seed: Number(seedInput.value),
        metric: result ? metricSelect.value : '',
        util: result && utilSelect.value ? Number(utilSelect.value) : null,
      };
    },
  };
}
