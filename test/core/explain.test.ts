import { describe, expect, it } from 'vitest';
import { compressDocument } from '../../src/core/compress.ts';
import { explainCompression } from '../../src/core/explain.ts';
import { parseMethodSpec } from '../../src/core/methodSpec.ts';
import { canonical, randomDoc } from '../helpers.ts';

describe('teaching traces', () => {
  const doc = randomDoc('d', 40, 8, 3);

  it('AGC: centroids are the most salient tokens and seed their own clusters', () => {
    const e = explainCompression(doc, 'agc', 6);
    const order = Array.from(doc.saliency!.keys()).sort((a, b) => doc.saliency![b] - doc.saliency![a]);
    expect([...e.centroids!].sort()).toEqual(order.slice(0, 6).sort());
    e.centroids!.forEach((t, c) => expect(e.assignments[t]).toBe(c));
    expect(e.assignments).toEqual(compressDocument(doc, parseMethodSpec('agc'), 6).assignments);
  });

  it('H-Pool: levels go from n singletons down to m, ending at the method\'s own partition', () => {
    const e = explainCompression(doc, 'hpool', 5);
    expect(e.levels!.map((l) => l.k)).toEqual([40, 20, 10, 5]);
    expect(new Set(e.levels![0].labels).size).toBe(40);
    // Each level refines the next: tokens together at k stay together at k/2.
    for (let i = 0; i + 1 < e.levels!.length; i++) {
      const fine = e.levels![i].labels;
      const coarse = e.levels![i + 1].labels;
      const map = new Map<number, number>();
      fine.forEach((f, t) => {
        if (map.has(f)) expect(map.get(f)).toBe(coarse[t]);
        map.set(f, coarse[t]);
      });
    }
    expect(canonical(e.assignments)).toEqual(canonical(compressDocument(doc, parseMethodSpec('hpool'), 5).assignments));
  });
});
