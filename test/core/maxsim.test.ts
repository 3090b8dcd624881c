import { describe, expect, it } from 'vitest';
import { maxSimScores, packCorpus, topK } from '../../src/core/maxsim.ts';
import { randomDoc } from '../helpers.ts';

function bruteForce(q: Float32Array, qn: number, doc: Float32Array, n: number, d: number) {
  let total = 0;
  const winners: number[] = [];
  for (let i = 0; i < qn; i++) {
    let best = -Infinity;
    let arg = -1;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += q[i * d + k] * doc[j * d + k];
      if (s > best) [best, arg] = [s, j];
    }
    total += best;
    winners.push(arg);
  }
  return { total, winners };
}

describe('MaxSim', () => {
  it('matches a brute-force reference, scores and winning vectors, for ragged documents', () => {
    const d = 13; // not a multiple of 4, to exercise the loop tails
    const docs = [3, 1, 17, 8].map((n, i) => randomDoc(`d${i}`, n, d, i + 10));
    const corpus = packCorpus(docs);
    for (const qn of [1, 3, 4, 7]) {
      const q = randomDoc('q', qn, d, 99 + qn).data;
      const winners = new Int32Array(docs.length * qn);
      const scores = maxSimScores(q, qn, corpus, undefined, winners);
      docs.forEach((doc, di) => {
        const ref = bruteForce(q, qn, doc.data, doc.n, d);
        expect(scores[di]).toBeCloseTo(ref.total, 4);
        expect(Array.from(winners.subarray(di * qn, di * qn + qn))).toEqual(ref.winners.map((w) => w + corpus.offsets[di]));
      });
    }
  });

  it('a hand example: sum over query tokens of the best dot product', () => {
    const corpus = packCorpus([{ id: 'a', n: 2, d: 2, data: Float32Array.from([1, 0, 0, 1]) }]);
    // q0 = (2, 1): best is doc vector 0 (2); q1 = (-1, 3): best is vector 1 (3)
    expect(maxSimScores(Float32Array.from([2, 1, -1, 3]), 2, corpus)[0]).toBe(5);
  });

  it('rejects documents whose dimension differs from the corpus', () => {
    expect(() => packCorpus([randomDoc('a', 2, 3), randomDoc('b', 2, 4)])).toThrow(/document "b" has dimension 4, the corpus has 3/);
  });

  it('topK is best-first and breaks ties by corpus order', () => {
    expect(topK([0.5, 2, 2, -1], 3)).toEqual([{ doc: 1, score: 2 }, { doc: 2, score: 2 }, { doc: 0, score: 0.5 }]);
  });
});

describe('topK', () => {
  /** The order by hand: larger first, NaN after every number, ties by lower index. */
  function byHand(scores: number[], k: number): number[] {
    const idx = scores.map((_, i) => i);
    const key = (i: number) => (Number.isNaN(scores[i]) ? [1, 0] : [0, -scores[i]]);
    idx.sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1] || a - b);
    return idx.slice(0, k);
  }

  it('one pass (k much smaller than n) and the full sort agree with the order by hand, ties and NaN included', () => {
    let s = 9;
    const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rnd() * 300);
      // few distinct values: many ties; some NaN and infinities
      const scores = Array.from({ length: n }, () => {
        const r = rnd();
        return r < 0.05 ? NaN : r < 0.08 ? -Infinity : r < 0.1 ? Infinity : Math.floor(rnd() * 20) / 4;
      });
      for (const k of [0, 1, 3, 10, Math.floor(n / 2), n, n + 5]) {
        const got = topK(Float32Array.from(scores), k).map((h) => h.doc);
        expect(got).toEqual(byHand(scores, k));
      }
    }
  });
});
