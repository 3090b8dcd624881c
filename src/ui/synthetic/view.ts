/**
 * The Synthetic corpora view: the engine on seeded synthetic corpora with planted structure (no
 * model needed), settings in (page state: preset, methods, budgets, seed, read with the same
 * parsers as the rail and the URL), the grid runs in its own engine worker, a results table out.
 */
import { DEFAULT_KS } from '../../core/experiment.ts';
import { parseMethodSpec } from '../../core/methodSpec.ts';
import { ALL_SYNTHETIC_PRESETS } from '../../core/synthetic.ts';
import { EngineClient } from '../../clients/engineClient.ts';
import { showGridProgress, threadsNote } from '../common.ts';
import { checkboxes, METHOD_CHOICES } from '../rail/compareSettings.ts';
import { bindFields, readField } from '../state/fields.ts';
import { SCHEMA } from '../state/schema.ts';
import { effect, type Store } from '../state/store.ts';
import { renderSyntheticTable } from './table.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** The run's settings as the fields say now (a field the parser refuses throws its message). */
function readSettings(methodsBox: HTMLElement) {
  const methods = [...methodsBox.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value);
  if (!methods.length) throw new Error('Pick at least one method.');
  return {
    preset: readField($<HTMLSelectElement>('preset'), SCHEMA.synPreset),
    config: { methods: methods.map(parseMethodSpec), budgets: readField($<HTMLInputElement>('budgets'), SCHEMA.synBudgets), ks: [...DEFAULT_KS], seed: readField($<HTMLInputElement>('seed'), SCHEMA.synSeed) },
  };
}

export function initSyntheticView(store: Store): void {
  const presetSelect = $<HTMLSelectElement>('preset');
  const methodsBox = $<HTMLFieldSetElement>('methods');
  const runButton = $<HTMLButtonElement>('run');
  const cancelButton = $<HTMLButtonElement>('cancel');
  const progress = $<HTMLProgressElement>('progress');
  const status = $<HTMLParagraphElement>('status');

  for (const [name, p] of Object.entries(ALL_SYNTHETIC_PRESETS)) presetSelect.add(new Option(`${name}: ${p.description}`, name));
  checkboxes(methodsBox, METHOD_CHOICES, store.get().synMethods);
  bindFields(store, { synPreset: 'preset', synBudgets: 'budgets', synSeed: 'seed' });
  methodsBox.addEventListener('change', () => {
    const on = [...methodsBox.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value);
    if (on.length) store.update({ synMethods: on });
  });
  effect(() => {
    const on = store.state.value.synMethods;
    for (const b of methodsBox.querySelectorAll<HTMLInputElement>('input')) b.checked = on.includes(b.value);
  });

  const engine = new EngineClient();
  /** Id of the run whose progress may update the page; progress messages travel on their own port
   * and can arrive after the result or after a cancel, so stale ones are dropped. */
  let activeRun = 0;
  $<HTMLFormElement>('controls').addEventListener('submit', async (event) => {
    event.preventDefault();
    status.classList.remove('error');
    let settings;
    try {
      settings = readSettings(methodsBox);
    } catch (e) {
      status.textContent = (e as Error).message;
      status.classList.add('error');
      return;
    }
    runButton.disabled = true;
    cancelButton.disabled = false;
    progress.hidden = false;
    progress.value = 0;
    const started = performance.now();
    status.textContent = 'Building the synthetic corpus…';
    const run = ++activeRun;
    try {
      const result = await engine.runSynthetic(settings.preset, settings.config, (p) => run === activeRun && showGridProgress(p, started, progress, status), undefined, store.get().gridThreads);
      activeRun++;
      renderSyntheticTable($<HTMLElement>('results'), result, ALL_SYNTHETIC_PRESETS[settings.preset].docs);
      status.textContent = `Done in ${((performance.now() - started) / 1000).toFixed(1)} s${threadsNote(result.compressThreads)}.`;
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
