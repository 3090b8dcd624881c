/**
 * k-means over many documents in lock-step, so the heavy step (every token against every
 * centroid of its document) can run for the whole batch at once, on the GPU (src/gpu/gpuAssign.ts)
 * or on the CPU. Seeding, empty-cluster repair, centroid update and the stopping rule are the
 * ones of methods/kmeans.ts, with the same per-document random stream, so with the CPU assigner
 * the output is identical to compressDocument(doc, kmeans, m).
 */
import { compressDocument, dropEmpty, type CompressResult } from './compress.ts';
import { normalizeRowInPlace, normalizeRows, poolByGroup, assignToNearest } from './linalg.ts';
import { parseMethodSpec } from './methodSpec.ts';
import { kmeans, kmeansPlusPlus, repairEmptyClusters } from './methods/kmeans.ts';
import { validateDocument, type MultiVector } from './multivector.ts';
import { documentSeed, mulberry32 } from './rng.ts';

export interface AssignJob {
  /** n x d unit tokens, m x d centroids; the assigner fills assignment and similarity. */
  points: Float32Array;
  n: number;
  centroids: Float32Array;
  m: number;
  d: number;
  assignment: Int32Array;
  similarity: Float32Array;
}

/** Fills every job's assignment (most similar centroid, ties to the lower index) and similarity. */
export type BatchAssigner = (jobs: readonly AssignJob[]) => Promise<void> | void;

export const cpuAssigner: BatchAssigner = (jobs) => {
  for (const j of jobs) assignToNearest(j.points, j.n, j.centroids, j.m, j.d, j.assignment, j.similarity);
};

export async function kmeansBatch(
  docs: readonly MultiVector[],
  m: number,
  opts: { seed: number; iterations?: number; expectedD?: number },
  assign: BatchAssigner,
): Promise<CompressResult[]> {
  const maxIter = opts.iterations ?? Number(kmeans.defaults.iterations);
  const results: (CompressResult | undefined)[] = docs.map((doc) => {
    validateDocument(doc, opts.expectedD);
    // Short documents are kept as they are, exactly as compressDocument does.
    return m >= doc.n ? compressDocument(doc, parseMethodSpec('kmeans'), m, { seed: opts.seed, expectedD: opts.expectedD }) : undefined;
  });
  const states = docs.flatMap((doc, i) => {
    if (results[i]) return [];
    const { n, d } = doc;
    const unit = normalizeRows(doc.data, n, d);
    const rng = mulberry32(documentSeed(opts.seed, doc.id));
    const job: AssignJob = { points: unit, n, centroids: kmeansPlusPlus(unit, n, d, m, rng), m, d, assignment: new Int32Array(n).fill(-1), similarity: new Float32Array(n) };
    return [{ i, job, previous: new Int32Array(n), done: false }];
  });
  for (let iter = 0; iter < maxIter; iter++) {
    const active = states.filter((s) => !s.done);
    if (active.length === 0) break;
    for (const s of active) s.previous.set(s.job.assignment);
    await assign(active.map((s) => s.job));
    for (const s of active) {
      const { job } = s;
      repairEmptyClusters(job.assignment, job.similarity, m);
      const { pooled } = poolByGroup(job.points, job.n, job.d, job.assignment, m);
      for (let c = 0; c < m; c++) normalizeRowInPlace(pooled, c, job.d);
      job.centroids.set(pooled);
      if (iter > 0 && job.assignment.every((a, t) => a === s.previous[t])) s.done = true;
    }
  }
  for (const { i, job } of states) {
    const kept = dropEmpty(job.centroids, m, job.d, job.assignment);
    results[i] = { id: docs[i].id, d: job.d, sourceTokens: job.n, n: kept.k, data: kept.data, assignments: kept.assignments };
  }
  return results as CompressResult[];
}
