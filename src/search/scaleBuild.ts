/**
 * Building a scale index as a stream: each synthetic document generated, compressed, encoded and
 * dropped. k-means can run its assignment step on the GPU (checked against the CPU on the first
 * batch, and falling back to the CPU, said, if the device goes); on several cores, workers
 * generate and compress batches that are appended here in document order.
 */
import { IndexBuilder } from '../core/exportIndex.ts';
import { cpuAssigner, kmeansBatch, type BatchAssigner } from '../core/kmeansBatch.ts';
import { formatMethodSpec, parseMethodSpec, type MethodSpec } from '../core/methodSpec.ts';
import type { MultiVector } from '../core/multivector.ts';
import { ScaleCorpus } from '../core/scaleCorpus.ts';
import { storedBytes, type StoredCorpus } from '../core/storage/stored.ts';
import type { GpuContext } from '../gpu/device.ts';
import { GpuUnavailableError } from '../gpu/device.ts';
import { gpuAssigner } from '../gpu/gpuAssign.ts';
import type { WorkerLike } from '../kernels/pool.ts';
import { BuildPool, type BuildBatch } from './buildPool.ts';
import type { BuildOptions, BuildProgress, BuildStats } from './scaleReport.ts';

const now = () => performance.now();

export interface BuildHooks {
  onProgress?: (p: BuildProgress) => void;
  signal?: AbortSignal;
  gpu?: () => Promise<GpuContext>;
  progressEvery?: number;
  spawn?: () => WorkerLike;
}

/** How many documents of the first GPU batch, and of their tokens, land in the same cluster as on the CPU. */
function agreementWithCpu(gpu: { assignments: Int32Array }[], cpu: { assignments: Int32Array }[]): NonNullable<BuildStats['gpuCheck']> {
  let same = 0;
  let tokens = 0;
  let identical = 0;
  cpu.forEach((c, i) => {
    const g = gpu[i].assignments;
    let docSame = 0;
    for (let t = 0; t < g.length; t++) if (g[t] === c.assignments[t]) docSame++;
    same += docSame;
    tokens += g.length;
    if (docSame === g.length) identical++;
  });
  return { documents: cpu.length, identical, tokenAgreement: same / Math.max(1, tokens) };
}

export class ScaleBuild {
  readonly corpus: ScaleCorpus;
  private readonly spec: MethodSpec;
  private readonly builder: IndexBuilder;
  private readonly baseline?: IndexBuilder;
  private readonly t0 = now();
  private readonly every: number;
  private peak = 0;
  private compressMs = 0;
  private compressedOn: 'cpu' | 'gpu' = 'cpu';
  private compressFallback?: string;
  private gpuCheck?: BuildStats['gpuCheck'];
  private assign?: BatchAssigner;
  private buildThreads = 1;
  private pooled = false;

  constructor(
    private readonly options: BuildOptions,
    private readonly hooks: BuildHooks,
  ) {
    const { spec, budget, storage } = options;
    this.spec = parseMethodSpec(options.method);
    this.corpus = new ScaleCorpus(spec);
    this.every = hooks.progressEvery ?? 500;
    // Every document has spec.tokens > m tokens, so the index holds exactly docs x m vectors (at most).
    this.builder = new IndexBuilder({ d: spec.d, spec: this.spec, budget, storage, seed: spec.seed, capacity: { documents: spec.docs, vectors: spec.docs * Math.min(budget, spec.tokens) }, threads: options.threads });
    if (options.keepBaseline)
      this.baseline = new IndexBuilder({ d: spec.d, spec: parseMethodSpec('none'), budget: null, storage, seed: spec.seed, capacity: { documents: spec.docs, vectors: spec.docs * spec.tokens, maxRows: spec.tokens } });
  }

  /** Builds every document; returns the index, its baseline (if kept) and the build's figures. */
  async run(): Promise<{ stored: StoredCorpus; baseline?: StoredCorpus; stats: BuildStats }> {
    await this.chooseAssigner();
    const threads = this.options.threads ?? 1;
    this.pooled = threads > 1 && !!this.hooks.spawn && !this.assign && !this.options.keepBaseline;
    if (this.pooled) await this.runPooled(threads);
    else await this.runHere();
    return this.finish();
  }

  /** k-means on the GPU when asked and possible; otherwise why not. */
  private async chooseAssigner(): Promise<void> {
    if (this.options.compressOn !== 'gpu') return;
    if (this.spec.method !== 'kmeans') {
      this.compressFallback = `only k-means has a GPU assignment step; ${formatMethodSpec(this.spec)} compressed on the CPU`;
      return;
    }
    try {
      if (!this.hooks.gpu) throw new GpuUnavailableError('no WebGPU here');
      this.assign = gpuAssigner(await this.hooks.gpu());
      this.compressedOn = 'gpu';
    } catch (err) {
      this.compressFallback = (err as Error).message;
    }
  }

  /** Several cores: workers generate and compress batches of 64, appended here in document order. */
  private async runPooled(threads: number): Promise<void> {
    const { spec, budget } = this.options;
    const pool = BuildPool.start(this.hooks.spawn!, threads);
    this.buildThreads = pool.threads;
    const BATCH = 64;
    const jobs: Promise<BuildBatch>[] = [];
    let dispatched = 0;
    const dispatch = () => {
      while (dispatched < spec.docs && jobs.length < 2 * threads) {
        const from = dispatched;
        dispatched = Math.min(spec.docs, from + BATCH);
        jobs.push(pool.run({ spec, method: this.options.method, budget, from, to: dispatched }));
      }
    };
    try {
      let lastReport = 0;
      dispatch();
      while (jobs.length) {
        this.hooks.signal?.throwIfAborted();
        const batch = await jobs.shift()!;
        dispatch();
        this.append(batch);
        const held = this.builder.bytesHeld();
        this.peak = Math.max(this.peak, held + batch.data.byteLength);
        if (batch.to - lastReport >= this.every || batch.to === spec.docs) {
          lastReport = batch.to;
          this.hooks.onProgress?.({ done: batch.to, total: spec.docs, bytesHeld: held, ms: now() - this.t0 });
        }
      }
      this.hooks.signal?.throwIfAborted();
    } finally {
      for (const job of jobs) job.catch(() => {}); // batches still out when cancelled: dropped
      pool.close();
    }
  }

  private append(batch: BuildBatch): void {
    const { d, tokens } = this.options.spec;
    this.compressMs += batch.compressMs;
    let o = 0;
    for (let i = batch.from; i < batch.to; i++) {
      const n = batch.rows[i - batch.from];
      this.builder.addCompressed({ id: ScaleCorpus.docId(i), n, d, data: batch.data.subarray(o, o + n * d), assignments: new Int32Array(0), sourceTokens: tokens });
      o += n * d;
    }
  }

  /** One thread: documents one at a time (or GPU k-means batches of 256). */
  private async runHere(): Promise<void> {
    const { spec } = this.options;
    const batchSize = this.assign ? 256 : 1;
    for (let start = 0; start < spec.docs; start += batchSize) {
      this.hooks.signal?.throwIfAborted();
      const end = Math.min(spec.docs, start + batchSize);
      const docs: MultiVector[] = [];
      for (let i = start; i < end; i++) docs.push(this.corpus.document(i));
      if (this.assign) await this.kmeansOnGpu(docs, start);
      else for (const doc of docs) this.builder.add(doc);
      if (this.baseline) for (const doc of docs) this.baseline.add(doc);
      const held = this.builder.bytesHeld() + (this.baseline?.bytesHeld() ?? 0) + docs.reduce((s, x) => s + x.data.byteLength, 0);
      this.peak = Math.max(this.peak, held);
      if (end % this.every < batchSize || end === spec.docs) {
        this.hooks.onProgress?.({ done: end, total: spec.docs, bytesHeld: held, ms: now() - this.t0 });
        // Let messages (progress, cancel) through in a worker.
        await new Promise((r) => setTimeout(r, 0));
      }
    }
  }

  /** A batch through k-means with the GPU assignment step (the CPU's, said, if the GPU goes). */
  private async kmeansOnGpu(docs: MultiVector[], start: number): Promise<void> {
    const { spec, budget } = this.options;
    // k-means options as compressDocument would resolve them (kmeansBatch defaults the rest).
    const options = { seed: spec.seed, expectedD: spec.d, ...(this.spec.options.iterations !== undefined ? { iterations: Number(this.spec.options.iterations) } : {}) };
    const t = now();
    let results;
    try {
      results = await kmeansBatch(docs, budget, options, this.assign!);
    } catch (err) {
      if (!(err instanceof GpuUnavailableError)) throw err;
      this.compressFallback = `${err.message}; documents ${start} onwards compressed on the CPU`;
      this.assign = cpuAssigner;
      if (start === 0) this.compressedOn = 'cpu';
      results = await kmeansBatch(docs, budget, options, this.assign);
    }
    this.compressMs += now() - t;
    // The first batch again with the CPU assigner: the report says how far the GPU agrees.
    if (start === 0 && this.compressedOn === 'gpu') this.gpuCheck = agreementWithCpu(results, await kmeansBatch(docs, budget, options, cpuAssigner));
    for (const r of results) this.builder.addCompressed(r);
  }

  private finish(): { stored: StoredCorpus; baseline?: StoredCorpus; stats: BuildStats } {
    const stored = this.builder.finish();
    const base = this.baseline?.finish();
    const bytes = storedBytes(stored);
    const stats: BuildStats = {
      documents: stored.ids.length,
      tokensIn: this.builder.tokensIn || this.options.spec.docs * this.options.spec.tokens,
      vectors: stored.offsets[stored.ids.length],
      buildMs: now() - this.t0,
      compressMs: this.assign || this.pooled ? this.compressMs : this.builder.compressMs,
      buildThreads: this.buildThreads,
      bytes,
      bytesPerDoc: bytes / stored.ids.length,
      ...(base ? { baselineBytes: storedBytes(base) } : {}),
      peakBytesHeld: Math.max(this.peak, bytes + (base ? storedBytes(base) : 0)),
      compressedOn: this.compressedOn,
      ...(this.compressFallback ? { compressFallback: this.compressFallback } : {}),
      ...(this.gpuCheck ? { gpuCheck: this.gpuCheck } : {}),
    };
    return { stored, baseline: base, stats };
  }
}
