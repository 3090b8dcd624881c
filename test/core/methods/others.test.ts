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
  it('lists every method module in src/core/methods, each with docs and valid defaults', () => {
    const files = readdirSync(new URL('../../../src/core/methods/', import.meta.url)).filter(
      (f) => f.endsWith('.ts') && !['registry.ts', 'types.ts'].includes(f),
    );
    expect(METHODS.length).toBe(files.length);
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
