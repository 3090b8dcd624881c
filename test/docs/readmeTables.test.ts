/**
 * The README's method and storage tables against the registries: every registered method, preset
 * and storage type has a row, every row names a registered one, and every option a method declares
 * appears in its row with its default first. A method or type added without its README row (or a
 * row left behind) fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METHODS, PRESETS } from '../../src/core/methods/registry.ts';
import { EVAL_STORAGE_TYPES } from '../../src/core/storage/registry.ts';

const README = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');

/** The rows of the first table after `heading`, as cells (the header and separator dropped). */
function tableAfter(heading: string): string[][] {
  const at = README.indexOf(heading);
  expect(at, heading).toBeGreaterThan(-1);
  const lines = README.slice(at).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const l of lines.slice(start + 2)) {
    if (!l.startsWith('|')) break;
    rows.push(l.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim()));
  }
  return rows;
}

const idsOf = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

describe('README tables follow the registries', () => {
  it('Methods: one row per registered method and preset, each option with its default first', () => {
    const rows = tableAfter('### Methods');
    const named = rows.flatMap((r) => idsOf(r[0]));
    expect([...named].sort()).toEqual([...METHODS.map((m) => m.id), ...PRESETS.map((p) => p.id)].sort());
    for (const m of METHODS) {
      const row = rows.find((r) => idsOf(r[0]).includes(m.id))!;
      for (const o of m.options) expect(row[2], `${m.id}: option ${o.key}`).toContain(`${o.key}=${String(m.defaults[o.key])}`);
    }
  });

  it('Storage types: one row per registered type', () => {
    const named = tableAfter('### Storage types').flatMap((r) => idsOf(r[0]));
    expect([...named].sort()).toEqual([...EVAL_STORAGE_TYPES].sort());
  });
});
