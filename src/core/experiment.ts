/**
 * The experiment grid: methods x budgets -> retrieval metrics, token utilisation, index bytes and
 * compression time. Pure and synchronous per step; progress and cancellation are checked between
 * documents so the same code serves a worker (with an AbortSignal) and the command line.
 */
import { Bootstrap, DEFAULT_LEVEL, DEFAULT_RESAMPLES } from './bootstrap.ts';
import { asStored, cellMetrics, checkInput, compressCell, inPlace, scoreInChunks, searchCell, uncompressedReference, type GivenScores } from './gridSteps.ts';
import type { Judgments } from './metrics.ts';
import { formatMethodSpec, methodSpecLabel, type MethodSpec } from './methodSpec.ts';
import { packCorpus, type PackedCorpus, type VectorSet } from './maxsim.ts';
import type { MultiVector } from './multivector.ts';
import type { CompressResult } from './compress.ts';
import { documentSeed } from './rng.ts';
import { checkGrid } from './settingLimits.ts';
import { gridWork, WorkDone } from './gridWork.ts';
import type { EvalStorage } from './storage/stored.ts';
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

export type { DocumentFailure } from './gridSteps.ts';
import type { DocumentFailure } from './gridSteps.ts';

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
  /** Threads the compression ran on (a pool of workers; 1 when absent). */
  compressThreads?: number;
}

export type ExperimentProgress =
  | { stage: 'validate'; done: number; total: number }
  /** `fraction`: the share of the whole run's estimated work done (gridWork.ts), for the progress bar and the time left. */
  | { stage: 'compress'; method: string; budget: number | null; done: number; total: number; cell: number; cells: number; fraction?: number }
  | { stage: 'search'; method: string; budget: number | null; storage?: EvalStorage; done: number; total: number; cell: number; cells: number; fraction?: number }
  /** A cell scored: its rows (one per storage type), and everything else of the result, for the charts to draw the grid so far. */
  | { stage: 'rows'; rows: ExperimentRow[]; partial: Omit<ExperimentResult, 'rows'>; cell: number; cells: number }
  | { stage: 'done'; rows: number };

export interface RunOptions {
  onProgress?: (p: ExperimentProgress) => void;
  signal?: AbortSignal;
  /** Emit a progress event at most every this many documents or queries. */
  progressEvery?: number;
}

/** A cell compressed, and (from a pool) the fp32 scores of every query over it. */
export interface CompressedCell {
  compressed: CompressResult[];
  sources: Record<string, number>;
  compressMs: number;
  scores?: GivenScores;
}

/** Compresses (and scores) a cell somewhere else (a pool of workers); undefined: compress it on this thread. */
export type CellCompressor = (spec: MethodSpec, budget: number | null, onDoc: (done: number) => void) => Promise<CompressedCell> | undefined;

/**
 * Starts a compressor for the checked documents of a run (of dimension d) and its queries; closed
 * when the run ends. `reference` scores every query over the uncompressed documents.
 */
export type CompressorFactory = (
  docs: MultiVector[],
  d: number,
  queries: readonly VectorSet[],
) => Promise<{ threads: number; compress: CellCompressor; reference(onDocs: (done: number) => void): Promise<GivenScores>; close(): void }>;

/** Cells a pool compresses ahead of the one being scored here (their compressed vectors wait in memory). */
export const CELLS_AHEAD = 4;

export function runExperiment(input: ExperimentInput, config: ExperimentConfig, opts: RunOptions = {}): ExperimentResult {
  const grid = new GridRun(input, config, opts);
  grid.reference();
  grid.cells.forEach((cell, i) => grid.score(i, grid.compressHere(i, cell.spec, cell.budget)));
  return grid.finish();
}

/**
 * The same grid with the compression of each cell handed to `compressor` (a pool of workers) where
 * it takes it; everything else runs here, in the same order, so the result equals runExperiment's.
 */
export async function runExperimentAsync(input: ExperimentInput, config: ExperimentConfig, opts: RunOptions & { compressor?: CompressorFactory } = {}): Promise<ExperimentResult> {
  const grid = new GridRun(input, config, opts);
  const pool = grid.docs.length > 1 ? await opts.compressor?.(grid.docs, grid.d, input.queries) : undefined;
  // A cancel stops the workers at once, not after the cell they are on.
  const stop = () => pool?.close();
  opts.signal?.addEventListener('abort', stop, { once: true });
  const start = (i: number) => {
    const { spec, budget } = grid.cells[i];
    const p = pool?.compress(spec, budget, (done) => grid.progress(i, 'compress', done, grid.docs.length));
    p?.catch(() => undefined); // awaited (and thrown) below; not an unhandled rejection meanwhile
    return p;
  };
  try {
    grid.reference(pool && (await pool.reference((done) => grid.progressReference(done))));
    // The pool compresses and scores the next cells while this thread ranks and measures the current one.
    const ahead = grid.cells.slice(0, CELLS_AHEAD).map((_, i) => start(i));
    for (const [i, { spec, budget }] of grid.cells.entries()) {
      opts.signal?.throwIfAborted();
      const elsewhere = ahead.shift();
      if (i + CELLS_AHEAD < grid.cells.length) ahead.push(start(i + CELLS_AHEAD));
      grid.score(i, elsewhere ? await elsewhere : grid.compressHere(i, spec, budget));
    }
  } finally {
    opts.signal?.removeEventListener('abort', stop);
    pool?.close();
  }
  return { ...grid.finish(), compressThreads: pool?.threads ?? 1 };
}

/** One run of the grid: the checked input, the reference, the bootstrap, and the rows so far. */
class GridRun {
  readonly cells: { spec: MethodSpec; budget: number | null }[];
  readonly docs: MultiVector[];
  private readonly failures: DocumentFailure[];
  readonly d: number;
  private ref!: ReturnType<typeof uncompressedReference>;
  private readonly bootstrap: Bootstrap;
  private readonly every: number;
  private readonly rows: ExperimentRow[] = [];
  private readonly workDone: WorkDone;
  // Work a method shares across its budgets (Ward's tree), per document, for the method in progress.
  private shared = { method: '', memo: [] as Map<string, unknown>[] };

  constructor(
    private readonly input: ExperimentInput,
    private readonly config: ExperimentConfig,
    private readonly opts: RunOptions,
  ) {
    // "--ks 10,10" is one cutoff, not two (a repeated k would count twice in every mean).
    this.config = config = { ...config, ks: [...new Set(config.ks)] };
    checkGrid(config.methods.length, config.budgets.length, (config.storages ?? ['fp32']).length);
    this.every = opts.progressEvery ?? 16;
    ({ docs: this.docs, failures: this.failures, d: this.d } = checkInput(input, (i) => i % this.every === 0 && opts.onProgress?.({ stage: 'validate', done: i + 1, total: input.docs.length })));
    this.cells = gridCells(config);
    const queryTokens = input.queries.reduce((s, q) => s + q.n, 0);
    this.workDone = new WorkDone(gridWork(this.docs.map((x) => x.n), this.d, queryTokens, input.queries.length, this.cells, (config.storages ?? ['fp32']).length));
    // One bootstrap for the whole grid: the same seed, hence the same resampled query indices, for
    // every row, so rows can be compared pair by pair.
    this.bootstrap = new Bootstrap({ resamples: config.resamples ?? DEFAULT_RESAMPLES, seed: documentSeed(config.seed, 'bootstrap'), level: DEFAULT_LEVEL });
  }

  /** The uncompressed index's scores: computed here, or `given` by a pool. */
  reference(given?: GivenScores): void {
    const scores = given ?? scoreInChunks(this.docs, this.input.queries, (done) => this.progressReference(done));
    this.ref = uncompressedReference(this.docs, this.input.queries, this.input.qrels, Math.max(...this.config.ks), scores);
  }

  /** Documents scored for the reference (on a pool; the reference is the uncompressed cell's search). */
  progressReference(done: number): void {
    const total = this.docs.length;
    const cell = this.cells.findIndex((c) => c.spec.method === 'none');
    const fraction = this.workDone.advance('reference', total ? done / total : 1);
    this.opts.onProgress?.({ stage: 'search', method: 'none', budget: null, done, total, cell: Math.max(0, cell), cells: this.cells.length, fraction });
  }

  private common(i: number) {
    const { spec, budget } = this.cells[i];
    return { method: formatMethodSpec(spec), budget, cell: i, cells: this.cells.length };
  }

  progress(i: number, stage: 'compress', done: number, total: number): void {
    if (done % this.every === 0 || done === total) this.opts.onProgress?.({ stage, ...this.common(i), done, total, fraction: this.workDone.advance({ cell: i, half: 'compress' }, done / total) });
  }

  /** A cell compressed on this thread (H-Pool's trees kept for the method's next budget). */
  compressHere(i: number, spec: MethodSpec, budget: number | null) {
    const method = formatMethodSpec(spec);
    if (this.shared.method !== method) this.shared = { method, memo: this.docs.map(() => new Map()) };
    return compressCell(this.docs, spec, budget, {
      seed: this.config.seed, d: this.d, signal: this.opts.signal, memo: this.shared.memo,
      onDoc: (k) => (k % this.every === 0 || k === this.docs.length - 1) && this.progress(i, 'compress', k + 1, this.docs.length),
    });
  }

  /** Scores a compressed cell in every storage type: one row each. */
  score(i: number, cell: CompressedCell): void {
    const { input, config, d, docs, ref, bootstrap, opts, every } = this;
    const { spec, budget } = this.cells[i];
    const common = this.common(i);
    const first = this.rows.length;
    let packed: PackedCorpus | undefined;
    const storages = config.storages ?? ['fp32'];
    for (const [si, storage] of storages.entries()) {
      const given = storage !== 'fp32' ? undefined : spec.method === 'none' ? { scores: ref.scores, ms: ref.searchMs } : cell.scores;
      // Scores given in fp32: the vectors stay where they are (no copy of the corpus), else packed once.
      const { corpus, bytes, queries, rows } = given ? inPlace(cell.compressed, input.queries) : { ...asStored((packed ??= packCorpus(cell.compressed)), storage, config.seed, input.queries, d), rows: undefined };
      const search = searchCell(corpus, queries, ref, config.ks, {
        signal: opts.signal,
        given,
        onQuery: (q) =>
          (q % every === 0 || q === queries.length - 1) &&
          opts.onProgress?.({ stage: 'search', ...common, storage, done: q + 1, total: queries.length, fraction: this.workDone.advance({ cell: i, half: 'search' }, (si + (q + 1) / queries.length) / storages.length) }),
      });
      const { summary, perQuery, intervals } = cellMetrics(search.rankings, queries, input.qrels, config.ks, search.fidelityPerQuery, bootstrap);
      const utilization = tokenUtilization({ corpus, rows, compressed: cell.compressed, positions: docs.map((x) => x.positions), tileShapes: docs.map((x) => x.grid?.tiles), queries, qrels: ref.utilizationPairs });
      const vectors = corpus.offsets[corpus.ids.length];
      const per = (x: number, n: number) => (n ? x / n : 0);
      this.rows.push({
        method: common.method, label: methodSpecLabel(spec), budget, storage, documents: docs.length, storedVectors: vectors, vectorsPerDoc: per(vectors, docs.length),
        bytes, bytesPerDoc: per(bytes, docs.length), compressMsPerDoc: per(cell.compressMs, docs.length), searchMsPerQuery: per(search.searchMs, queries.length),
        metrics: summary.means, judgedQueries: summary.judged, unjudgedQueries: summary.unjudged, utilization, fidelity: search.fidelity, intervals, perQuery, saliencySources: cell.sources,
      });
    }
    this.workDone.advance({ cell: i, half: 'compress' }, 1);
    this.workDone.advance({ cell: i, half: 'search' }, 1);
    if (this.opts.onProgress) this.opts.onProgress({ stage: 'rows', rows: this.rows.slice(first), partial: this.header(), cell: i, cells: this.cells.length });
  }

  finish(): ExperimentResult {
    this.opts.onProgress?.({ stage: 'done', rows: this.rows.length });
    return { ...this.header(), rows: this.rows };
  }

  /** The result but its rows. */
  private header(): Omit<ExperimentResult, 'rows'> {
    const { input, config, docs, bootstrap } = this;
    return {
      engineVersion: ENGINE_VERSION,
      config,
      dimension: this.d,
      documents: docs.length,
      tokens: docs.reduce((s, x) => s + x.n, 0),
      queries: input.queries.length,
      queryIds: input.queries.map((q) => q.id),
      bootstrap: { resamples: bootstrap.resamples, seed: bootstrap.seed, level: bootstrap.level },
      failures: this.failures,
    };
  }
}

/** The grid's cells: the uncompressed reference once, every other method at every budget. */
export function gridCells(config: Pick<ExperimentConfig, 'methods' | 'budgets'>): { spec: MethodSpec; budget: number | null }[] {
  return config.methods.flatMap((spec): { spec: MethodSpec; budget: number | null }[] => (spec.method === 'none' ? [{ spec, budget: null }] : config.budgets.map((b) => ({ spec, budget: b }))));
}
