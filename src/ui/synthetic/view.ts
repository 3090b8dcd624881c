/**
 * The Synthetic corpora view: the engine on seeded synthetic corpora with planted structure (no
 * model needed), settings in, the grid runs in its own engine worker, a results table out.
 */
import { DEFAULT_KS, type ExperimentResult } from '../../core/experiment.ts';
import { ALL_SYNTHETIC_PRESETS } from '../../core/synthetic.ts';
import { EngineClient } from '../../clients/engineClient.ts';
import { checkedMethods, parseBudgets, showGridProgress } from '../common.ts';
import { checkboxes, METHOD_CHOICES } from '../rail/compareSettings.ts';
import { SCHEMA } from '../state/schema.ts';

export function initSyntheticView(): void {
  const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
  const presetSelect = $<HTMLSelectElement>('preset');
  const methodsBox = $<HTMLFieldSetElement>('methods');
  const budgetsInput = $<HTMLInputElement>('budgets');
  const seedInput = $<HTMLInputElement>('seed');
  const runButton = $<HTMLButtonElement>('run');
  const cancelButton = $<HTMLButtonElement>('cancel');
  const progress = $<HTMLProgressElement>('progress');
  const status = $<HTMLParagraphElement>('status');
  const results = $<HTMLElement>('results');

  for (const [name, p] of Object.entries(ALL_SYNTHETIC_PRESETS)) presetSelect.add(new Option(`${name}: ${p.description}`, name, name === 'images', name === 'images'));
  checkboxes(methodsBox, METHOD_CHOICES, SCHEMA.methods.default);

  const engine = new EngineClient();
  let started = 0;
  /** Id of the run whose progress may update the page; progress messages travel on their own port
   * and can arrive after the result or after a cancel, so stale ones are dropped. */
  let activeRun = 0;

  function renderTable(result: ExperimentResult): void {
    const ks = result.config.ks;
    const metricNames = ks.flatMap((k) => [`recall@${k}`, `ndcg@${k}`]);
    const table = document.createElement('table');
    table.id = 'results-table';
    table.createCaption().textContent = `${result.documents} documents (${result.tokens} tokens, d = ${result.dimension}), ${result.queries} queries, seed ${result.config.seed}`;
    const head = table.createTHead().insertRow();
    const headers = ['method', 'budget', 'storage', 'vectors/doc', 'bytes/doc', ...metricNames, 'active', 'ms/doc'];
    for (const h of headers) head.append(Object.assign(document.createElement('th'), { textContent: h, scope: 'col' }));
    const body = table.createTBody();
    for (const r of result.rows) {
      const tr = body.insertRow();
      tr.dataset.method = r.method;
      tr.dataset.budget = String(r.budget ?? 'full');
      const cells = [
        r.label, r.budget ?? 'full', r.storage, r.vectorsPerDoc.toFixed(1), r.bytesPerDoc.toFixed(0),
        ...metricNames.map((m) => r.metrics[m].toFixed(3)), `${(r.utilization.activeFraction * 100).toFixed(1)}%`, r.compressMsPerDoc.toFixed(2),
      ];
      cells.forEach((c, i) => {
        const td = tr.insertCell();
        td.textContent = String(c);
        td.dataset.column = headers[i];
        if (i >= 5 && i < 5 + metricNames.length) td.dataset.metric = metricNames[i - 5];
      });
    }
    results.replaceChildren(table);
    if (result.failures.length) {
      const list = document.createElement('ul');
      for (const f of result.failures) list.append(Object.assign(document.createElement('li'), { textContent: `Skipped ${f.message}` }));
      results.append(list);
    }
  }

  $<HTMLFormElement>('controls').addEventListener('submit', async (event) => {
    event.preventDefault();
    status.classList.remove('error');
    let config;
    try {
      const methods = checkedMethods(methodsBox);
      const seed = Number(seedInput.value);
      if (!Number.isInteger(seed)) throw new Error('The seed must be a whole number.');
      config = { methods, budgets: parseBudgets(budgetsInput.value), ks: [...DEFAULT_KS], seed };
    } catch (e) {
      status.textContent = (e as Error).message;
      status.classList.add('error');
      return;
    }
    runButton.disabled = true;
    cancelButton.disabled = false;
    progress.hidden = false;
    progress.value = 0;
    started = performance.now();
    status.textContent = 'Building the synthetic corpus…';
    const run = ++activeRun;
    try {
      const result = await engine.runSynthetic(presetSelect.value, config, (p) => run === activeRun && showGridProgress(p, started, progress, status));
      activeRun++;
      renderTable(result);
      status.textContent = `Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`;
    } catch (e) {
      activeRun++;
      const err = e as Error;
      status.textContent = err.name === 'AbortError' ? 'Cancelled. Nothing is running in the background.' : `The run failed: ${err.message}`;
      if (err.name !== 'AbortError') status.classList.add('error');
    } finally {
      runButton.disabled = false;
      cancelButton.disabled = true;
      progress.hidden = true;
    }
  });

  cancelButton.addEventListener('click', () => engine.cancel());
}
