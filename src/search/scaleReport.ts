/**
 * What the scale index is built with and what it reports: build options, progress and statistics,
 * search timings per backend, two-stage search figures, and the CPU/GPU agreement of two top-k
 * lists. Shapes only (and `agreement`), so the scale page and the benchmark read them without the
 * index's code.
 */
import { overlapAtK } from '../core/fidelity.ts';
import type { Hit } from '../core/maxsim.ts';
import type { ScaleSpec } from '../core/scaleCorpus.ts';
import type { StorageType } from '../core/storage/stored.ts';

export interface BuildOptions {
  spec: ScaleSpec;
  method: string;
  budget: number;
  storage: StorageType;
  /** Where k-means runs its assignment step (other methods compress on the CPU). */
  compressOn: 'cpu' | 'gpu';
  /** Also keep the uncompressed index (every token, same storage) for comparison. */
  keepBaseline: boolean;
  /**
   * CPU search threads: more than 1 puts the index in shared WebAssembly memory and splits each
   * query's documents across that many workers (where shared memory exists; else one thread, said
   * in the report).
   */
  threads?: number;
}

export interface BuildProgress {
  done: number;
  total: number;
  /** Bytes the growing index (and baseline) hold now. */
  bytesHeld: number;
  ms: number;
}

export interface BuildStats {
  documents: number;
  tokensIn: number;
  vectors: number;
  buildMs: number;
  compressMs: number;
  /** Payload bytes of the compressed vectors, and per document. */
  bytes: number;
  bytesPerDoc: number;
  baselineBytes?: number;
  /** Largest amount held by the index builders during the build (typed arrays we allocate). */
  peakBytesHeld: number;
  compressedOn: 'cpu' | 'gpu';
  /** Workers that generated and compressed the documents (1: this thread). compressMs sums their time. */
  buildThreads: number;
  /** Why the GPU was not used for compression when it was asked for. */
  compressFallback?: string;
  /**
   * GPU k-means checked against the CPU on the first batch: documents whose clusters came out
   * identical, and the fraction of tokens assigned to the same cluster.
   */
  gpuCheck?: { documents: number; identical: number; tokenAgreement: number };
}

export interface TwoStageReport {
  /** Candidates re-ranked exactly per query (C). */
  candidates: number;
  msPerQuery: number;
  /** Top-10 documents shared with exhaustive search, averaged over queries. */
  recallVsExhaustive: number;
  /** Recall@10 of each query's own document. */
  recallAt10: number;
  /** One-off cost of the sign bits, and what they hold. */
  prefilterBuildMs: number;
  prefilterBytes: number;
  /** Exhaustive ms per query (one query at a time) in the same search, for the ratio, and its threads. */
  exhaustiveMsPerQuery: number;
  exhaustiveThreads: number;
}

export interface BackendTiming {
  /** Wall time for all queries as one batch, and per query. */
  totalMs: number;
  msPerQuery: number;
  queriesPerSecond: number;
  /** One query alone (latency as a user typing would see it). */
  singleQueryMs: number;
  /** Threads that searched, the kernel path, and why fewer threads than asked, if so. */
  threads?: number;
  kernels?: string;
  threadsNote?: string;
}

export interface SearchReport {
  backend: 'cpu' | 'gpu' | 'both';
  k: number;
  queries: number;
  cpu?: BackendTiming;
  gpu?: BackendTiming & { uploadMs: number; adapter: string; software: boolean; chunks: number; gpuBytes: number };
  /** Set when the GPU was asked for but could not be used: the CPU answered instead. */
  fallback?: string;
  /** Recall@10 of each query's own document, over the compressed index (and the baseline). */
  recallAt10: number;
  baselineRecallAt10?: number;
  /** GPU against CPU on the same queries: largest score difference among the top k, and top-k agreement. */
  agreement?: { maxAbsScoreDiff: number; maxRelScoreDiff: number; topkOverlap: number; sameOrder: number; missing: number };
  /** The first query's hits (document id and score), from the backend that answered. */
  example: { id: string; score: number }[];
  /** The raw top-k lists of each search that ran (CPU, GPU, two-stage), so a check can compute agreement itself. */
  topk?: { cpu?: Hit[][]; gpu?: Hit[][]; twoStage?: Hit[][] };
  /** Two-stage search (binary prefilter, exact re-ranking), when asked for. */
  twoStage?: TwoStageReport;
}

/** Largest score difference over the CPU's top k (scores matched by document), and set overlap. */
export function agreement(cpu: Hit[][], gpu: Hit[][]): NonNullable<SearchReport['agreement']> {
  if (cpu.length !== gpu.length) throw new Error(`agreement: ${cpu.length} CPU result lists against ${gpu.length} GPU ones`);
  let maxAbs = 0;
  let maxRel = 0;
  let overlap = 0;
  let same = 0;
  let missing = 0;
  cpu.forEach((c, q) => {
    const g = new Map(gpu[q].map((h) => [h.doc, h.score]));
    for (const h of c) {
      const s = g.get(h.doc);
      if (s === undefined) {
        missing++; // a CPU top-k document the GPU did not return: counted, never skipped silently
        continue;
      }
      if (s === h.score) continue; // equal, infinities included
      // NaN on either side makes the difference NaN, and Math.max keeps it: a NaN is never hidden as agreement.
      maxAbs = Math.max(maxAbs, Math.abs(s - h.score));
      maxRel = Math.max(maxRel, Math.abs(s - h.score) / Math.max(1e-6, Math.abs(h.score)));
    }
    // Two empty lists agree; an empty list against a non-empty one does not.
    const o = c.length === 0 ? (gpu[q].length === 0 ? 1 : 0) : overlapAtK(gpu[q].map((h) => String(h.doc)), c.map((h) => String(h.doc)), c.length);
    overlap += o;
    same += c.length === gpu[q].length && c.every((h, i) => gpu[q][i].doc === h.doc) ? 1 : 0;
  });
  const n = Math.max(1, cpu.length);
  return { maxAbsScoreDiff: maxAbs, maxRelScoreDiff: maxRel, topkOverlap: overlap / n, sameOrder: same / n, missing };
}
