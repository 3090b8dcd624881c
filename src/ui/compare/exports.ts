/**
 * The exports of a comparison: the results as CSV, JSON or a copied table, the page's link, and a
 * compressed index (any method, budget and storage type of the result, with MUVERA's encodings on
 * request), written by the engine worker.
 */
import type { EngineClient } from '../../clients/engineClient.ts';
import type { ExperimentResult } from '../../core/experiment.ts';
import type { MultiVector } from '../../core/multivector.ts';
import { resultTable, toCSV, toJSON } from '../../core/report.ts';
import type { EvalStorage } from '../../core/storage/stored.ts';
import { download, downloadIndex } from '../common.ts';
import { storageSelect } from '../rail/compareSettings.ts';
import { budgetsRun, shown } from '../results.ts';
import { muveraFormValues, readMuveraSettings } from './muvera.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** What the exports need of the last run: its documents and the model they came from. */
export interface ExportSource {
  docs(): MultiVector[];
  model(): string;
  /** Writes the comparison's status line. */
  say(text: string): void;
}

/** The index export's method and budget menus for a new result (AGC and the middle budget chosen). */
export function fillExportChoices(result: ExperimentResult): void {
  const compressed = [...new Set(result.rows.filter((r) => r.budget !== null).map((r) => r.method))];
  $<HTMLSelectElement>('export-method').replaceChildren(...['none', ...compressed].map((m) => new Option(m === 'none' ? 'uncompressed' : result.rows.find((r) => r.method === m)!.label, m, m === 'agc', m === 'agc')));
  const budgets = budgetsRun(result);
  const mid = budgets[Math.floor((budgets.length - 1) / 2)];
  $<HTMLSelectElement>('export-budget').replaceChildren(...budgets.map((b) => new Option(`m = ${b}`, String(b), b === mid, b === mid)));
}

/** The results table as tab-separated text (empty cells for missing values). */
export function tableAsTsv(result: ExperimentResult): string {
  const t = resultTable(result);
  return [t.columns, ...t.rows].map((r) => r.map((v) => (v === null || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v))).join('\t')).join('\n');
}

async function exportIndex(engine: EngineClient, source: ExportSource): Promise<void> {
  const out = $<HTMLParagraphElement>('export-status');
  out.classList.remove('error');
  const cur = shown.value?.result;
  const docs = source.docs();
  if (!cur || docs.length === 0) return;
  const method = $<HTMLSelectElement>('export-method').value;
  const budget = method === 'none' ? null : Number($<HTMLSelectElement>('export-budget').value);
  const storage = $<HTMLSelectElement>('export-storage').value as EvalStorage;
  out.textContent = 'Compressing and writing…';
  try {
    // MUVERA's encodings with the MUVERA panel's settings (its memory check included).
    const fde = $<HTMLInputElement>('export-muvera').checked ? readMuveraSettings(muveraFormValues(), docs.length, docs[0].d) : undefined;
    const r = await engine.exportIndex(docs, method, budget, storage, source.model(), cur.config.seed, fde && { kSim: fde.kSim, reps: fde.reps, dProj: fde.dProj, seed: cur.config.seed });
    out.textContent = `Wrote ${downloadIndex(r)}` + (r.skipped.length ? `. ${r.skipped.length} documents skipped: ${r.skipped.slice(0, 3).join('; ')}` : '') + '.';
  } catch (err) {
    out.textContent = `Export failed: ${(err as Error).message}`;
    out.classList.add('error');
  }
}

export function initExports(engine: EngineClient, source: ExportSource): void {
  storageSelect($<HTMLSelectElement>('export-storage'), 'fp16', true);
  $<HTMLFormElement>('index-export').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void exportIndex(engine, source);
  });
  $<HTMLButtonElement>('export-csv').addEventListener('click', () => shown.value && download('results.csv', toCSV(resultTable(shown.value.result)), 'text/csv'));
  $<HTMLButtonElement>('export-json').addEventListener('click', () => shown.value && download('results.json', toJSON({ model: source.model(), ...shown.value.result }), 'application/json'));
  $<HTMLButtonElement>('copy-table').addEventListener('click', async () => {
    if (!shown.value) return;
    await navigator.clipboard.writeText(tableAsTsv(shown.value.result)).then(
      () => source.say('Table copied (tab-separated).'),
      () => source.say('The browser refused clipboard access; use Download CSV.'),
    );
  });
  $<HTMLButtonElement>('copy-link').addEventListener('click', async () => {
    await navigator.clipboard.writeText(location.href).catch(() => undefined);
    source.say(`Link copied: ${location.href}`);
  });
}
