/**
 * The teaching story's figures for one document and one query: MaxSim token by token on the
 * uncompressed index, the same query on AGC's m vectors, and what was lost between the two (which
 * patches won a query token before and no longer do). Pure: the teaching view only draws it.
 */
import { compressDocument } from './compress.ts';
import { explainCompression, type Explanation } from './explain.ts';
import { parseMethodSpec } from './methodSpec.ts';
import type { MultiVector } from './multivector.ts';
import { similarityMap, type SimilarityMap } from './similarityMap.ts';

export interface Story {
  agc: Explanation;
  hpool: Explanation;
  /** The query against every patch's own vector. */
  full: SimilarityMap;
  /** The query against AGC's m stored vectors, painted on the patches of each cluster. */
  compressed: SimilarityMap & { assignments: Int32Array; m: number };
  /** MaxSim scores: the sum over query tokens of each token's best similarity. */
  scoreFull: number;
  scoreCompressed: number;
  /** Patches that won a query token uncompressed and whose cluster's vector does not win that token now. */
  lost: number[];
}

export function maxSimStory(doc: MultiVector, query: { data: Float32Array; n: number }, m: number, seed = 1): Story {
  const agc = explainCompression(doc, 'agc', m, seed);
  const hpool = explainCompression(doc, 'hpool', m, seed);
  const full = similarityMap(query.data, query.n, doc.data, doc.n, doc.d, null, doc.n);
  const c = compressDocument(doc, parseMethodSpec('agc'), Math.min(m, doc.n), { seed });
  const map = similarityMap(query.data, query.n, c.data, c.n, c.d, c.assignments, doc.n);
  const lost = new Set<number>();
  for (let t = 0; t < query.n; t++) {
    const patch = full.winners[t];
    if (patch >= 0 && c.assignments[patch] !== map.winners[t]) lost.add(patch);
  }
  const sum = (v: Float32Array) => v.reduce((s, x) => s + x, 0);
  return {
    agc,
    hpool,
    full,
    compressed: { ...map, assignments: c.assignments, m: c.n },
    scoreFull: sum(full.best),
    scoreCompressed: sum(map.best),
    lost: [...lost].sort((a, b) => a - b),
  };
}
