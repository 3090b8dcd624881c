/**
 * The source tree's layers, read from the imports themselves: every import points to the same
 * folder or a lower layer, the page's views do not import each other, and no file imports itself
 * back through others. One arrow is allowed upward: a client (src/clients/) starts the worker it
 * talks to and imports its API type (Squoosh's `typeof api`), never its code.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/** Lowest first. A folder not listed here is an error (a new folder gets a place on purpose). */
const LAYERS: string[][] = [
  ['src/trustedTypes.ts', 'src/kernels'],
  ['src/core', 'src/core/methods', 'src/core/storage'],
  ['src/gpu', 'src/onnx'],
  ['src/search', 'src/demo', 'src/charts', 'src/modelgen'],
  ['src/embed', 'src/media'],
  ['src/clients'],
  ['workers'],
  ['src/ui/state'],
  ['src/ui/rail'],
  ['src/ui'],
  ['src/ui/compare', 'src/ui/embed', 'src/ui/maps', 'src/ui/side', 'src/ui/teach', 'src/ui/synthetic', 'src/ui/scale'],
  ['src/main.ts', 'cli'],
];
/** Folders of one layer that may not import each other (the page's views). */
const VIEWS = new Set(LAYERS[LAYERS.length - 2]);

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) sources(path, out);
    else if (/\.(ts|mjs)$/.test(name) && !name.endsWith('.generated.ts')) out.push(path);
  }
  return out;
}

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
  /** `new URL(..., import.meta.url)`: a worker started, not code imported. */
  spawn: boolean;
}

/** Relative imports, re-exports, dynamic imports and `new URL(..., import.meta.url)` (workers). */
function importsOf(file: string, text: string): Edge[] {
  const re = /(import|export)(\s+type)?\s[^'";]*?from\s+['"](\.[^'"]+)['"]|import\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|new URL\(\s*['"](\.[^'"]+)['"]/g;
  const edges: Edge[] = [];
  for (const m of text.matchAll(re)) {
    const spec = m[3] ?? m[4] ?? m[5] ?? m[6];
    edges.push({ from: file, to: normalize(join(dirname(file), spec)), typeOnly: Boolean(m[2]), spawn: m[6] !== undefined });
  }
  return edges;
}

function layerOf(path: string): { layer: number; unit: string } {
  let best: { layer: number; unit: string } | undefined;
  LAYERS.forEach((units, layer) =>
    units.forEach((unit) => {
      const inside = path === unit || (dirname(path) === unit) || (unit === 'workers' && path.startsWith('workers/')) || (unit === 'cli' && path.startsWith('cli/'));
      if (inside && (!best || unit.length > best.unit.length)) best = { layer, unit };
    }),
  );
  if (!best) throw new Error(`${path} is in no layer of test/layout.test.ts: give its folder a place`);
  return best;
}

const files = ['src', 'workers', 'cli'].flatMap((d) => sources(d));
const edges = files.flatMap((f) => importsOf(f, readFileSync(join(ROOT, f), 'utf8'))).filter((e) => /^(src|workers|cli)\//.test(e.to));

/** Strongly connected groups of more than one file (Tarjan). */
function cycles(nodes: string[], next: (n: string) => string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do group.push((w = stack.pop()!));
      while (w !== v);
      if (group.length > 1) out.push(group);
    }
  };
  for (const n of nodes) if (!index.has(n)) visit(n);
  return out;
}

describe('source layout', () => {
  it('finds the imports it checks (a sanity check of the parser)', () => {
    const e = importsOf('src/a/b.ts', "import type { X } from '../c/d.ts';\nimport { Y } from './e.ts';\nconst w = new URL('../../workers/w.ts', import.meta.url);\nimport './f.ts';");
    expect(e).toEqual([
      { from: 'src/a/b.ts', to: 'src/c/d.ts', typeOnly: true, spawn: false },
      { from: 'src/a/b.ts', to: 'src/a/e.ts', typeOnly: false, spawn: false },
      { from: 'src/a/b.ts', to: 'workers/w.ts', typeOnly: false, spawn: true },
      { from: 'src/a/b.ts', to: 'src/a/f.ts', typeOnly: false, spawn: false },
    ]);
    expect(edges.length).toBeGreaterThan(300);
  });

  it('every import points to its own folder or a lower layer; views do not import each other', () => {
    const wrong: string[] = [];
    for (const e of edges) {
      const a = layerOf(e.from);
      const b = layerOf(e.to);
      if (a.unit === b.unit) continue;
      const clientOfWorker = (e.typeOnly || e.spawn) && b.unit === 'workers' && a.unit === 'src/clients';
      if (b.layer > a.layer && !clientOfWorker) wrong.push(`${e.from} -> ${e.to} (up: ${a.unit} -> ${b.unit})`);
      if (b.layer === a.layer && VIEWS.has(a.unit)) wrong.push(`${e.from} -> ${e.to} (one view into another)`);
    }
    expect(wrong).toEqual([]);
  });

  it('no file imports itself back through others', () => {
    const next = new Map<string, string[]>();
    for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    expect(cycles(files, (n) => (next.get(n) ?? []).filter((t) => files.includes(t)))).toEqual([]);
  });

  it('every source file is under a folder with a place', () => {
    for (const f of files) expect(() => layerOf(f), relative(ROOT, f)).not.toThrow();
  });
});
