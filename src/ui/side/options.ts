/**
 * Form controls for a method's options, generated from the engine's registry (a preset starts from
 * its own values), and the method spec they describe.
 */
import { formatMethodSpec } from '../../core/methodSpec.ts';
import { getMethod, PRESETS } from '../../core/methods/registry.ts';

/** Fills `box` with one control per option of the method (or preset) `id`. */
export function renderMethodOptions(box: HTMLElement, id: string): void {
  box.replaceChildren();
  const preset = PRESETS.find((p) => p.id === id);
  const method = getMethod(preset ? preset.method : id);
  const values = { ...method.defaults, ...(preset?.options ?? {}) };
  for (const o of method.options) {
    const label = Object.assign(document.createElement('label'), { title: o.description });
    label.append(`${o.label} `);
    let input: HTMLInputElement | HTMLSelectElement;
    if (o.type === 'enum') {
      input = document.createElement('select');
      for (const c of o.choices) input.add(new Option(c, c, c === values[o.key], c === values[o.key]));
    } else if (o.type === 'boolean') {
      input = Object.assign(document.createElement('input'), { type: 'checkbox', checked: values[o.key] === true });
    } else {
      input = Object.assign(document.createElement('input'), { type: 'number', min: String(o.min), max: String(o.max), step: o.type === 'number' ? 'any' : '1', value: String(values[o.key]) });
    }
    input.dataset.key = o.key;
    label.append(input);
    box.append(label);
  }
}

/** The method spec the controls in `box` describe for method (or preset) `id`. */
export function methodSpecOf(box: HTMLElement, id: string): string {
  const preset = PRESETS.find((p) => p.id === id);
  const method = preset ? preset.method : id;
  const options: Record<string, string | number | boolean> = {};
  for (const el of box.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-key]')) {
    const key = el.dataset.key!;
    options[key] = el instanceof HTMLInputElement && el.type === 'checkbox' ? el.checked : el instanceof HTMLInputElement && el.type === 'number' ? Number(el.value) : el.value;
  }
  return formatMethodSpec({ method, options });
}
