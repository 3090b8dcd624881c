/**
 * Form fields bound to keys of the page state, both ways: the store writes each field (its value,
 * or a checkbox's state) with the key's own format, and a field the user changed is read with the
 * key's own parser, so a field, a link and the defaults all go through the one table (schema.ts).
 * A value the parser refuses marks the field invalid (aria-invalid, its title the parser's message,
 * `onError` told) and leaves the store as it was; the form's own action reads the field with the
 * same parser and says why it cannot run. A field being edited is not overwritten. (No custom
 * validity: it would stop a form's submit event, and with it the action's own message.)
 */
import type { Key, PageState } from './schema.ts';
import { SCHEMA } from './schema.ts';
import { effect, type Store } from './store.ts';

type Field = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
type Keys = { [K in keyof PageState]?: string };

const isBox = (el: Field): el is HTMLInputElement => el instanceof HTMLInputElement && el.type === 'checkbox';

/** Writes a state value into a field: checkboxes take booleans, other fields the key's text form. */
export function writeField<T>(el: Field, key: Key<T>, value: T): void {
  if (isBox(el)) el.checked = value as boolean;
  else el.value = key.format(value);
}

/** Reads a field with its key's parser (throws the parser's message). */
export function readField<T>(el: Field, key: Key<T>): T {
  return isBox(el) ? (el.checked as T) : key.parse(el.value);
}

/** Binds each field (by element id) to its state key. `onError` receives a refusal (or '' when the field is valid again). */
export function bindFields(store: Store, fields: Keys, onError?: (message: string, el: Field) => void): void {
  const entries = Object.entries(fields) as [keyof PageState, string][];
  for (const [name, id] of entries) {
    const el = document.getElementById(id) as Field;
    const key = SCHEMA[name] as Key<unknown>;
    // The key's own words say what the field is, where the page does not say more.
    if (!el.title && key.doc) el.title = key.doc;
    if (el instanceof HTMLInputElement && el.type === 'number') {
      if (key.min !== undefined && key.min > Number.MIN_SAFE_INTEGER) el.min = String(key.min);
      if (key.max !== undefined && key.max < Number.MAX_SAFE_INTEGER) el.max = String(key.max);
    }
    const title = el.title;
    const valid = () => {
      el.title = title;
      el.removeAttribute('aria-invalid');
      onError?.('', el);
    };
    // While typing: a value the parser takes goes to the store at once (an action that follows
    // reads it), a value it refuses waits for the change event to be reported.
    el.addEventListener('input', () => {
      try {
        store.update({ [name]: readField(el, key) } as Partial<PageState>);
        if (el.getAttribute('aria-invalid')) valid();
      } catch {
        /* reported on change */
      }
    });
    el.addEventListener('change', () => {
      try {
        store.update({ [name]: readField(el, key) } as Partial<PageState>);
        valid();
      } catch (err) {
        const message = `${el.labels?.[0]?.textContent?.trim() || key.param}: ${(err as Error).message}`;
        el.title = message;
        el.setAttribute('aria-invalid', 'true');
        onError?.(message, el);
      }
    });
  }
  effect(() => {
    const s = store.state.value;
    for (const [name, id] of entries) {
      const el = document.getElementById(id) as Field;
      if (document.activeElement !== el || isBox(el)) writeField(el, SCHEMA[name] as Key<unknown>, s[name]);
    }
  });
}
