/**
 * The Compare view's MUVERA section: after every comparison (and on "Run MUVERA"), the engine
 * worker encodes the compared corpus with MUVERA's fixed-dimensional encodings and reports each
 * stage against the judgments and against exhaustive MaxSim (core/muveraEval.ts), as `cli muvera`
 * does. The encodings' memory is estimated first; a setting that would need more than
 * SETTING_LIMITS.muveraBytes (core/settingLimits.ts, the CLI's limit too) is refused with the figure
 * and what to lower.
 */
import type { VectorSet } from '../../core/maxsim.ts';
import type { MuveraReport } from '../../core/muvera.ts';
import type { MultiVector } from '../../core/multivector.ts';
import type { EngineClient } from '../../clients/engineClient.ts';
import { SCHEMA } from '../state/schema.ts';
import { checkMuveraBytes } from '../../core/settingLimits.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;


export interface MuveraSettings {
  kSim: number;
  reps: number;
  dProj: number;
  candidates: number[];
  /** Said beside the table: C values changed to fit the corpus. */
  notes: string[];
}

/** Reads and checks the form for a corpus of `docs` documents of dimension `d`; throws a message naming the field. */
export function readMuveraSettings(values: { ksim: string; reps: string; dproj: string; candidates: string }, docs: number, d: number): MuveraSettings {
  const int = (text: string, name: string, min: number, max: number) => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isInteger(v) || v < min || v > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${text}"`);
    return v;
  };
  // Bounds from the page state's table, where the form's fields are declared.
  const kSim = int(values.ksim, 'k_sim', SCHEMA.muveraKsim.min!, SCHEMA.muveraKsim.max!);
  const reps = int(values.reps, 'Repetitions', SCHEMA.muveraReps.min!, SCHEMA.muveraReps.max!);
  const dProj = values.dproj.trim() === '' ? d : int(values.dproj, 'd_proj', 1, SCHEMA.muveraDproj.max!);
  const notes: string[] = [];
  let candidates: number[];
  if (values.candidates.trim() === '') {
    candidates = [0.05, 0.1, 0.25].map((f) => Math.max(1, Math.ceil(f * docs)));
  } else {
    candidates = values.candidates.split(',').map((s) => int(s.trim(), 'Candidates C', 1, Number.MAX_SAFE_INTEGER));
    if (candidates.some((c) => c > docs)) {
      notes.push(`C above the ${docs} documents is ${docs} (every document re-ranked: exhaustive search)`);
      candidates = candidates.map((c) => Math.min(c, docs));
    }
  }
  candidates = [...new Set(candidates)].sort((a, b) => a - b);
  checkMuveraBytes(docs, reps, kSim, dProj);
  return { kSim, reps, dProj, candidates, notes };
}

/** The form's values as they stand. */
export const muveraFormValues = () => ({ ksim: $<HTMLInputElement>('muvera-ksim').value, reps: $<HTMLInputElement>('muvera-reps').value, dproj: $<HTMLInputElement>('muvera-dproj').value, candidates: $<HTMLInputElement>('muvera-candidates').value });

export interface MuveraSection {
  /** Runs MUVERA on the corpus and queries of the comparison just shown. */
  run(docs: MultiVector[], queries: VectorSet[], qrels: ReadonlyMap<string, ReadonlyMap<string, number>>, seed: number): Promise<void>;
  /** Forgets the last corpus (a new comparison started). */
  clear(): void;
}

export function initMuvera(engine: EngineClient): MuveraSection {
  const status = $<HTMLParagraphElement>('muvera-status');
  const wrap = $<HTMLDivElement>('muvera-table-wrap');
  let last: { docs: MultiVector[]; queries: VectorSet[]; qrels: ReadonlyMap<string, ReadonlyMap<string, number>>; seed: number } | undefined;
  let runId = 0;

  async function run(docs: MultiVector[], queries: VectorSet[], qrels: ReadonlyMap<string, ReadonlyMap<string, number>>, seed: number): Promise<void> {
    last = { docs, queries, qrels, seed };
    const mine = ++runId;
    status.classList.remove('error');
    wrap.replaceChildren();
    let settings: MuveraSettings;
    try {
      settings = readMuveraSettings(muveraFormValues(), docs.length, docs[0].d);
    } catch (err) {
      status.textContent = (err as Error).message;
      status.classList.add('error');
      return;
    }
    status.textContent = `Encoding ${docs.length} documents…`;
    try {
      const report = await engine.muvera(docs, queries, qrels, { kSim: settings.kSim, reps: settings.reps, dProj: settings.dProj, seed }, settings.candidates);
      if (mine !== runId) return;
      render(report, docs.length, queries.length, settings);
    } catch (err) {
      if (mine !== runId) return;
      const e = err as Error;
      status.textContent = e.name === 'AbortError' ? 'MUVERA cancelled.' : `MUVERA failed: ${e.message}`;
      if (e.name !== 'AbortError') status.classList.add('error');
    }
  }

  function render(report: MuveraReport, docs: number, queries: number, settings: MuveraSettings) {
    const { kSim, reps, dProj } = report.options;
    status.textContent =
      `k_sim = ${kSim}, ${reps} repetitions, d_proj = ${dProj}: ${report.fdeDimension.toLocaleString('en')} values per document ` +
      `(${(report.fdeBytesPerDoc / 1024).toFixed(1)} KiB in fp32, beside the multi-vector index kept for re-ranking), encoded in ${report.encodeMsPerDoc.toFixed(2)} ms per document; ` +
      `${docs} documents, ${queries} queries; times are this worker's, one thread.` + (settings.notes.length ? ` ${settings.notes.join('; ')}.` : '');
    const table = document.createElement('table');
    table.id = 'muvera-table';
    table.createCaption().textContent = 'MUVERA stages against exhaustive MaxSim (means over queries)';
    const head = table.createTHead().insertRow();
    for (const c of ['stage', 'candidates C', 'recall@10', 'nDCG@10', "exhaustive's top 10 kept", 'ms per query'])
      head.append(Object.assign(document.createElement('th'), { textContent: c, scope: 'col' }));
    const body = table.createTBody();
    const rows: [string, string, number, number, number, number][] = [
      ['exhaustive MaxSim', '', report.exhaustive.metrics['recall@10'], report.exhaustive.metrics['ndcg@10'], 1, report.exhaustive.msPerQuery],
      ...report.stages.map((s) => [s.candidates === null ? 'FDE dot product alone' : 'FDE, then MaxSim on the C best', s.candidates === null ? '' : String(s.candidates), s.metrics['recall@10'], s.metrics['ndcg@10'], s.recallOfExhaustive10, s.msPerQuery] as [string, string, number, number, number, number]),
    ];
    for (const [stage, c, recall, ndcg, kept, ms] of rows) {
      const tr = body.insertRow();
      tr.dataset.stage = c === '' ? (stage.startsWith('exhaustive') ? 'exhaustive' : 'fde') : `rerank-${c}`;
      // Without judgments (typed queries) recall and nDCG are undefined: a dash, and the kept share says how close each stage is.
      const judged = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '–' : v.toFixed(4));
      for (const [name, v] of [['stage', stage], ['candidates', c], ['recall@10', judged(recall)], ['ndcg@10', judged(ndcg)], ['kept', `${(kept * 100).toFixed(1)}%`], ['ms', ms.toFixed(2)]] as const) {
        const td = tr.insertCell();
        td.dataset.column = name;
        td.textContent = v;
      }
    }
    wrap.replaceChildren(table);
  }

  $<HTMLFormElement>('muvera-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (last) void run(last.docs, last.queries, last.qrels, last.seed);
  });

  return {
    run,
    clear: () => {
      runId++;
      last = undefined;
      wrap.replaceChildren();
      status.textContent = '';
    },
  };
}
