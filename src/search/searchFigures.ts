/**
 * Search latency figures for one stored index, shared by `cli search` and the scale benchmark:
 * exhaustive MaxSim one query at a time on one thread and on a pool of workers, and two-stage
 * search (binary prefilter, C candidates re-ranked exactly) with its top-10 agreement with
 * exhaustive search and, where relevance is known, recall@10.
 */
import { topK, type Hit, type VectorSet } from '../core/maxsim.ts';
import type { Judgments } from '../core/metrics.ts';
import { kernelView, placeStored, queryForStorage, scoreStored, type StoredCorpus } from '../core/storage/stored.ts';
import { MaxSimPool, type WorkerLike } from '../kernels/pool.ts';
import { kernelStatus } from '../kernels/space.ts';
import { BinaryPrefilter } from './prefilter.ts';

export interface SearchFigures {
  kernels: string;
  documents: number;
  queries: number;
  queryTokens: number;
  exhaustive: { threads: number; msPerQuery: number; recallAt10: number | null }[];
  /** Why the pool did not run, when it did not. */
  poolNote?: string;
  prefilter?: { buildMs: number; bytes: number };
  twoStage: { candidates: number; msPerQuery: number; recallVsExhaustive: number; recallAt10: number | null }[];
}

function recall(top: Hit[][], queries: readonly VectorSet[], qrels: ReadonlyMap<string, Judgments> | undefined, ids: string[]): number | null {
  if (!qrels || qrels.size === 0) return null;
  let found = 0;
  let judged = 0;
  queries.forEach((q, i) => {
    const rel = qrels.get(q.id);
    if (!rel) return;
    judged++;
    if (top[i].slice(0, 10).some((h) => (rel.get(ids[h.doc]) ?? 0) > 0)) found++;
  });
  return judged ? found / judged : null;
}

export async function searchFigures(
  stored: StoredCorpus,
  queries: readonly VectorSet[],
  qrels: ReadonlyMap<string, Judgments> | undefined,
  options: { threads: number; candidates: number[]; spawn?: () => WorkerLike },
): Promise<SearchFigures> {
  const shared = options.threads > 1 ? placeStored(stored, { threads: options.threads }) : stored;
  const qs = queries.map((q) => ({ id: q.id, n: q.n, d: q.d, data: queryForStorage(q.data, q.n, stored.d, stored.storage) }));
  const figures: SearchFigures = { kernels: kernelStatus(), documents: stored.ids.length, queries: qs.length, queryTokens: qs[0]?.n ?? 0, exhaustive: [], twoStage: [] };
  if (qs.length === 0) return figures;
  const scores = new Float32Array(stored.ids.length);
  topK(scoreStored(qs[0].data, qs[0].n, shared, scores), 10); // warm up (code and pages)
  const exhaustive: Hit[][] = [];
  let t = performance.now();
  for (const q of qs) exhaustive.push(topK(scoreStored(q.data, q.n, shared, scores), 10));
  figures.exhaustive.push({ threads: 1, msPerQuery: (performance.now() - t) / qs.length, recallAt10: recall(exhaustive, qs, qrels, stored.ids) });
  if (options.threads > 1) {
    const pool = options.spawn ? await MaxSimPool.create(kernelView(shared), options.spawn, options.threads) : null;
    if (!pool) figures.poolNote = options.spawn ? 'no shared WebAssembly memory for this index (binary storage, or kernels off)' : 'no way to start workers here';
    else {
      try {
        await pool.score(qs[0].data, qs[0].n, scores);
        const tops: Hit[][] = [];
        t = performance.now();
        for (const q of qs) tops.push(topK(await pool.score(q.data, q.n, scores), 10));
        figures.exhaustive.push({ threads: pool.threads, msPerQuery: (performance.now() - t) / qs.length, recallAt10: recall(tops, qs, qrels, stored.ids) });
      } finally {
        pool.close();
      }
    }
  }
  if (options.candidates.length) {
    t = performance.now();
    const pf = BinaryPrefilter.build(shared);
    figures.prefilter = { buildMs: performance.now() - t, bytes: pf.bytes };
    for (const c of options.candidates) {
      pf.search(qs[0].data, qs[0].n, 10, c);
      t = performance.now();
      const tops = qs.map((q) => pf.search(q.data, q.n, 10, c).hits);
      const msPerQuery = (performance.now() - t) / qs.length;
      let kept = 0;
      tops.forEach((hits, i) => {
        const ex = new Set(exhaustive[i].map((h) => h.doc));
        kept += hits.filter((h) => ex.has(h.doc)).length / Math.max(1, ex.size);
      });
      figures.twoStage.push({ candidates: c, msPerQuery, recallVsExhaustive: kept / qs.length, recallAt10: recall(tops, qs, qrels, stored.ids) });
    }
  }
  return figures;
}

/** The figures as lines for a terminal. */
export function formatSearchFigures(f: SearchFigures): string[] {
  const lines = [`${f.documents.toLocaleString('en')} documents, ${f.queries} queries of ${f.queryTokens} tokens; ${f.kernels}`];
  for (const e of f.exhaustive) lines.push(`  exhaustive MaxSim, ${e.threads} thread${e.threads > 1 ? 's' : ''}: ${e.msPerQuery.toFixed(2)} ms per query${e.recallAt10 === null ? '' : `, recall@10 ${e.recallAt10.toFixed(3)}`}`);
  if (f.poolNote) lines.push(`  (no worker pool: ${f.poolNote})`);
  if (f.prefilter) lines.push(`  two-stage: sign bits built in ${f.prefilter.buildMs.toFixed(0)} ms, ${(f.prefilter.bytes / 2 ** 20).toFixed(1)} MiB; one thread per query:`);
  for (const s of f.twoStage)
    lines.push(`    C = ${String(s.candidates).padStart(6)}: ${s.msPerQuery.toFixed(2).padStart(7)} ms per query, ${(s.recallVsExhaustive * 100).toFixed(1)}% of exhaustive's top 10${s.recallAt10 === null ? '' : `, recall@10 ${s.recallAt10.toFixed(3)}`}`);
  return lines;
}
