/**
 * The page-state store: one signal holding the whole PageState (see schema.ts). Controls call
 * `update`; views read `state.value` inside an `effect` and re-render when what they read changed.
 * The URL follows the store (one effect, history.replaceState), never the other way round after
 * the page opened. Preact's signals-core is the whole runtime here (about 2 KB): a store that
 * views subscribe to, without a component framework.
 */
import { batch, computed, effect, signal, type ReadonlySignal } from '@preact/signals-core';
import { DEFAULT_STATE, encodeState, type PageState } from './schema.ts';

export { batch, computed, effect };

export interface Store {
  readonly state: ReadonlySignal<PageState>;
  /** Merges `patch` into the state; a no-op (no re-render) when nothing changes. */
  update(patch: Partial<PageState>): void;
  get(): PageState;
}

const same = (a: unknown, b: unknown) => a === b || (Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]));

export function createStore(initial: PageState = DEFAULT_STATE): Store {
  const state = signal<PageState>(initial);
  return {
    state,
    get: () => state.peek(),
    update(patch) {
      const now = state.peek();
      const changed = (Object.keys(patch) as (keyof PageState)[]).some((k) => !same(now[k], patch[k]));
      if (changed) state.value = { ...now, ...patch };
    },
  };
}

/** Keeps the address bar in step with the store, so a copied link reproduces what is on screen. */
export function syncUrl(store: Store, write: (query: string) => void = (q) => history.replaceState(null, '', `?${q}`)): () => void {
  return effect(() => write(encodeState(store.state.value)));
}
