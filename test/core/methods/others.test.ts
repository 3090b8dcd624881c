import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compressDocument } from '../../../src/core/compress.ts';
import { parseMethodSpec, formatMethodSpec } from '../../../src/core/methodSpec.ts';
import { METHODS } from '../../../src/core/methods/registry.ts';
import { gridSplit } from '../../../src/core/methods/uniformPool.ts';
import type { MultiVector } from '../../../src/core/multivector.ts';
import { gaussian, mulberry32 } from '../../../src/core/rng.ts';
import { canonical, randomDoc } from '../../helpers.ts';

describe('registry', () => {
  it('lists every method module in src/core/methods, by id, each with docs and valid defaults', async () => {
    const dir = new URL('../../../src/core/methods/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !['registry.ts', 'types.ts'].includes(f));
    const exported: string[] = [];
    for (const f of files) {
      const mod = (await import(new URL(f, dir).href)) as Record<string, unknown>;
      for (const v of Object.values(mod)) {
        if (v && typeof v === 'object' && 'compress' in v && 'id' in v) exported.push((v as { id: string }).id);
      }
    }
    expect(METHODS.map((m) => m.id).sort()).toEqual(exported.sort());
    expect(METHODS.map((m) => m.id)).toEqual(['none', 'agc', 'hpool', 'kmeans', 'uniform', 'random', 'top-saliency', 'prune', 'prune-merge']);
    for (const m of METHODS) {
      expect(m.description.length).toBeGreaterThan(60);
      for (const o of m.options) expect(m.defaults).toHaveProperty(o.key);
      expect(formatMethodSpec(parseMethodSpec(m.id))).toBe(m.id);
    }
  });

  it('parses and formats option specs and rejects unknown ones clearly', () => {
    expect(parseMethodSpec('agc:weighting=mean').options.weighting).toBe('mean');
    expect(formatMethodSpec(parseMethodSpec('agc:weighting=mean'))).toBe('agc-mean');
    expect(formatMethodSpec(parseMethodSpec('hpool:protectFirst=true'))).toBe('hpool:protectFirst=true');
    expect(() => parseMethodSpec('agc:colour=red')).toThrow(/method "agc" has no option "colour"/);
    expect(() => parseMethodSpec('agc:weighting=max')).toThrow(/must be one of saliency, mean/);
    expect(() => parseMethodSpec('kmeans:iterations=0')).toThrow(/integer in \[1, 200\]/);
    expect(() => parseMethodSpec('colbert')).toThrow(/unknown method "colbert"; known: none, agc/);
  });
});

/** Tokens scattered around `centres` well-separated unit directions. */
function planted(centres: number, per: number, d: number, seed: number): { doc: MultiVector; truth: number[] } {
  const rng = mulberry32(seed);
  const dirs = Array.from({ length: centres }, () => Array.from({ length: d }, () => gaussian(rng)));
  const data = new Float32Array(centres * per * d);
  const truth: number[] = [];
  let t = 0;
  for (let i = 0; i < per; i++)
    for (let c = 0; c < centres; c++, t++) {
      truth.push(c);
      for (let k = 0; k < d; k++) data[t * d + k] = dirs[c][k] + 0.05 * gaussian(rng);
    }
  return { doc: { id: 'planted', n: centres * per, d, data }, truth };
}

describe('k-means', () => {
  it('recovers well-separated planted clusters', () => {
    const { doc, truth } = planted(6, 20, 16, 2);
    const out = compressDocument(doc, parseMethodSpec('kmeans'), 6, { seed: 7 });
    expect(canonical(out.assignments)).toEqual(canonical(truth));
  });
  it('H-Pool recovers the same planted clusters', () => {
    const { doc, truth } = planted(6, 20, 16, 2);
    expect(canonical(compressDocument(doc, parseMethodSpec('hpool'), 6).assignments)).toEqual(canonical(truth));
  });
  it('is seeded', () => {
    const doc = randomDoc('r', 100, 8, 1);
    const a = compressDocument(doc, parseMethodSpec('kmeans'), 10, { seed: 1 });
    const b = compressDocument(doc, parseMethodSpec('kmeans'), 10, { seed: 1 });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });
});

describe('H-Pool options', () => {
  it('protectFirst keeps token 0 alone and pools the rest into m-1 clusters', () => {
    const doc = randomDoc('r', 40, 6, 3);
    const out = compressDocument(doc, parseMethodSpec('hpool:protectFirst=true'), 5);
    expect(out.n).toBe(5);
    expect(out.assignments.filter((a) => a === out.assignments[0]).length).toBe(1);
  });
  it('stores plain means of the unit tokens (norm below 1) unless normalize is set', () => {
    const doc = randomDoc('r', 40, 6, 3);
    const plain = compressDocument(doc, parseMethodSpec('hpool'), 3);
    const unit = compressDocument(doc, parseMethodSpec('hpool:normalize=true'), 3);
    const n0 = Math.hypot(...plain.data.subarray(0, 6));
    expect(n0).toBeLessThan(1);
    expect(Math.hypot(...unit.data.subarray(0, 6))).toBeCloseTo(1, 5);
  });
});

describe('uniform pooling', () => {
  it('splits grids into the largest a x b <= m with near-square cells', () => {
    expect(gridSplit(14, 14, 16)).toEqual([4, 4]);
    expect(gridSplit(7, 7, 32)).toEqual([5, 6]);
    expect(gridSplit(14, 14, 1)).toEqual([1, 1]);
    expect(gridSplit(2, 8, 4)).toEqual([1, 4]);
  });

  it('pools a 4x4 image into 2x2 quadrants (hand-checked means)', () => {
    const n = 16;
    const row = Int16Array.from({ length: n }, (_, i) => Math.floor(i / 4));
    const col = Int16Array.from({ length: n }, (_, i) => i % 4);
    const data = Float32Array.from({ length: n }, (_, i) => i + 1); // d = 1
    const out = compressDocument({ id: 'img', n, d: 1, data, positions: { row, col }, grid: { rows: 4, cols: 4 } }, parseMethodSpec('uniform'), 4);
    expect(Array.from(out.data)).toEqual([(1 + 2 + 5 + 6) / 4, (3 + 4 + 7 + 8) / 4, (9 + 10 + 13 + 14) / 4, (11 + 12 + 15 + 16) / 4]);
  });

  it('pools video over time first, then space', () => {
    const frames = 8;
    const n = frames * 4;
    const frame = Int32Array.from({ length: n }, (_, i) => Math.floor(i / 4));
    const row = Int16Array.from({ length: n }, (_, i) => Math.floor((i % 4) / 2));
    const col = Int16Array.from({ length: n }, (_, i) => i % 2);
    const data = Float32Array.from({ length: n }, () => 1);
    const doc = { id: 'vid', n, d: 1, data, positions: { frame, row, col }, grid: { rows: 2, cols: 2, frames } };
    const four = compressDocument(doc, parseMethodSpec('uniform'), 4);
    // m = 4 < 8 frames: four segments of two frames, each pooled over the whole grid
    expect(four.n).toBe(4);
    expect(Array.from(four.assignments.subarray(0, 8))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    const sixteen = compressDocument(doc, parseMethodSpec('uniform'), 16);
    // m = 16: eight one-frame segments, each split into two cells
    expect(sixteen.n).toBe(16);
  });

  it('spatial-rows pools whole patch rows (Qdrant): a 4x4 image at m = 4 gives the four row means, at m = 2 two bands', () => {
    const n = 16;
    const row = Int16Array.from({ length: n }, (_, i) => Math.floor(i / 4));
    const col = Int16Array.from({ length: n }, (_, i) => i % 4);
    const data = Float32Array.from({ length: n }, (_, i) => i + 1); // d = 1: row r holds 4r+1 .. 4r+4
    const doc = { id: 'img', n, d: 1, data, positions: { row, col }, grid: { rows: 4, cols: 4 } };
    expect(Array.from(compressDocument(doc, parseMethodSpec('spatial-rows'), 4).data)).toEqual([2.5, 6.5, 10.5, 14.5]);
    expect(Array.from(compressDocument(doc, parseMethodSpec('spatial-rows'), 2).data)).toEqual([(2.5 + 6.5) / 2, (10.5 + 14.5) / 2]);
  });

  it('without positions, cuts the sequence into m consecutive runs', () => {
    const out = compressDocument(randomDoc('seq', 10, 3), parseMethodSpec('uniform'), 3);
    expect(Array.from(out.assignments)).toEqual([0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
  });
});

describe('selection methods', () => {
  it('random keeps m distinct tokens unchanged', () => {
    const doc = randomDoc('r', 30, 4, 1);
    const out = compressDocument(doc, parseMethodSpec('random'), 6, { seed: 2 });
    const kept = Array.from(out.assignments.entries()).filter(([, a]) => a >= 0).map(([t]) => t);
    expect(kept.length).toBe(6);
    kept.forEach((t, c) => expect(Array.from(out.data.subarray(c * 4, c * 4 + 4))).toEqual(Array.from(doc.data.subarray(t * 4, t * 4 + 4))));
  });
  it('top-saliency keeps the m most salient tokens', () => {
    const doc = randomDoc('r', 30, 4, 1);
    const out = compressDocument(doc, parseMethodSpec('top-saliency'), 3);
    const order = Array.from(doc.saliency!.keys()).sort((a, b) => doc.saliency![b] - doc.saliency![a]);
    expect(new Set(order.slice(0, 3))).toEqual(new Set(Array.from(out.assignments.entries()).filter(([, a]) => a >= 0).map(([t]) => t)));
  });
});

describe('adaptive pruning (DocPruner) and prune-then-merge', () => {
  // Saliency 1, 2, 3, 4, 10: mean 4, population standard deviation sqrt((9 + 4 + 1 + 0 + 36) / 5) = sqrt(10).
  const doc: MultiVector = {
    id: 'p',
    n: 5,
    d: 2,
    data: Float32Array.from([1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9, 1, 0.6]),
    saliency: Float32Array.from([1, 2, 3, 4, 10]),
  };
  it('keeps the tokens above mean + k sd, most salient first, capped by m', () => {
    const kept = (spec: string, m: number) => {
      const out = compressDocument(doc, parseMethodSpec(spec), m);
      return Array.from(out.assignments);
    };
    expect(kept('prune', 4)).toEqual([-1, -1, -1, -1, 0]); // k = 0: above 4, only the 10
    expect(kept('prune:k=-0.5', 4)).toEqual([-1, -1, 2, 1, 0]); // threshold 4 - sqrt(10)/2 = 2.42: 10, 4, 3
    expect(kept('prune:k=-0.5', 2)).toEqual([-1, -1, -1, 1, 0]); // capped at m = 2: 10, 4
    expect(kept('prune:k=5', 4)).toEqual([-1, -1, -1, -1, 0]); // nothing above 4 + 5 sqrt(10): the most salient stays
    const out = compressDocument(doc, parseMethodSpec('prune:k=-0.5'), 4);
    expect(Array.from(out.data)).toEqual([1, 0.6, 0.1, 0.9, 0, 1].map(Math.fround));
    expect(() => parseMethodSpec('prune:k=x')).toThrow('method "prune" option "k" must be a number in [-3, 5], got "x"');
  });
  it('prune-merge: the survivors merged to m by Ward on their unit vectors, each cluster its mean', () => {
    // k = -1: threshold 4 - sqrt(10) = 0.84, every token survives. Unit vectors: (1,0), (0.9,0.1)/0.906,
    // (0,1), (0.1,0.9)/0.906, (1,0.6)/1.166; Ward at m = 2 makes {0, 1, 4} (the last is 0.48 from the
    // first pair's centre, 0.94 from the other's) and {2, 3}; each cluster is the mean of its unit vectors.
    const out = compressDocument(doc, parseMethodSpec('prune-merge:k=-1'), 2);
    expect(canonical(out.assignments)).toEqual([0, 0, 1, 1, 0]);
    const u = (x: number, y: number) => [x / Math.hypot(x, y), y / Math.hypot(x, y)];
    const mean = (...v: number[][]) => [v.reduce((s, p) => s + p[0], 0) / v.length, v.reduce((s, p) => s + p[1], 0) / v.length];
    const expected = [...mean(u(1, 0), u(0.9, 0.1), u(1, 0.6)), ...mean(u(0, 1), u(0.1, 0.9))];
    const first = out.assignments[0];
    const rows = first === 0 ? [0, 1] : [1, 0];
    rows.forEach((r, i) => [0, 1].forEach((k) => expect(out.data[r * 2 + k]).toBeCloseTo(expected[i * 2 + k], 6)));
    // k = 0: only the 10 survives, and one survivor needs no merging.
    const one = compressDocument(doc, parseMethodSpec('prune-merge'), 2);
    expect(Array.from(one.assignments)).toEqual([-1, -1, -1, -1, 0]);
    expect(one.data[0]).toBeCloseTo(1 / Math.hypot(1, 0.6), 6);
    expect(one.data[1]).toBeCloseTo(0.6 / Math.hypot(1, 0.6), 6);
  });
});

