/**
 * Ranking metrics with graded relevance, following trec_eval's conventions.
 *
 * Relevance judgments (qrels) give each (query, document) pair a grade; grade > 0 is relevant.
 * - Recall@k = |relevant in top k| / |relevant|. Several relevant documents: each counts once, so
 *   with 3 relevant and k = 1 the best possible recall is 1/3.
 * - nDCG@k with linear gain: DCG = sum_{rank r<=k} grade_r / log2(r + 1); the ideal DCG sorts all
 *   judged grades descending. Graded: a grade-2 document ranked first counts twice a grade-1 one.
 * - MRR@k = 1 / rank of the first relevant document within the top k, 0 if none is there.
 * Queries with no relevant document are skipped by the averages (every metric is undefined for
 * them) and counted in `unjudged`, so a mean never silently includes free zeros or ones.
 */

/** Grade of each judged document, by document id. */
export type Judgments = ReadonlyMap<string, number>;

export function recallAt(ranking: readonly string[], rel: Judgments, k: number): number {
  const relevant = [...rel.values()].filter((g) => g > 0).length;
  if (relevant === 0) return NaN;
  let hits = 0;
  for (let r = 0; r < Math.min(k, ranking.length); r++) if ((rel.get(ranking[r]) ?? 0) > 0) hits++;
  return hits / relevant;
}

export function ndcgAt(ranking: readonly string[], rel: Judgments, k: number): number {
  const grades = [...rel.values()].filter((g) => g > 0).sort((a, b) => b - a);
  if (grades.length === 0) return NaN;
  let ideal = 0;
  for (let r = 0; r < Math.min(k, grades.length); r++) ideal += grades[r] / Math.log2(r + 2);
  let dcg = 0;
  for (let r = 0; r < Math.min(k, ranking.length); r++) {
    const g = rel.get(ranking[r]) ?? 0;
    if (g > 0) dcg += g / Math.log2(r + 2);
  }
  return dcg / ideal;
}

export function reciprocalRankAt(ranking: readonly string[], rel: Judgments, k: number): number {
  if (![...rel.values()].some((g) => g > 0)) return NaN;
  for (let r = 0; r < Math.min(k, ranking.length); r++) if ((rel.get(ranking[r]) ?? 0) > 0) return 1 / (r + 1);
  return 0;
}

export interface MetricSummary {
  /** metric name ("recall@10", "ndcg@10", "mrr@10") -> mean over judged queries. */
  means: Record<string, number>;
  /**
   * metric name -> the value for each query, in the order of `queryIds` (the rankings' order);
   * NaN for a query without any relevant document. The means are the means of the non-NaN values.
   */
  perQuery: Record<string, Float64Array>;
  queryIds: string[];
  /** Queries that entered the means. */
  judged: number;
  /** Queries without any relevant document (left out of the means). */
  unjudged: number;
}

/** Means of Recall@k, nDCG@k and MRR@k over the judged queries, for each k in ks. */
export function evaluateRankings(
  rankings: ReadonlyMap<string, readonly string[]>,
  qrels: ReadonlyMap<string, Judgments>,
  ks: readonly number[],
): MetricSummary {
  const queryIds = [...rankings.keys()];
  const perQuery: Record<string, Float64Array> = {};
  for (const k of ks) for (const name of ['recall', 'ndcg', 'mrr']) perQuery[`${name}@${k}`] = new Float64Array(queryIds.length).fill(NaN);
  const sums: Record<string, number> = {};
  let judged = 0;
  let unjudged = 0;
  queryIds.forEach((qid, q) => {
    const ranking = rankings.get(qid)!;
    const rel = qrels.get(qid) ?? new Map<string, number>();
    if (![...rel.values()].some((g) => g > 0)) {
      unjudged++;
      return;
    }
    judged++;
    const add = (name: string, v: number) => {
      sums[name] = (sums[name] ?? 0) + v;
      perQuery[name][q] = v;
    };
    for (const k of ks) {
      add(`recall@${k}`, recallAt(ranking, rel, k));
      add(`ndcg@${k}`, ndcgAt(ranking, rel, k));
      add(`mrr@${k}`, reciprocalRankAt(ranking, rel, k));
    }
  });
  const means: Record<string, number> = {};
  for (const [name, s] of Object.entries(sums)) means[name] = s / judged;
  return { means, perQuery, queryIds, judged, unjudged };
}
