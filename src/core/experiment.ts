/**
 * The experiment grid: methods x budgets -> retrieval metrics, token utilisation, index bytes and
 * compression time. Pure and synchronous per step; progress and cancellation are checked between
 * documents so the same code serves a worker (with an AbortSignal) and the command line.
 */
import { Bootstrap, DEFAULT_LEVEL, DEFAULT_RESAMPLES } from './bootstrap.ts';
import { compressDocument, type CompressResult } from './compress.ts';
import { overlapAtK, spearman } from './fidelity.ts';
import { SettingError } from './settingError.ts';
import { evaluateRankings, type Judgments } from './metrics.ts';
import { formatMethodSpec, methodSpecLabel, type MethodSpec } from './methodSpec.ts';
import { maxSimScores, packCorpus, topK, type PackedCorpus, type VectorSet } from './maxsim.ts';
import { type MultiVector, validateDocument } from './multivector.ts';
import { documentSeed } from './rng.ts';
import { decodeCorpus, isResidual, queryForStorage, storeCorpus, storedBytes, type EvalStorage } from './storage/stored.ts';
import { RESIDUAL } from './storage/registry.ts';
import { decodeResidual, residualBytes, residualIndex } from './residual.ts';
import { allocateBudgets } from './allocation.ts';
import { tokenUtilization, type UtilizationReport } from './utilization.ts';

export const ENGINE_VERSION = '0.1.0';

export interface ExperimentInput {
  docs: readonly MultiVector[];
  queries: readonly VectorSet[];
  qrels: ReadonlyMap<string, Judgments>;
}

export interface ExperimentConfig {
  methods: readonly MethodSpec[];
  budgets: readonly number[];
  /** Cut-offs for Recall@k, nDCG@k and MRR@k. */
  ks: readonly number[];
  seed: number;
  /**
   * Storage types the compressed vectors are scored in (default fp32 only): each is a row of its
   * own, with its own bytes and metrics, so quality against bytes is measured, not assumed.
   */
  storages?: readonly EvalStorage[];
  /** Bootstrap resamples for the 95% intervals over queries (default 1000). */
  resamples?: number;
}

export const DEFAULT_BUDGETS = [4, 8, 16, 32, 64] as const;
export const DEFAULT_KS = [1, 5, 10] as const;

export interface ExperimentRow {
  /** Canonical method spec ("agc", "agc-mean", "hpool:protectFirst=true"). */
  method: string;
  label: string;
  /** The budget m, or null for the uncompressed index. */
  budget: number | null;
  /** How the stored vectors are kept (see storage.ts). */
  storage: EvalStorage;
  documents: number;
  storedVectors: number;
  vectorsPerDoc: number;
  /** Payload of the stored vectors in this storage type (int8 scales included; no offsets or ids). */
  bytes: number;
  bytesPerDoc: number;
  compressMsPerDoc: number;
  searchMsPerQuery: number;
  metrics: Record<string, number>;
  judgedQueries: number;
  unjudgedQueries: number;
  utilization: UtilizationReport;
  /**
   * Agreement with the uncompressed index, needing no judgments: mean over queries of
   * overlap@k with the uncompressed top-k ("overlap@10") and of Spearman's rho between the two
   * indexes' scores over all documents ("spearman").
   */
  fidelity: Record<string, number>;
  /**
   * 95% percentile-bootstrap interval [lo, hi] of each mean in `metrics` and `fidelity`, over
   * queries (see bootstrap.ts and ExperimentResult.bootstrap). [NaN, NaN] with no judged query.
   */
  intervals: Record<string, [number, number]>;
  /**
   * The value of each metric and fidelity measure for every query, indexed like the input
   * queries (ExperimentResult.queryIds); NaN where a retrieval metric is undefined (no relevant
   * document). An undefined fidelity value (e.g. Spearman over constant scores) is stored as 0,
   * as it enters the fidelity mean. The means above are the means of the non-NaN values; two
   * rows can be compared with pairedBootstrap(a.perQuery[m], b.perQuery[m], result.bootstrap).
   */
  perQuery: Record<string, Float64Array>;
  /** How many documents used each saliency source (methods that read saliency only). */
  saliencySources: Record<string, number>;
}

export interface DocumentFailure {
  docId: string;
  message: string;
}

export interface ExperimentResult {
  engineVersion: string;
  config: ExperimentConfig;
  dimension: number;
  documents: number;
  tokens: number;
  queries: number;
  /** Query ids, in the order of every row's perQuery values. */
  queryIds: string[];
  rows: ExperimentRow[];
  /**
   * How the intervals were made: percentile bootstrap over queries with `resamples` resamples,
   * `seed` derived from config.seed and shared by every row (so all rows are resampled over the
   * same query indices), coverage `level`.
   */
  bootstrap: { resamples: number; seed: number; level: number };
  /** Documents rejected before any method ran; the rest of the corpus was evaluated. */
  failures: DocumentFailure[];
}

export type ExperimentProgress =
  | { stage: 'validate'; done: number; total: number }
  | { stage: 'compress'; method: string; budget: number | null; done: number; total: number; cell: number; cells: number }
  | { stage: 'search'; method: string; budget: number | null; storage?: EvalStorage; done: number; total: number; cell: number; cells: number }
  | { stage: 'done'; rows: number };

export interface RunOptions {
  onProgress?: (p: ExperimentProgress) => void;
  signal?: AbortSignal;
  /** Emit a progress event at most every this many documents or queries. */
  progressEvery?: number;
}

export function runExperiment(input: ExperimentInput, config: ExperimentConfig, opts: RunOptions = {}): ExperimentResult {
  const { onProgress, signal } = opts;
  // "--ks 10,10" is one cutoff, not two (a repeated k would count twice in every mean).
  config = { ...config, ks: [...new Set(config.ks)] };
  // Rankings are kept by query id: two queries with one id would silently become one.
  const seenIds = new Set<string>();
  for (const q of input.queries) {
    if (seenIds.has(q.id)) throw new SettingError(`query id "${q.id}" appears more than once; every query needs its own id`);
    seenIds.add(q.id);
  }
  const every = opts.progressEvery ?? 16;
  const failures: DocumentFailure[] = [];
  const d = input.docs[0]?.d ?? input.queries[0]?.d ?? 0;
  const docs: MultiVector[] = [];
  input.docs.forEach((doc, i) => {
    try {
      validateDocument(doc, d);
      docs.push(doc);
    } catch (e) {
      failures.push({ docId: doc.id, message: (e as Error).message });
    }
    if (i % every === 0) onProgress?.({ stage: 'validate', done: i + 1, total: input.docs.length });
  });
  for (const q of input.queries) {
    if (q.d !== d) throw new Error(`query "${q.id}" has dimension ${q.d}, the documents have ${d}`);
  }
  const cells: { spec: MethodSpec; budget: number | null }[] = [];
  for (const spec of config.methods) {
    if (spec.method === 'none') cells.push({ spec, budget: null });
    else for (const b of config.budgets) cells.push({ spec, budget: b });
  }
  // The uncompressed index's scores and rankings: the reference for fidelity.
  const maxK = Math.max(...config.ks);
  const full = packCorpus(docs);
  const refScores = input.queries.map((q) => maxSimScores(q.data, q.n, full));
  const refRankings = refScores.map((s) => topK(s, maxK).map((h) => full.ids[h.doc]));
  // Token utilisation counts wins on relevant pairs; a query without judgments (typed queries on
  // one's own files) has none, which read as "no stored vector is ever used". For such a query the
  // pairs are the uncompressed index's top 10 instead: the documents it should keep finding.
  const utilizationPairs = new Map(input.qrels);
  input.queries.forEach((q, i) => {
    const rel = input.qrels.get(q.id);
    if (!rel || ![...rel.values()].some((g) => g > 0)) utilizationPairs.set(q.id, new Map(topK(refScores[i], 10).map((h) => [full.ids[h.doc], 1])));
  });
  const rows: ExperimentRow[] = [];
  // One bootstrap for the whole grid: the same seed, hence the same resampled query indices, for
  // every row, so rows can be compared pair by pair.
  const bootstrap = new Bootstrap({ resamples: config.resamples ?? DEFAULT_RESAMPLES, seed: documentSeed(config.seed, 'bootstrap'), level: DEFAULT_LEVEL });
  cells.forEach(({ spec, budget }, cellIndex) => {
    const method = formatMethodSpec(spec);
    const common = { method, budget, cell: cellIndex, cells: cells.length };
    const compressed: CompressResult[] = [];
    const sources: Record<string, number> = {};
    const t0 = performance.now();
    const allocated = spec.allocation && budget !== null ? allocateBudgets(docs, budget, spec.allocation) : undefined;
    docs.forEach((doc, i) => {
      signal?.throwIfAborted();
      const c = compressDocument(doc, spec, budget === null ? doc.n : allocated ? allocated[i] : budget, { seed: config.seed, expectedD: d });
      if (c.saliencySource) sources[c.saliencySource] = (sources[c.saliencySource] ?? 0) + 1;
      compressed.push(c);
      if (i % every === 0 || i === docs.length - 1) onProgress?.({ stage: 'compress', ...common, done: i + 1, total: docs.length });
    });
    const compressMs = performance.now() - t0;
    const packed = packCorpus(compressed);
    for (const storage of config.storages ?? ['fp32']) {
      // The vectors as this storage type keeps them; the query as it is scored against them.
      let corpus: PackedCorpus;
      let bytes: number;
      if (isResidual(storage)) {
        const residual = residualIndex(packed, RESIDUAL[storage].bits, config.seed);
        corpus = decodeResidual(residual);
        bytes = residualBytes(residual);
      } else {
        const stored = storeCorpus(packed, storage);
        corpus = storage === 'fp32' ? packed : decodeCorpus(stored);
        bytes = storedBytes(stored);
      }
      const queries = input.queries.map((q) => ({ ...q, data: isResidual(storage) ? q.data : queryForStorage(q.data, q.n, d, storage) }));
      const rankings = new Map<string, string[]>();
      const t1 = performance.now();
      const scores = new Float32Array(corpus.ids.length);
      const fidelitySums: Record<string, number> = {};
      const fidelityPerQuery: Record<string, Float64Array> = {};
      const fidelityCounts: Record<string, number> = {};
      const addFidelity = (key: string, v: number, q: number) => {
        // An undefined value (Spearman of a constant score list) is left out of the mean, not
        // counted as 0; its per-query value stays NaN, which the bootstrap also skips.
        fidelityPerQuery[key] ??= new Float64Array(queries.length).fill(NaN);
        fidelitySums[key] ??= 0;
        fidelityCounts[key] ??= 0;
        if (!Number.isNaN(v)) {
          fidelitySums[key] += v;
          fidelityCounts[key]++;
          fidelityPerQuery[key][q] = v;
        }
      };
      queries.forEach((q, i) => {
        signal?.throwIfAborted();
        maxSimScores(q.data, q.n, corpus, scores);
        const ranking = topK(scores, maxK).map((h) => corpus.ids[h.doc]);
        rankings.set(q.id, ranking);
        for (const k of config.ks) addFidelity(`overlap@${k}`, overlapAtK(ranking, refRankings[i], k), i);
        addFidelity('spearman', spearman(scores, refScores[i]), i);
        if (i % every === 0 || i === queries.length - 1)
          onProgress?.({ stage: 'search', ...common, storage, done: i + 1, total: queries.length });
      });
      const searchMs = performance.now() - t1;
      const fidelity: Record<string, number> = {};
      for (const [key, sum] of Object.entries(fidelitySums)) fidelity[key] = fidelityCounts[key] ? sum / fidelityCounts[key] : NaN;
      const summary = evaluateRankings(rankings, input.qrels, config.ks);
      const perQuery: Record<string, Float64Array> = {};
      // Indexed like the input queries (the rankings map is keyed by id; ids are normally unique).
      const at = new Map(summary.queryIds.map((id, j) => [id, j]));
      const position = queries.map((q) => at.get(q.id)!);
      for (const name of Object.keys(summary.means)) perQuery[name] = Float64Array.from(position, (j) => summary.perQuery[name][j]);
      for (const name of Object.keys(fidelity)) perQuery[name] = fidelityPerQuery[name];
      const intervals: Record<string, [number, number]> = {};
      for (const [name, iv] of Object.entries(bootstrap.intervals(perQuery))) intervals[name] = [iv.lo, iv.hi];
      const utilization = tokenUtilization({ corpus, compressed, positions: docs.map((x) => x.positions), queries, qrels: utilizationPairs });
      const vectors = corpus.offsets[corpus.ids.length];
      rows.push({
        method,
        label: methodSpecLabel(spec),
        budget,
        storage,
        documents: docs.length,
        storedVectors: vectors,
        vectorsPerDoc: docs.length ? vectors / docs.length : 0,
        bytes,
        bytesPerDoc: docs.length ? bytes / docs.length : 0,
        compressMsPerDoc: docs.length ? compressMs / docs.length : 0,
        searchMsPerQuery: queries.length ? searchMs / queries.length : 0,
        metrics: summary.means,
        judgedQueries: summary.judged,
        unjudgedQueries: summary.unjudged,
        utilization,
        fidelity,
        intervals,
        perQuery,
        saliencySources: sources,
      });
    }
  });
  onProgress?.({ stage: 'done', rows: rows.length });
  return {
    engineVersion: ENGINE_VERSION,
    config,
    dimension: d,
    documents: docs.length,
    tokens: docs.reduce((s, x) => s + x.n, 0),
    queries: input.queries.length,
    queryIds: input.queries.map((q) => q.id),
    rows,
    bootstrap: { resamples: bootstrap.resamples, seed: bootstrap.seed, level: bootstrap.level },
    failures,
  };
}
