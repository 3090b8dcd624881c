import { describe, expect, it } from 'vitest';
import { CorpusInspector } from '../../src/core/inspect.ts';
import { maxSimScores, packCorpus } from '../../src/core/maxsim.ts';
import { syntheticCorpus } from '../../src/core/synthetic.ts';

describe('per-query inspection', () => {
  const corpus = syntheticCorpus('tiny', 2);
  const inspector = new CorpusInspector(corpus.docs);
  const q = corpus.queries[0];
  const rel = corpus.qrels.get(q.id)!;

  it('uncompressed: ranking and winners agree with brute-force MaxSim', () => {
    const r = inspector.inspect('none', null, q, rel, undefined);
    const scores = maxSimScores(q.data, q.n, packCorpus(corpus.docs));
    const best = scores.indexOf(Math.max(...scores));
    expect(r.top[0].id).toBe(corpus.docs[best].id);
    expect(r.doc.rank).toBe(1);
    const doc = corpus.docs[best];
    // Every winner is the argmax of its query token over the document's vectors.
    for (let t = 0; t < q.n; t++) {
      let arg = 0;
      let max = -Infinity;
      for (let j = 0; j < doc.n; j++) {
        let s = 0;
        for (let k = 0; k < doc.d; k++) s += q.data[t * q.d + k] * doc.data[j * doc.d + k];
        if (s > max) [max, arg] = [s, j];
      }
      expect(r.doc.winners[t]).toBe(arg);
      expect(r.doc.similarities[t]).toBeCloseTo(max, 4);
    }
    expect(r.judged).toBe(true);
    // nDCG@10 by hand from the ranking shown: linear gain / log2(rank + 1), over the ideal order of the grades.
    const dcg = r.top.slice(0, 10).reduce((s, h, i) => s + (rel.get(h.id) ?? 0) / Math.log2(i + 2), 0);
    const ideal = [...rel.values()].sort((a, b) => b - a).slice(0, 10).reduce((s, g, i) => s + g / Math.log2(i + 2), 0);
    expect(r.ndcg10).toBeCloseTo(dcg / ideal, 12);
    expect(r.top.map((h) => h.grade)).toEqual(r.top.map((h) => rel.get(h.id) ?? 0));
  });

  it('compressed: winners index the stored vectors, assignments map tokens to them', () => {
    const id = corpus.docs[3].id;
    const r = inspector.inspect('agc', 4, q, rel, id);
    expect(r.doc.id).toBe(id);
    expect(r.doc.stored).toBe(4); // AGC always stores m vectors when n > m
    for (const w of r.doc.winners) expect(w).toBeGreaterThanOrEqual(0), expect(w).toBeLessThan(r.doc.stored);
    expect(r.doc.assignments.length).toBe(corpus.docs[3].n);
    expect(Math.max(...r.doc.assignments)).toBeLessThan(r.doc.stored);
  });
});
