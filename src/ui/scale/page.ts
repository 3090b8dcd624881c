/**
 * The scale test page: builds a synthetic index in the search worker and searches it on the CPU
 * and with WebGPU, one table row per search. Every setting can come from the URL (docs, d,
 * tokens, m, method, compressOn, storage, queries, seed, baseline, k, backend, binding) and
 * run=1 builds and searches on open, which is how the browser benchmark drives it.
 */
import '../../trustedTypes.ts';
import type { BuildOptions, BuildProgress, BuildStats } from '../../search/scaleIndex.ts';
import { download } from '../common.ts';
import { SearchClient } from '../../clients/searchClient.ts';
import { decodeWith, defaultsOf, type StateOf } from '../state/schema.ts';
import { SCALE_METHODS, SCALE_SCHEMA } from '../state/scaleSchema.ts';
import { storageSelect } from '../rail/compareSettings.ts';
import { checkScaleIndex } from '../../core/settingLimits.ts';
import { bytesPerVector } from '../../core/storage/stored.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const MiB = (b: number) => (b / 2 ** 20).toFixed(1);

const client = new SearchClient();
let building: AbortController | undefined;

const form = $<HTMLFormElement>('scale-form');
const searchForm = $<HTMLFormElement>('search-form');
const progress = $<HTMLProgressElement>('scale-progress');
const status = $<HTMLParagraphElement>('scale-status');
const searchStatus = $<HTMLParagraphElement>('search-status');
const buildButton = $<HTMLButtonElement>('scale-build');
const cancelButton = $<HTMLButtonElement>('scale-cancel');
const searchButton = $<HTMLButtonElement>('scale-search');
const loseButton = $<HTMLButtonElement>('scale-lose');
const runs: Record<string, unknown>[] = [];
let built: { options: BuildOptions; stats: BuildStats; indexBytes: number; wasm: 'shared' | 'unshared' | 'none' } | undefined;

// Every field of the form is a key of the scale schema: its options, bounds and default come from
// there, and it is read with the same parser as the URL, so a form and a link accept the same values.
const FIELDS = {
  docs: 'scale-docs', d: 'scale-d', tokens: 'scale-tokens', m: 'scale-m', method: 'scale-method', compressOn: 'scale-compress-on',
  storage: 'scale-storage', queries: 'scale-queries', seed: 'scale-seed', k: 'scale-k', backend: 'scale-backend', binding: 'scale-binding',
  threads: 'scale-threads', candidates: 'scale-candidates',
} satisfies Partial<Record<keyof typeof SCALE_SCHEMA, string>>;
type Field = keyof typeof FIELDS;
type Settings = StateOf<typeof SCALE_SCHEMA>;

/** A field's value, parsed by its schema key (a bad value is an error naming the setting). */
const field = <K extends Field>(key: K): Settings[K] => SCALE_SCHEMA[key].parse($<HTMLInputElement>(FIELDS[key]).value) as Settings[K];

/** Fills the form from settings (the schema's defaults, or a link's), with the schema's options and bounds. */
function fillForm(settings: Settings): void {
  const methods = $<HTMLSelectElement>('scale-method');
  methods.replaceChildren(...SCALE_METHODS.map((m) => new Option(m.label, m.id)));
  storageSelect($<HTMLSelectElement>('scale-storage'), settings.storage);
  for (const [key, id] of Object.entries(FIELDS) as [Field, string][]) {
    const el = $<HTMLInputElement>(id);
    const k = SCALE_SCHEMA[key] as { min?: number; max?: number };
    if (el.type === 'number') {
      if (k.min !== undefined && k.min > Number.MIN_SAFE_INTEGER) el.min = String(k.min);
      if (k.max !== undefined && k.max < Number.MAX_SAFE_INTEGER) el.max = String(k.max);
    }
    el.value = String(settings[key]);
  }
  $<HTMLInputElement>('scale-baseline').checked = settings.baseline;
}

function options(): BuildOptions {
  const d = field('d');
  const tokens = field('tokens');
  checkScaleIndex({ docs: field('docs'), tokens, m: field('m'), bytesPerVector: bytesPerVector(field('storage'), d), baseline: $<HTMLInputElement>('scale-baseline').checked });
  return {
    spec: { docs: field('docs'), d, tokens, queries: field('queries'), seed: field('seed') },
    method: field('method'),
    budget: field('m'),
    storage: field('storage'),
    compressOn: field('compressOn'),
    keepBaseline: $<HTMLInputElement>('scale-baseline').checked,
    threads: field('threads') || navigator.hardwareConcurrency || 1,
  };
}

async function build(): Promise<boolean> {
  status.classList.remove('error');
  let opts: BuildOptions;
  try {
    opts = options();
  } catch (err) {
    status.textContent = (err as Error).message;
    status.classList.add('error');
    return false;
  }
  buildButton.disabled = true;
  cancelButton.disabled = false;
  searchButton.disabled = true;
  progress.hidden = false;
  progress.value = 0;
  const started = performance.now();
  status.textContent = `Building ${opts.spec.docs.toLocaleString()} documents…`;
  try {
    building = new AbortController();
    const r = await client.build(opts, (p: BuildProgress) => {
      progress.max = p.total;
      progress.value = p.done;
      const rate = p.done / (p.ms / 1000);
      status.textContent = `Built ${p.done.toLocaleString()} of ${p.total.toLocaleString()} documents (${rate.toFixed(0)}/s, about ${((p.total - p.done) / rate).toFixed(0)} s left); index holds ${MiB(p.bytesHeld)} MiB.`;
    }, building.signal);
    built = { options: opts, stats: r.stats, indexBytes: r.memory.cpuBytes, wasm: r.memory.wasm };
    const s = r.stats;
    const notes = [s.compressFallback ? `Compression: ${s.compressFallback}.` : ''];
    if (s.gpuCheck)
      notes.push(`GPU k-means checked against the CPU on the first ${s.gpuCheck.documents} documents: ${s.gpuCheck.identical} identical, ${(s.gpuCheck.tokenAgreement * 100).toFixed(2)}% of tokens in the same cluster.`);
    status.textContent =
      `Built in ${((performance.now() - started) / 1000).toFixed(1)} s: ${s.documents.toLocaleString()} documents, ${s.tokensIn.toLocaleString()} tokens compressed to ` +
      `${s.vectors.toLocaleString()} vectors (${opts.method}, m = ${opts.budget}, on the ${s.compressedOn.toUpperCase()}${s.buildThreads > 1 ? ` in ${s.buildThreads} workers` : ''}), ${opts.storage}: ${s.bytesPerDoc.toFixed(0)} bytes per document, ` +
      `${MiB(r.memory.cpuBytes)} MiB held in the index arrays (peak while building ${MiB(s.peakBytesHeld)} MiB${s.baselineBytes ? `, baseline ${MiB(s.baselineBytes)} MiB` : ''}). ` +
      `Per document in other storage types: ${Object.entries(r.byStorage).map(([k, v]) => `${k} ${v.toFixed(0)} B`).join(', ')}. ${notes.join(' ')}`;
    searchButton.disabled = false;
    loseButton.disabled = false;
    return true;
  } catch (err) {
    const e = err as Error;
    status.textContent = e.name === 'AbortError' || /aborted/i.test(e.message) ? 'Cancelled.' : `Building failed: ${e.message}`;
    if (!/aborted/i.test(e.message)) status.classList.add('error');
    return false;
  } finally {
    building = undefined;
    buildButton.disabled = false;
    cancelButton.disabled = true;
    progress.hidden = true;
  }
}

async function search(): Promise<void> {
  if (!built) return;
  searchStatus.classList.remove('error');
  searchButton.disabled = true;
  let backend: Settings['backend'], binding: number, k: number, candidates: number;
  try {
    [backend, binding, k, candidates] = [field('backend'), field('binding'), field('k'), field('candidates')];
  } catch (err) {
    searchStatus.textContent = (err as Error).message;
    searchStatus.classList.add('error');
    searchButton.disabled = false;
    return;
  }
  searchStatus.textContent = `Searching ${built.options.spec.queries} queries (${backend === 'both' ? 'CPU and WebGPU' : backend.toUpperCase()})…`;
  try {
    if (candidates > 0) searchStatus.textContent += ' Then two-stage search (Hamming prefilter, exact re-ranking).';
    const r = await client.search({ backend, k, ...(binding > 0 ? { maxBindingBytes: binding } : {}), ...(candidates > 0 ? { candidates } : {}) });
    const { options: o, stats: s } = built;
    const run = {
      docs: s.documents, d: o.spec.d, tokens: o.spec.tokens, m: o.budget, method: o.method, storage: o.storage, compressedOn: s.compressedOn,
      bytesPerDoc: s.bytesPerDoc, indexMiB: r.memory.cpuBytes / 2 ** 20, peakBuildMiB: s.peakBytesHeld / 2 ** 20, gpuMiB: r.memory.gpuBytes / 2 ** 20,
      buildS: s.buildMs / 1000, buildThreads: s.buildThreads, backend, k: r.k, queries: r.queries,
      cpuMsPerQuery: r.cpu?.msPerQuery ?? null, cpuSingleMs: r.cpu?.singleQueryMs ?? null, threads: r.cpu?.threads ?? null, kernels: r.cpu?.kernels ?? null,
      twoStageC: r.twoStage?.candidates ?? null, twoStageMs: r.twoStage?.msPerQuery ?? null, twoStageRecall: r.twoStage?.recallVsExhaustive ?? null,
      exhaustiveSingleMs: r.twoStage?.exhaustiveMsPerQuery ?? null, prefilterMs: r.twoStage?.prefilterBuildMs ?? null, prefilterMiB: r.twoStage ? r.twoStage.prefilterBytes / 2 ** 20 : null,
      gpuMsPerQuery: r.gpu?.msPerQuery ?? null, gpuSingleMs: r.gpu?.singleQueryMs ?? null, gpuUploadMs: r.gpu?.uploadMs ?? null, gpuChunks: r.gpu?.chunks ?? null,
      adapter: r.gpu?.adapter ?? null, softwareGpu: r.gpu?.software ?? null,
      recallAt10: r.recallAt10, baselineRecallAt10: r.baselineRecallAt10 ?? null,
      maxAbsScoreDiff: r.agreement?.maxAbsScoreDiff ?? null, maxRelScoreDiff: r.agreement?.maxRelScoreDiff ?? null, topkOverlap: r.agreement?.topkOverlap ?? null,
      pipelines: r.pipelines, fallback: r.fallback ?? null,
      gpuCheckIdentical: s.gpuCheck ? s.gpuCheck.identical / s.gpuCheck.documents : null, gpuCheckTokens: s.gpuCheck?.tokenAgreement ?? null,
    };
    runs.push(run);
    addRow(run, r.topk);
    const notes = [];
    if (r.fallback) notes.push(r.fallback);
    if (r.cpu?.threadsNote) notes.push(`CPU: ${r.cpu.threadsNote}.`);
    if (r.twoStage)
      notes.push(
        `Two-stage (C = ${r.twoStage.candidates.toLocaleString()}): ${r.twoStage.msPerQuery.toFixed(1)} ms per query on one thread against ${r.twoStage.exhaustiveMsPerQuery.toFixed(1)} ms exhaustive (${r.twoStage.exhaustiveThreads} thread${r.twoStage.exhaustiveThreads > 1 ? 's' : ''}, one query), ` +
          `${(r.twoStage.recallVsExhaustive * 100).toFixed(1)}% of exhaustive's top 10; sign bits built once in ${r.twoStage.prefilterBuildMs.toFixed(0)} ms, ${MiB(r.twoStage.prefilterBytes)} MiB.`,
      );
    if (r.gpu?.software) notes.push(`The WebGPU adapter is a software renderer (${r.gpu.adapter}): its timings are CPU timings, not GPU speed.`);
    searchStatus.textContent = `Done. Recall@10 ${r.recallAt10.toFixed(3)}.${r.agreement ? ` GPU and CPU agree on ${(r.agreement.topkOverlap * 100).toFixed(1)}% of the top ${r.k}, scores within ${r.agreement.maxAbsScoreDiff.toExponential(1)}.` : ''} ${notes.join(' ')}`;
    if (r.fallback) searchStatus.classList.add('error');
    $<HTMLButtonElement>('scale-json').disabled = false;
  } catch (err) {
    searchStatus.textContent = `Search failed: ${(err as Error).message}`;
    searchStatus.classList.add('error');
  } finally {
    searchButton.disabled = false;
  }
}

const COLUMNS: [string, string, (v: unknown) => string][] = [
  ['docs', 'documents', (v) => Number(v).toLocaleString()],
  ['d', 'd', String],
  ['m', 'm', String],
  ['method', 'method', String],
  ['storage', 'storage', String],
  ['bytesPerDoc', 'bytes/doc', (v) => Number(v).toFixed(0)],
  ['indexMiB', 'index MiB', (v) => Number(v).toFixed(1)],
  ['peakBuildMiB', 'peak build MiB', (v) => Number(v).toFixed(1)],
  ['gpuMiB', 'GPU MiB', (v) => Number(v).toFixed(1)],
  ['buildS', 'build s', (v) => Number(v).toFixed(1)],
  ['backend', 'backend', String],
  ['cpuMsPerQuery', 'CPU ms/query', (v) => (v === null ? '–' : Number(v).toFixed(1))],
  ['threads', 'CPU threads', (v) => (v === null ? '–' : String(v))],
  ['twoStageMs', 'two-stage ms/query', (v) => (v === null ? '–' : Number(v).toFixed(1))],
  ['twoStageRecall', 'two-stage top-10 vs exhaustive', (v) => (v === null ? '–' : `${(Number(v) * 100).toFixed(1)}%`)],
  ['gpuMsPerQuery', 'GPU ms/query (batch)', (v) => (v === null ? '–' : Number(v).toFixed(1))],
  ['gpuSingleMs', 'GPU ms (1 query)', (v) => (v === null ? '–' : Number(v).toFixed(1))],
  ['recallAt10', 'recall@10', (v) => Number(v).toFixed(3)],
  ['baselineRecallAt10', 'baseline recall@10', (v) => (v === null ? '–' : Number(v).toFixed(3))],
  ['maxAbsScoreDiff', 'max |GPU − CPU|', (v) => (v === null ? '–' : Number(v).toExponential(1))],
  ['topkOverlap', 'top-k agreement', (v) => (v === null ? '–' : `${(Number(v) * 100).toFixed(1)}%`)],
  ['note', 'note', String],
];

/** One row per search; the row also carries the raw top-k lists of each search (data-topk) for checks. */
function addRow(run: Record<string, unknown>, topk?: Record<string, { doc: number; score: number }[][] | undefined>) {
  const table = $<HTMLTableElement>('scale-runs');
  if (!table.tHead!.rows.length) {
    const head = table.tHead!.insertRow();
    for (const [, label] of COLUMNS) head.append(Object.assign(document.createElement('th'), { textContent: label, scope: 'col' }));
  }
  const tr = table.tBodies[0].insertRow();
  tr.dataset.run = JSON.stringify(run);
  if (topk) tr.dataset.topk = JSON.stringify(topk);
  const note = [run.fallback, run.softwareGpu ? 'software GPU: not a speed figure' : '', run.compressedOn === 'gpu' ? 'k-means assignment on the GPU' : ''].filter(Boolean).join('; ');
  for (const [key, , fmt] of COLUMNS) {
    const td = tr.insertCell();
    td.dataset.column = key;
    td.textContent = key === 'note' ? note : fmt(run[key]);
  }
}

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  void build();
});
searchForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  void search();
});
cancelButton.addEventListener('click', () => building?.abort());
loseButton.addEventListener('click', async () => {
  try {
    const reason = await client.loseDevice();
    searchStatus.textContent = `The GPU device is gone (${reason}). The next WebGPU search falls back to the CPU and says so; the one after asks for a new device.`;
  } catch (err) {
    searchStatus.textContent = `No GPU device to lose: ${(err as Error).message}`;
  }
});
/**
 * The browser's own count of this page's memory, workers included, where it offers one (Chromium,
 * cross-origin isolated pages). It resolves at the next garbage collection, so it can take seconds.
 */
async function measureMemory(): Promise<string> {
  const perf = performance as Performance & { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number; breakdown: { bytes: number; types: string[] }[] }> };
  if (!crossOriginIsolated || !perf.measureUserAgentSpecificMemory) return 'This browser does not offer performance.measureUserAgentSpecificMemory here; the figures above count the index arrays only.';
  const r = await perf.measureUserAgentSpecificMemory();
  const byType = new Map<string, number>();
  for (const b of r.breakdown) for (const t of b.types.length ? b.types : ['other']) byType.set(t, (byType.get(t) ?? 0) + b.bytes / Math.max(1, b.types.length));
  const where = {
    shared: 'in WebAssembly memory shared by the search worker and its pool, which Chromium counts once per worker holding it',
    unshared: 'in WebAssembly memory, which Chromium leaves out of this count',
    none: 'in JavaScript arrays, counted above',
  };
  const held = built ? ` The index arrays hold ${MiB(built.indexBytes)} MiB, ${where[built.wasm]}.` : '';
  return `The browser counts ${MiB(r.bytes)} MiB for this page and its workers (${[...byType].map(([t, b]) => `${t} ${MiB(b)}`).join(', ')}).${held}`;
}
$<HTMLButtonElement>('scale-memory').addEventListener('click', async () => {
  const out = $<HTMLParagraphElement>('memory-status');
  out.textContent = 'Measuring (the browser answers at its next garbage collection)…';
  out.textContent = await measureMemory().catch((err) => `Measuring failed: ${(err as Error).message}`);
});
$<HTMLButtonElement>('scale-json').addEventListener('click', () => download('scale-runs.json', JSON.stringify(runs, null, 2), 'application/json'));
$<HTMLParagraphElement>('scale-note').textContent =
  'Latency is wall time in the worker. On a software WebGPU adapter (SwiftShader) the GPU columns measure a CPU emulation, not GPU speed. ' +
  'Memory is what the index holds in typed arrays (vectors, int8 scales, offsets) and in GPU buffers.';

// Settings from the URL (one reader for every page: src/ui/state/), defaults from the same schema;
// run=1 builds and searches at once.
try {
  const settings = decodeWith(SCALE_SCHEMA, location.search);
  fillForm(settings);
  if (settings.run) void build().then((ok) => (ok ? search() : undefined));
} catch (err) {
  fillForm(defaultsOf(SCALE_SCHEMA));
  status.textContent = (err as Error).message;
  status.classList.add('error');
}
