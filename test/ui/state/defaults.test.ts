// @vitest-environment happy-dom
/**
 * Every default lives in the page-state tables (schema.ts, scaleSchema.ts) and reaches the pages
 * from there: the static HTML writes no value, checked box, selected option, slider position or
 * bound to a field. (Option lists that are identifiers, like a <select>'s choices, are not defaults.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');

function defaultsWritten(file: string): string[] {
  const doc = new DOMParser().parseFromString(readFileSync(join(ROOT, file), 'utf8'), 'text/html');
  const found: string[] = [];
  for (const el of doc.querySelectorAll('input')) {
    const id = el.id || el.outerHTML.slice(0, 60);
    for (const attr of ['value', 'checked', 'min', 'max']) if (el.hasAttribute(attr) && !(attr === 'min' && el.type === 'range')) found.push(`${id} ${attr}`);
  }
  for (const el of doc.querySelectorAll('option[selected]')) found.push(`${el.closest('select')?.id} selected ${el.getAttribute('value')}`);
  for (const el of doc.querySelectorAll('textarea, output')) if (el.textContent?.trim()) found.push(`${el.id} text`);
  return found;
}

describe('defaults come from the state tables only', () => {
  it('index.html writes none', () => expect(defaultsWritten('index.html')).toEqual([]));
  it('scale.html writes none', () => expect(defaultsWritten('scale.html')).toEqual([]));
});
