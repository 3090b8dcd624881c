import { describe, expect, it } from 'vitest';
import { runExperiment } from '../../src/core/experiment.ts';
import { parseMethodSpec } from '../../src/core/methodSpec.ts';
import { HARD_PRESETS, syntheticCorpus, SYNTHETIC_PRESETS } from '../../src/core/synthetic.ts';

describe('synthetic corpus', () => {
  it('is deterministic from the seed and changes with it', () => {
    const a = syntheticCorpus('tiny', 5);
    const b = syntheticCorpus('tiny', 5);
    const c = syntheticCorpus('tiny', 6);
    expect(Array.from(a.docs[3].data)).toEqual(Array.from(b.docs[3].data));
    expect(Array.from(a.queries[0].data)).not.toEqual(Array.from(c.queries[0].data));
  });

  it('video documents have ~1,300 tokens with frame, time, row and column on every token', () => {
    const p = { ...SYNTHETIC_PRESETS.video, docs: 2 };
    const { docs } = syntheticCorpus(p, 1);
    expect(docs[0].n).toBe(1296);
    const pos = docs[0].positions!;
    expect(pos.frame![1295]).toBe(23);
    expect(pos.time![54]).toBe(0.5);
    expect(pos.row![1295]).toBe(5);
    expect(pos.col![1295]).toBe(8);
  });

  it('judges each query: its document grade 2, a near-duplicate grade 1', () => {
    const { qrels, docs } = syntheticCorpus('tiny', 1);
    const ids = new Set(docs.map((d) => d.id));
    for (const rel of qrels.values()) {
      const grades = [...rel.entries()];
      expect(grades[0][1]).toBe(2);
      for (const [id, g] of grades) {
        expect(ids.has(id)).toBe(true);
        if (id.endsWith('-dup')) expect(g).toBe(1);
      }
    }
    expect(docs.some((d) => d.id.endsWith('-dup'))).toBe(true);
  });

  it('has planted structure: uncompressed retrieval is near perfect, uniform pooling at m = 4 is far worse than AGC', () => {
    const corpus = syntheticCorpus('tiny', 1);
    const r = runExperiment(corpus, { methods: ['none', 'agc', 'agc-raw', 'agc-mean', 'uniform'].map(parseMethodSpec), budgets: [4], ks: [10], seed: 1 });
    const ndcg = (m: string) => r.rows.find((x) => x.method === m)!.metrics['ndcg@10'];
    expect(ndcg('none')).toBeGreaterThan(0.95);
    expect(ndcg('agc-raw')).toBeGreaterThan(0.95); // weighted by the planted saliency itself
    expect(ndcg('uniform')).toBeLessThan(ndcg('agc') - 0.5);
    // The paper's softmax of a saliency that sums to 1 is nearly flat: AGC's pooling is then almost a plain mean.
    expect(Math.abs(ndcg('agc') - ndcg('agc-mean'))).toBeLessThan(0.02);
    expect(ndcg('agc')).toBeLessThan(ndcg('agc-raw') - 0.05);
  });
});

describe('harder presets', () => {
  it('crowded: six objects per image, queries naming two, unjudged distractors that differ in one queried object', () => {
    const c = syntheticCorpus({ ...HARD_PRESETS.crowded, docs: 40 }, 3);
    const distractors = c.docs.filter((d) => d.id.endsWith('-distractor'));
    expect(distractors.length).toBeGreaterThan(5);
    for (const d of distractors) for (const [, j] of c.qrels) expect(j.has(d.id)).toBe(false);
    const q = c.queries[0];
    expect(q.n).toBe(2 * 3 + 3); // two queried objects x 3 tokens + 3 filler
    // Six one-patch objects: six tokens of high planted saliency (>= 0.6 before normalisation), give or take sinks.
    const doc = c.docs[0];
    const top = Array.from(doc.saliency!).sort((a, b) => b - a);
    expect(top[5] / top[20]).toBeGreaterThan(3);
  });
  it('varied: images hold 1 to 12 objects (counted as planted saliency >= 0.6 against <= 0.15 background), queries name at most two', () => {
    const c = syntheticCorpus({ ...HARD_PRESETS.varied, docs: 60 }, 2);
    // Before normalisation objects have saliency 0.6-1, background 0-0.15 and 1% sinks 0.7-1: the
    // tokens above 0.45 x the document's maximum are its objects plus a sink or two.
    const standouts = c.docs.map((d) => {
      const mx = Math.max(...d.saliency!);
      return d.saliency!.filter((v) => v > 0.45 * mx).length;
    });
    expect(Math.min(...standouts)).toBeLessThanOrEqual(2);
    expect(Math.max(...standouts)).toBeGreaterThanOrEqual(12);
    expect(Math.max(...standouts)).toBeLessThanOrEqual(12 + 6);
    // One-object images: a query of 1 x 3 + 3 tokens; two or more: 2 x 3 + 3.
    expect(new Set(c.queries.map((q) => q.n))).toEqual(new Set([6, 9]));
  });
  it('small-objects has 576 tokens per image; long-video 64 frames of 4 x 6', () => {
    expect(syntheticCorpus({ ...HARD_PRESETS['small-objects'], docs: 3 }, 1).docs[0].n).toBe(576);
    expect(syntheticCorpus({ ...HARD_PRESETS['long-video'], docs: 2 }, 1).docs[0].n).toBe(64 * 24);
  });
  it('the original presets are unchanged by the new options (a weighted sum of every value, taken before they existed)', () => {
    const fingerprint = (name: string) => {
      const c = syntheticCorpus(name, 1);
      let sum = 0;
      let i = 0;
      for (const d of c.docs) for (const v of d.data) sum += v * ((i++ % 7) + 1);
      for (const q of c.queries) for (const v of q.data) sum += v * ((i++ % 5) + 1);
      return [c.docs.length, sum];
    };
    // Computed with src/core/synthetic.ts as of commit bd27775.
    expect(fingerprint('tiny')[0]).toBe(27);
    expect(fingerprint('tiny')[1]).toBeCloseTo(3102.4407915054608, 9);
    expect(fingerprint('images')[1]).toBeCloseTo(34896.70801191975, 9);
  });
});

