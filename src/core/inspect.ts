/**
 * One query against one compressed index, in detail: the ranking, the query's nDCG@10 and
 * recall@10 when it is judged, and for one document which stored vector won each query token's
 * MaxSim and which input tokens were pooled into it. Feeds the side-by-side panels.
 */
import { allocateBudgets } from './allocation.ts';
import { compressDocument } from './compress.ts';
import { ndcgAt, recallAt, type Judgments } from './metrics.ts';
import { maxSimScores, packCorpus, topK, type PackedCorpus, type VectorSet } from './maxsim.ts';
import { parseMethodSpec } from './methodSpec.ts';
import type { CompressedDoc, MultiVector } from './multivector.ts';
import { similarityMap, type SimilarityMap } from './similarityMap.ts';

export interface Inspection {
  method: string;
  budget: number | null;
  /** Best first. */
  top: { id: string; score: number; grade: number }[];
  ndcg10: number;
  recall10: number;
  judged: boolean;
  /** The inspected document. */
  doc: {
    id: string;
    rank: number;
    score: number;
    /** Stored vectors of this document. */
    stored: number;
    /** For every input token, the stored vector it went into (-1: dropped). */
    assignments: Int32Array;
    /** For every query token, the stored vector that won its MaxSim, and the similarity. */
    winners: Int32Array;
    similarities: Float32Array;
  };
}

/** Compressed corpora are reused across queries: one per (method spec, budget, seed). */
export class CorpusInspector {
  private cache = new Map<string, { packed: PackedCorpus; compressed: CompressedDoc[] }>();

  constructor(private readonly docs: readonly MultiVector[]) {}

  private index(spec: string, budget: number | null, seed: number) {
    const key = `${spec}|${budget}|${seed}`;
    let hit = this.cache.get(key);
    if (!hit) {
      const parsed = parseMethodSpec(spec);
      const allocated = parsed.allocation && budget !== null ? allocateBudgets(this.docs, budget, parsed.allocation) : undefined;
      const compressed = this.docs.map((d, i) => compressDocument(d, parsed, budget === null ? d.n : allocated ? allocated[i] : budget, { seed }));
      hit = { packed: packCorpus(compressed), compressed };
      this.cache.set(key, hit);
    }
    return hit;
  }

  inspect(spec: string, budget: number | null, query: VectorSet, qrel: Judgments, docId: string | undefined, seed = 1, k = 5): Inspection {
    const { packed, compressed } = this.index(spec, budget, seed);
    const n = packed.ids.length;
    const scores = new Float32Array(n);
    const winners = new Int32Array(n * query.n);
    maxSimScores(query.data, query.n, packed, scores, winners);
    const ranked = topK(scores, n);
    const ranking = ranked.map((h) => packed.ids[h.doc]);
    const judged = [...qrel.values()].some((g) => g > 0);
    const target = docId && packed.ids.includes(docId) ? packed.ids.indexOf(docId) : ranked[0].doc;
    const rank = ranked.findIndex((h) => h.doc === target);
    const local = new Int32Array(query.n);
    const sims = new Float32Array(query.n);
    const d = packed.d;
    for (let t = 0; t < query.n; t++) {
      const row = winners[target * query.n + t];
      local[t] = row - packed.offsets[target];
      let s = 0;
      for (let j = 0; j < d; j++) s += query.data[t * d + j] * packed.data[row * d + j];
      sims[t] = s;
    }
    return {
      method: spec,
      budget,
      top: ranked.slice(0, k).map((h) => ({ id: packed.ids[h.doc], score: h.score, grade: qrel.get(packed.ids[h.doc]) ?? 0 })),
      ndcg10: judged ? ndcgAt(ranking, qrel, 10) : NaN,
      recall10: judged ? recallAt(ranking, qrel, 10) : NaN,
      judged,
      doc: {
        id: packed.ids[target],
        rank: rank + 1,
        score: scores[target],
        stored: packed.offsets[target + 1] - packed.offsets[target],
        assignments: compressed[target].assignments,
        winners: local,
        similarities: sims,
      },
    };
  }

  /**
   * The similarity map of one query on one document in one index (see similarityMap.ts): every
   * input token coloured by its stored vector's similarity to each query token.
   */
  map(spec: string, budget: number | null, query: VectorSet, docId: string, seed = 1): SimilarityMap & { docId: string; stored: number; assignments: Int32Array } {
    const { compressed } = this.index(spec, budget, seed);
    const c = compressed.find((x) => x.id === docId);
    if (!c) throw new Error(`no document "${docId}" in the corpus`);
    const map = similarityMap(query.data, query.n, c.data, c.n, c.d, c.assignments, c.sourceTokens);
    return { ...map, docId, stored: c.n, assignments: c.assignments };
  }
}
