/**
 * Build a large compressed index as a stream (each document generated, compressed, encoded and
 * dropped), then search it on the CPU or the GPU and report latency, throughput, memory and
 * quality. Runs in the search worker (the page's scale test) and in Node (npm run bench).
 */
import { IndexBuilder } from '../core/exportIndex.ts';
import { cpuAssigner, kmeansBatch, type BatchAssigner } from '../core/kmeansBatch.ts';
import { topK, type Hit, type VectorSet } from '../core/maxsim.ts';
import { formatMethodSpec, parseMethodSpec } from '../core/methodSpec.ts';
import type { Judgments } from '../core/metrics.ts';
import type { MultiVector } from '../core/multivector.ts';
import { ScaleCorpus } from '../core/scaleCorpus.ts';
import { bytesPerVector, kernelView, STORAGE_TYPES, queryForStorage, scoreStored, scoreStoredBatch, storedBytes, type StorageType, type StoredCorpus } from '../core/storage/stored.ts';

/** Queries as the storage type scores them (binarised for binary). */
const queryBatch = (queries: readonly VectorSet[], stored: StoredCorpus) => queries.map((q) => ({ n: q.n, data: queryForStorage(q.data, q.n, stored.d, stored.storage) }));
import type { GpuContext } from '../gpu/device.ts';
import { GpuUnavailableError } from '../gpu/device.ts';
import { gpuAssigner } from '../gpu/gpuAssign.ts';
import { GpuIndex, gpuUnsupported } from '../gpu/gpuIndex.ts';
import { MaxSimPool, type WorkerLike } from '../kernels/pool.ts';
import { KernelSpace, kernelStatus, sharedKernelsAvailable } from '../kernels/space.ts';
import { BinaryPrefilter } from './prefilter.ts';
import { BuildPool, type BuildBatch } from './buildPool.ts';
import { agreement, type BackendTiming, type BuildOptions, type BuildProgress, type BuildStats, type SearchReport, type TwoStageReport } from './scaleReport.ts';

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

  static async build(
    options: BuildOptions,
    hooks: { onProgress?: (p: BuildProgress) => void; signal?: AbortSignal; gpu?: () => Promise<GpuContext>; progressEvery?: number; spawn?: () => WorkerLike } = {},
  ): Promise<ScaleIndex> {
    const { spec, budget, storage } = options;
    const specParsed = parseMethodSpec(options.method);
    const corpus = new ScaleCorpus(spec);
    // Every document has spec.tokens > m tokens, so the index holds exactly docs x m vectors (at most).
    const builder = new IndexBuilder({ d: spec.d, spec: specParsed, budget, storage, seed: spec.seed, capacity: { documents: spec.docs, vectors: spec.docs * Math.min(budget, spec.tokens) }, threads: options.threads });
    const baseline = options.keepBaseline
      ? new IndexBuilder({ d: spec.d, spec: parseMethodSpec('none'), budget: null, storage, seed: spec.seed, capacity: { documents: spec.docs, vectors: spec.docs * spec.tokens, maxRows: spec.tokens } })
      : undefined;
    const t0 = now();
    let peak = 0;
    let compressedOn: 'cpu' | 'gpu' = 'cpu';
    let compressFallback: string | undefined;
    let gpuCheck: BuildStats['gpuCheck'];
    let assign: BatchAssigner | undefined;
    // k-means options as compressDocument would resolve them (kmeansBatch defaults the rest).
    const kmeansOptions = { seed: spec.seed, expectedD: spec.d, ...(specParsed.options.iterations !== undefined ? { iterations: Number(specParsed.options.iterations) } : {}) };
    if (specParsed.method === 'kmeans' && options.compressOn === 'gpu') {
      try {
        if (!hooks.gpu) throw new GpuUnavailableError('no WebGPU here');
        assign = gpuAssigner(await hooks.gpu());
        compressedOn = 'gpu';
      } catch (err) {
        compressFallback = (err as Error).message;
      }
    } else if (options.compressOn === 'gpu') {
      compressFallback = `only k-means has a GPU assignment step; ${formatMethodSpec(specParsed)} compressed on the CPU`;
    }
    const every = hooks.progressEvery ?? 500;
    const batchSize = assign ? 256 : 1;
    let compressMs = 0;
    const threads = options.threads ?? 1;
    // Several cores: workers generate and compress batches, appended here in document order.
    const pooled = threads > 1 && !!hooks.spawn && !assign && !options.keepBaseline;
    let buildThreads = 1;
    if (pooled) {
      const pool = BuildPool.start(hooks.spawn!, threads);
      buildThreads = pool.threads;
      const BATCH = 64;
      const jobs: Promise<BuildBatch>[] = [];
      let dispatched = 0;
      const dispatch = () => {
        while (dispatched < spec.docs && jobs.length < 2 * threads) {
          const from = dispatched;
          dispatched = Math.min(spec.docs, from + BATCH);
          jobs.push(pool.run({ spec, method: options.method, budget, from, to: dispatched }));
        }
      };
      try {
        let lastReport = 0;
        dispatch();
        while (jobs.length) {
          hooks.signal?.throwIfAborted();
          const batch = await jobs.shift()!;
          dispatch();
          compressMs += batch.compressMs;
          let o = 0;
          for (let i = batch.from; i < batch.to; i++) {
            const n = batch.rows[i - batch.from];
            builder.addCompressed({ id: ScaleCorpus.docId(i), n, d: spec.d, data: batch.data.subarray(o, o + n * spec.d), assignments: new Int32Array(0), sourceTokens: spec.tokens });
            o += n * spec.d;
          }
          const held = builder.bytesHeld();
          peak = Math.max(peak, held + batch.data.byteLength);
          if (batch.to - lastReport >= every || batch.to === spec.docs) {
            lastReport = batch.to;
            hooks.onProgress?.({ done: batch.to, total: spec.docs, bytesHeld: held, ms: now() - t0 });
          }
        }
        hooks.signal?.throwIfAborted();
      } finally {
        for (const job of jobs) job.catch(() => {}); // batches still out when cancelled: dropped
        pool.close();
      }
    }
    for (let start = pooled ? spec.docs : 0; start < spec.docs; start += batchSize) {
      hooks.signal?.throwIfAborted();
      const end = Math.min(spec.docs, start + batchSize);
      const docs: MultiVector[] = [];
      for (let i = start; i < end; i++) docs.push(corpus.document(i));
      if (assign) {
        const t = now();
        let results;
        try {
          results = await kmeansBatch(docs, budget, kmeansOptions, assign);
        } catch (err) {
          if (!(err instanceof GpuUnavailableError)) throw err;
          compressFallback = `${err.message}; documents ${start} onwards compressed on the CPU`;
          assign = cpuAssigner;
          if (start === 0) compressedOn = 'cpu';
          results = await kmeansBatch(docs, budget, kmeansOptions, assign);
        }
        compressMs += now() - t;
        if (start === 0 && compressedOn === 'gpu') {
          // The first batch again with the CPU assigner: the report says how far the GPU agrees.
          const cpu = await kmeansBatch(docs, budget, kmeansOptions, cpuAssigner);
          let same = 0;
          let tokens = 0;
          let identical = 0;
          cpu.forEach((c, i) => {
            const g = results[i].assignments;
            let docSame = 0;
            for (let t = 0; t < g.length; t++) if (g[t] === c.assignments[t]) docSame++;
            same += docSame;
            tokens += g.length;
            if (docSame === g.length) identical++;
          });
          gpuCheck = { documents: cpu.length, identical, tokenAgreement: same / Math.max(1, tokens) };
        }
        for (const r of results) builder.addCompressed(r);
      } else {
        for (const doc of docs) builder.add(doc);
      }
      if (baseline) for (const doc of docs) baseline.add(doc);
      const held = builder.bytesHeld() + (baseline?.bytesHeld() ?? 0) + docs.reduce((s, x) => s + x.data.byteLength, 0);
      peak = Math.max(peak, held);
      if (end % every < batchSize || end === spec.docs) {
        hooks.onProgress?.({ done: end, total: spec.docs, bytesHeld: held, ms: now() - t0 });
        // Let messages (progress, cancel) through in a worker.
        await new Promise((r) => setTimeout(r, 0));
      }
    }
    const stored = builder.finish();
    const base = baseline?.finish();
    const bytes = storedBytes(stored);
    const stats: BuildStats = {
      documents: stored.ids.length,
      tokensIn: builder.tokensIn || spec.docs * spec.tokens,
      vectors: stored.offsets[stored.ids.length],
      buildMs: now() - t0,
      compressMs: assign || pooled ? compressMs : builder.compressMs,
      buildThreads,
      bytes,
      bytesPerDoc: bytes / stored.ids.length,
      ...(base ? { baselineBytes: storedBytes(base) } : {}),
      peakBytesHeld: Math.max(peak, bytes + (base ? storedBytes(base) : 0)),
      compressedOn,
      ...(compressFallback ? { compressFallback } : {}),
      ...(gpuCheck ? { gpuCheck } : {}),
    };
    const index = new ScaleIndex(options, stored, base, stats, corpus);
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
