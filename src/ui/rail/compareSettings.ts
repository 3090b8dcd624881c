/**
 * The rail's comparison settings, bound to the page state: each control writes its key to the
 * store when it holds a valid value (a bad one is reported beside the Compare button and the
 * store keeps the last good value), and the store writes back to the controls, so a link, a
 * legend toggle or a teaching step shows the same settings everywhere.
 */
import { formatMethodSpec, parseMethodSpec } from '../../core/methodSpec.ts';
import { METHODS, PRESETS } from '../../core/methods/registry.ts';
import { EVAL_STORAGE_TYPES, STORAGE_HELP, STORAGE_TYPES, type EvalStorage, type StorageType } from '../../core/storage/stored.ts';
import { parseBudgetList, SCHEMA, type PageState } from '../state/schema.ts';
import { effect, type Store } from '../state/store.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Every registered method and AGC ablation preset, as [id, label, description]. */
export const METHOD_CHOICES = [
  ...METHODS.map((m) => ({ id: m.id, label: m.label, title: m.description })),
  ...PRESETS.map((p) => ({ id: p.id, label: p.label, title: `${p.label}: ${p.method} with ${Object.entries(p.options).map(([k, v]) => `${k}=${v}`).join(', ')}` })),
];

/** One checkbox per registered method (or storage type): the pickers come from the registries. */
export function checkboxes(box: HTMLElement, items: { id: string; label: string; title: string }[], checked: readonly string[]): void {
  for (const item of items) {
    const label = document.createElement('label');
    label.title = item.title;
    label.append(Object.assign(document.createElement('input'), { type: 'checkbox', value: item.id, checked: checked.includes(item.id) }), item.label);
    box.append(label);
  }
}

export const STORAGE_CHOICES = EVAL_STORAGE_TYPES.map((t) => ({ id: t, label: t, title: STORAGE_HELP[t] }));

/** A <select> of storage types from the storage table (`withResidual`: the index-wide res2 and res1 too). */
export function storageSelect(select: HTMLSelectElement, selected: StorageType, withResidual = false): void {
  const types: readonly EvalStorage[] = withResidual ? EVAL_STORAGE_TYPES : STORAGE_TYPES;
  select.replaceChildren(...types.map((t) => new Option(t, t, t === selected, t === selected)));
  for (const o of select.options) o.title = STORAGE_HELP[o.value as EvalStorage];
}

export function initCompareSettings(store: Store): void {
  const methodsBox = $<HTMLFieldSetElement>('compare-methods');
  const specs = $<HTMLInputElement>('compare-specs');
  const budgets = $<HTMLInputElement>('compare-budgets');
  const storageBox = $<HTMLFieldSetElement>('compare-storage');
  const seed = $<HTMLInputElement>('compare-seed');
  const source = $<HTMLSelectElement>('query-source');
  const typed = $<HTMLTextAreaElement>('typed-queries');
  const error = $<HTMLParagraphElement>('compare-settings-error');
  const s0 = store.get();
  checkboxes(methodsBox, METHOD_CHOICES, s0.methods);
  checkboxes(storageBox, STORAGE_CHOICES, s0.storages);

  /** Reads one control; on a bad value says why and leaves the store as it was. */
  const write = (what: string, read: () => Partial<PageState>) => () => {
    try {
      store.update(read());
      error.textContent = '';
    } catch (err) {
      error.textContent = `${what}: ${(err as Error).message}`;
    }
  };
  const chosenMethods = () => {
    const boxes = [...methodsBox.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value);
    const more = specs.value.split(';').map((t) => t.trim()).filter(Boolean).map((t) => formatMethodSpec(parseMethodSpec(t)));
    const all = [...new Set([...boxes, ...more])];
    if (all.length === 0) throw new Error('pick at least one method');
    return all;
  };
  const onMethods = write('Methods', () => ({ methods: chosenMethods() }));
  methodsBox.addEventListener('change', onMethods);
  specs.addEventListener('change', onMethods);
  budgets.addEventListener('change', write('Budgets', () => ({ budgets: parseBudgetList(budgets.value) })));
  storageBox.addEventListener('change', write('Stored as', () => {
    const list = [...storageBox.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value);
    if (list.length === 0) throw new Error('pick at least one storage type (fp32, fp16, int8 or binary)');
    return { storages: list as EvalStorage[] };
  }));
  seed.addEventListener('change', write('Seed', () => ({ seed: SCHEMA.seed.parse(seed.value) })));
  source.addEventListener('change', write('Queries', () => ({ queries: source.value as PageState['queries'] })));
  typed.addEventListener('change', write('Typed queries', () => ({ typed: typed.value.trim() })));

  // The store -> the controls (a link, a legend toggle, a replay).
  effect(() => {
    const s = store.state.value;
    const boxIds = new Set(METHOD_CHOICES.map((m) => m.id));
    for (const b of methodsBox.querySelectorAll<HTMLInputElement>('input')) b.checked = s.methods.includes(b.value);
    // Specs with options have no box: they go to the "more methods" field.
    const more = s.methods.filter((m) => !boxIds.has(m)).join('; ');
    if (document.activeElement !== specs) specs.value = more;
    if (document.activeElement !== budgets) budgets.value = s.budgets.join(',');
    for (const b of storageBox.querySelectorAll<HTMLInputElement>('input')) b.checked = s.storages.includes(b.value as EvalStorage);
    if (document.activeElement !== seed) seed.value = String(s.seed);
    source.value = s.queries;
    document.body.dataset.queries = s.queries;
    if (document.activeElement !== typed) typed.value = s.typed;
  });
}

/** Flushes controls that commit on `change` (a typed value the user has not left yet). */
export function commitPendingEdits(): void {
  const typed = (document.getElementById('query-source') as HTMLSelectElement | null)?.value === 'typed';
  for (const id of ['compare-budgets', 'compare-specs', 'compare-seed', ...(typed ? ['typed-queries'] : [])]) {
    const el = document.getElementById(id);
    if (el) el.dispatchEvent(new Event('change', { bubbles: true }));
  }
}
