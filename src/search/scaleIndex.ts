/**
 * Build a large compressed index as a stream (each document generated, compressed, encoded and
 * dropped), then search it on the CPU or the GPU and report latency, throughput, memory and
 * quality. Runs in the search worker (the page's scale test) and in Node (npm run bench).
 */
import { topK, type Hit, type VectorSet } from '../core/maxsim.ts';
import type { Judgments } from '../core/metrics.ts';
import type { ScaleCorpus } from '../core/scaleCorpus.ts';
import { bytesPerVector, kernelView, STORAGE_TYPES, queryForStorage, scoreStored, scoreStoredBatch, type StorageType, type StoredCorpus } from '../core/storage/stored.ts';

/** Queries as the storage type scores them (binarised for binary). */
const queryBatch = (queries: readonly VectorSet[], stored: StoredCorpus) => queries.map((q) => ({ n: q.n, data: queryForStorage(q.data, q.n, stored.d, stored.storage) }));
import type { GpuContext } from '../gpu/device.ts';
import { GpuUnavailableError } from '../gpu/device.ts';
import { GpuIndex, gpuUnsupported } from '../gpu/gpuIndex.ts';
import { MaxSimPool, type WorkerLike } from '../kernels/pool.ts';
import { KernelSpace, kernelStatus, sharedKernelsAvailable } from '../kernels/space.ts';
import { BinaryPrefilter } from './prefilter.ts';
import { ScaleBuild, type BuildHooks } from './scaleBuild.ts';
import { agreement, type BackendTiming, type BuildOptions, type BuildStats, type SearchReport, type TwoStageReport } from './scaleReport.ts';

export * from './scaleReport.ts';

const now = () => performance.now();

export class ScaleIndex {
  private pool?: Promise<MaxSimPool | null>;
  private prefilter?: BinaryPrefilter;
  /** Starts one pool worker (Node's worker_threads or a Web Worker); set by whoever runs the index. */
  spawn?: () => WorkerLike;
  private gpuIndex?: GpuIndex;
  private gpuUploadMs = 0;
  private baselineRecall?: number;
  readonly queries: VectorSet[];
  readonly qrels: Map<string, Judgments>;

  private constructor(
    readonly options: BuildOptions,
    readonly stored: StoredCorpus,
    readonly baseline: StoredCorpus | undefined,
    readonly stats: BuildStats,
    corpus: ScaleCorpus,
  ) {
    ({ queries: this.queries, qrels: this.qrels } = corpus.queries());
  }

  static async build(options: BuildOptions, hooks: BuildHooks = {}): Promise<ScaleIndex> {
    const build = new ScaleBuild(options, hooks);
    const { stored, baseline, stats } = await build.run();
    const index = new ScaleIndex(options, stored, baseline, stats, build.corpus);
    index.spawn = hooks.spawn;
    return index;
  }

  /** Bytes per document each storage type would take for this index's vectors. */
  bytesPerDocByStorage(): Record<StorageType, number> {
    const { d } = this.stored;
    const per = this.stats.vectors / this.stats.documents;
    return Object.fromEntries(STORAGE_TYPES.map((s) => [s, per * bytesPerVector(s, d)])) as Record<StorageType, number>;
  }

  /** The worker pool over the compressed index, when more than one thread was asked for and can be had. */
  private async cpuPool(): Promise<{ pool: MaxSimPool | null; note?: string }> {
    const threads = this.options.threads ?? 1;
    if (threads <= 1) return { pool: null };
    if (!this.spawn) return { pool: null, note: `${threads} threads asked for, but this context cannot start workers: one thread searched` };
    if (!KernelSpace.of(this.stored.vectors)?.shared)
      return { pool: null, note: `${threads} threads asked for, but there is no shared WebAssembly memory here (${sharedKernelsAvailable() ? 'binary storage is scored in TypeScript' : 'the page is not cross-origin isolated, or the engine lacks WebAssembly threads'}): one thread searched` };
    this.pool ??= MaxSimPool.create(kernelView(this.stored), this.spawn, threads);
    const pool = await this.pool;
    return pool ? { pool } : { pool: null, note: 'the worker pool could not start: one thread searched' };
  }

  /** Stops the pool's workers (the index stays usable on one thread). */
  close(): void {
    void this.pool?.then((p) => p?.close());
    this.pool = undefined;
  }

  private async pooledSearch(pool: MaxSimPool, stored: StoredCorpus, k: number): Promise<{ top: Hit[][]; timing: BackendTiming }> {
    const queries = queryBatch(this.queries, stored);
    const scores = new Float32Array(stored.ids.length);
    await pool.score(queries[0].data, queries[0].n, scores); // the workers' first call compiles their code
    const t0 = now();
    const top: Hit[][] = [];
    for (const q of queries) top.push(topK(await pool.score(q.data, q.n, scores), k));
    const totalMs = now() - t0;
    const t1 = now();
    topK(await pool.score(queries[0].data, queries[0].n, scores), k);
    const singleQueryMs = now() - t1;
    return { top, timing: { totalMs, msPerQuery: totalMs / queries.length, queriesPerSecond: (1000 * queries.length) / totalMs, singleQueryMs, threads: pool.threads, kernels: kernelStatus() } };
  }

  /** Exhaustive then two-stage, one query at a time each, with the recall of the second against the first. */
  private twoStageSearch(candidates: number, exhaustive: Hit[][], exhaustiveMs: number, exhaustiveThreads: number): { report: TwoStageReport; top: Hit[][] } {
    this.prefilter ??= BinaryPrefilter.build(this.stored);
    const pf = this.prefilter;
    const queries = queryBatch(this.queries, this.stored);
    pf.search(queries[0].data, queries[0].n, 10, candidates); // warm up
    const t0 = now();
    const top = queries.map((q) => pf.search(q.data, q.n, Math.max(10, exhaustive[0]?.length ?? 10), candidates).hits);
    const msPerQuery = (now() - t0) / queries.length;
    let shared = 0;
    top.forEach((hits, i) => {
      const ex = new Set(exhaustive[i].slice(0, 10).map((h) => h.doc));
      shared += hits.slice(0, 10).filter((h) => ex.has(h.doc)).length / Math.max(1, ex.size);
    });
    const report: TwoStageReport = {
      candidates, msPerQuery, recallVsExhaustive: shared / Math.max(1, queries.length), recallAt10: this.recall(top, this.stored.ids),
      prefilterBuildMs: pf.buildMs, prefilterBytes: pf.bytes, exhaustiveMsPerQuery: exhaustiveMs, exhaustiveThreads,
    };
    return { report, top };
  }

  private cpuSearch(stored: StoredCorpus, k: number): { top: Hit[][]; timing: BackendTiming } {
    const scores = new Float32Array(stored.ids.length);
    // The batch: every query in one pass over the index (fp16 and int8 decode each document once).
    const t0 = now();
    const top = scoreStoredBatch(queryBatch(this.queries, stored), stored).map((s) => topK(s, k));
    const totalMs = now() - t0;
    const t1 = now();
    const [first] = queryBatch(this.queries.slice(0, 1), stored);
    topK(scoreStored(first.data, first.n, stored, scores), k);
    const singleQueryMs = now() - t1;
    return { top, timing: { totalMs, msPerQuery: totalMs / this.queries.length, queriesPerSecond: (1000 * this.queries.length) / totalMs, singleQueryMs, threads: 1, kernels: kernelStatus() } };
  }

  /** Recall@10 of each query's own document, for hits over an index with these ids. */
  recall(top: Hit[][], ids: string[]): number {
    let found = 0;
    this.queries.forEach((q, i) => {
      const rel = this.qrels.get(q.id)!;
      if (top[i].slice(0, 10).some((h) => rel.has(ids[h.doc]))) found++;
    });
    return found / this.queries.length;
  }

  async search(opts: { backend: 'cpu' | 'gpu' | 'both'; k: number; gpu?: () => Promise<GpuContext>; maxBindingBytes?: number; candidates?: number }): Promise<SearchReport> {
    const { stored } = this;
    const k = Math.min(opts.k, stored.ids.length);
    let cpu: { top: Hit[][]; timing: BackendTiming } | undefined;
    let gpu: { top: Hit[][]; timing: SearchReport['gpu'] } | undefined;
    let fallback: string | undefined;
    if (opts.backend !== 'cpu') {
      try {
        gpu = await this.gpuSearch(k, opts);
      } catch (err) {
        if (!(err instanceof GpuUnavailableError)) throw err;
        fallback = `WebGPU search was not possible (${err.message}); the CPU answered`;
        this.dropGpu();
      }
    }
    if (opts.backend !== 'gpu' || !gpu) {
      const { pool, note } = await this.cpuPool();
      cpu = pool ? await this.pooledSearch(pool, stored, k) : this.cpuSearch(stored, k);
      if (note) cpu.timing.threadsNote = note;
    }
    const answer = gpu ?? cpu!;
    const report: SearchReport = {
      backend: opts.backend,
      k,
      queries: this.queries.length,
      ...(cpu ? { cpu: cpu.timing } : {}),
      ...(gpu ? { gpu: gpu.timing } : {}),
      ...(fallback ? { fallback } : {}),
      recallAt10: this.recall(answer.top, stored.ids),
      example: answer.top[0].map((h) => ({ id: stored.ids[h.doc], score: h.score })),
    };
    if (this.baseline) {
      // The baseline does not change between searches: scored once.
      this.baselineRecall ??= this.recall(this.cpuSearch(this.baseline, Math.min(10, this.baseline.ids.length)).top, this.baseline.ids);
      report.baselineRecallAt10 = this.baselineRecall;
    }
    report.topk = { ...(cpu ? { cpu: cpu.top } : {}), ...(gpu ? { gpu: gpu.top } : {}) };
    if (cpu && gpu) report.agreement = agreement(cpu.top, gpu.top);
    if (opts.candidates && opts.candidates > 0) {
      // Exhaustive on the CPU is the reference (scored now if only the GPU searched).
      const exhaustive = cpu ?? this.cpuSearch(stored, Math.max(10, k));
      const two = this.twoStageSearch(Math.min(opts.candidates, stored.ids.length), exhaustive.top, exhaustive.timing.singleQueryMs, exhaustive.timing.threads ?? 1);
      report.twoStage = two.report;
      report.topk.twoStage = two.top;
    }
    return report;
  }

  private async gpuSearch(k: number, opts: { gpu?: () => Promise<GpuContext>; maxBindingBytes?: number }) {
    if (!opts.gpu) throw new GpuUnavailableError('no WebGPU here');
    const why = gpuUnsupported(this.stored);
    if (why) throw new GpuUnavailableError(why);
    const ctx = await opts.gpu();
    if (!this.gpuIndex || this.gpuIndex.ctx !== ctx) {
      this.dropGpu();
      const t = now();
      this.gpuIndex = await GpuIndex.upload(ctx, this.stored, { maxBindingBytes: opts.maxBindingBytes });
      this.gpuUploadMs = now() - t;
    }
    const index = this.gpuIndex;
    const queries = this.queries.map((q) => ({ n: q.n, data: queryForStorage(q.data, q.n, this.stored.d, this.stored.storage) }));
    await index.search(queries.slice(0, 1), k); // compile the pipelines and warm up
    const t0 = now();
    const { top } = await index.search(queries, k);
    const totalMs = now() - t0;
    const t1 = now();
    await index.search(queries.slice(0, 1), k);
    const singleQueryMs = now() - t1;
    return {
      top,
      timing: {
        totalMs, msPerQuery: totalMs / queries.length, queriesPerSecond: (1000 * queries.length) / totalMs, singleQueryMs,
        uploadMs: this.gpuUploadMs, adapter: ctx.adapter, software: ctx.software, chunks: index.chunkCount, gpuBytes: index.gpuBytes,
      },
    };
  }

  dropGpu(): void {
    this.gpuIndex?.destroy();
    this.gpuIndex = undefined;
  }

  /** Bytes this index holds in memory (vectors, scales, offsets; baseline included) and on the GPU, and where the compressed index lives. */
  memory(): { cpuBytes: number; gpuBytes: number; wasm: 'shared' | 'unshared' | 'none' } {
    const held = (s?: StoredCorpus) => (s ? s.vectors.byteLength + (s.scales?.byteLength ?? 0) + s.offsets.byteLength : 0);
    const space = KernelSpace.of(this.stored.vectors);
    return { cpuBytes: held(this.stored) + held(this.baseline), gpuBytes: this.gpuIndex?.gpuBytes ?? 0, wasm: space ? (space.shared ? 'shared' : 'unshared') : 'none' };
  }
}
