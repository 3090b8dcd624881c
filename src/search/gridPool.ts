/**
 * The comparison grid's compression and scoring on several cores: each worker holds a contiguous
 * slice of the corpus and the queries (sent once per run), scores every query over its slice for
 * the uncompressed reference, and, for every cell of the grid, compresses its slice, scores every
 * query over the compressed slice (fp32: the same kernel on the same vectors as one thread) and
 * sends back the compressed vectors and the scores; this thread puts the slices together in
 * document order and ranks, measures and bootstraps. Every
 * document is compressed by the same code with the same per-document seed (rng.documentSeed), and
 * H-Pool's tree is shared across budgets in each worker as on one thread, so the result is the
 * one-thread result, vector for vector. Cells whose budget is allocated across the corpus
 * (`@allocation`) need every document at once and stay on the calling thread.
 */
import { compressCell, scoreInChunks, type GivenScores } from '../core/gridSteps.ts';
import { formatMethodSpec, parseMethodSpec } from '../core/methodSpec.ts';
import type { CompressedCell, CompressorFactory } from '../core/experiment.ts';
import type { VectorSet } from '../core/maxsim.ts';
import type { MultiVector } from '../core/multivector.ts';
import type { WorkerLike } from '../kernels/pool.ts';

/** A cell as the pool gives it: compression time and the scores' ms summed over the workers (CPU milliseconds, as one thread would report them), the scores always there. */
export type CellCompression = CompressedCell & { scores: GivenScores };

type ToWorker =
  | { type: 'grid-docs'; id: number; docs: MultiVector[]; queries: readonly VectorSet[] }
  | { type: 'grid-reference'; id: number }
  | { type: 'grid-compress'; id: number; method: string; budget: number | null; seed: number; d: number };
type FromWorker =
  | { type: 'grid-ready'; id: number }
  | { type: 'grid-progress'; id: number; done: number }
  | { type: 'grid-scores'; id: number; scores: GivenScores }
  | ({ type: 'grid-done'; id: number } & CellCompression)
  | { type: 'grid-error'; id: number; message: string };

/** Slices' scores (each query's, in slice order) put together in document order. */
function joinScores(parts: GivenScores[], queries: number, sizes: readonly number[]): GivenScores {
  const total = sizes.reduce((s, n) => s + n, 0);
  const scores = Array.from({ length: queries }, (_, q) => {
    const all = new Float32Array(total);
    let at = 0;
    parts.forEach((p, k) => {
      all.set(p.scores[q], at);
      at += sizes[k];
    });
    return all;
  });
  return { scores, ms: parts.reduce((s, p) => s + p.ms, 0) };
}

/** The worker side: answers the grid's messages (others are not for it: false). */
export function gridWorker(post: (m: FromWorker, transfer?: Transferable[]) => void): (m: { type: string }) => boolean {
  let docs: MultiVector[] = [];
  let queries: readonly VectorSet[] = [];
  // H-Pool's trees, per document of the slice, for the method in progress (as experiment.ts keeps them).
  let shared = { method: '', memo: [] as Map<string, unknown>[] };
  return (raw) => {
    if (!raw.type.startsWith('grid-')) return false;
    const m = raw as ToWorker;
    try {
      if (m.type === 'grid-docs') {
        [docs, queries, shared] = [m.docs, m.queries, { method: '', memo: [] }];
        post({ type: 'grid-ready', id: m.id });
        return true;
      }
      if (m.type === 'grid-reference') {
        const scores = scoreInChunks(docs, queries, (done) => post({ type: 'grid-progress', id: m.id, done }));
        post({ type: 'grid-scores', id: m.id, scores }, scores.scores.map((s) => s.buffer));
        return true;
      }
      if (shared.method !== m.method) shared = { method: m.method, memo: docs.map(() => new Map()) };
      const out = compressCell(docs, parseMethodSpec(m.method), m.budget, {
        seed: m.seed, d: m.d, memo: shared.memo, onDoc: (i) => i % 8 === 7 && post({ type: 'grid-progress', id: m.id, done: i + 1 }),
      });
      const scores = scoreInChunks(out.compressed, queries);
      const transfer = [...out.compressed.flatMap((c) => [c.data.buffer, c.assignments.buffer]), ...scores.scores.map((s) => s.buffer)];
      post({ type: 'grid-done', id: m.id, compressed: out.compressed, sources: out.sources, compressMs: out.compressMs, scores }, transfer);
    } catch (e) {
      post({ type: 'grid-error', id: m.id, message: e instanceof Error ? e.message : String(e) });
    }
    return true;
  };
}

interface Waiting {
  resolve: (m: FromWorker) => void;
  reject: (e: Error) => void;
  onProgress?: (done: number) => void;
}

export class GridPool {
  private nextId = 0;
  private readonly waiting = new Map<number, Waiting>();
  /** Documents of each worker's slice. */
  private readonly sizes: number[] = [];
  private queries = 0;

  private constructor(private readonly workers: WorkerLike[]) {
    for (const w of workers)
      w.onMessage((raw) => {
        const m = raw as FromWorker;
        const job = this.waiting.get(m.id);
        if (!job || !m.type?.startsWith('grid-')) return;
        if (m.type === 'grid-progress') return job.onProgress?.(m.done);
        this.waiting.delete(m.id);
        if (m.type === 'grid-error') job.reject(new Error(m.message));
        else job.resolve(m);
      });
  }

  /** Starts `threads` workers and gives each its slice of the documents (contiguous, in order) and the queries. */
  static async start(spawn: () => WorkerLike, threads: number, docs: readonly MultiVector[], queries: readonly VectorSet[]): Promise<GridPool> {
    const pool = new GridPool(Array.from({ length: Math.max(1, Math.min(threads, docs.length)) }, spawn));
    pool.queries = queries.length;
    const per = Math.ceil(docs.length / pool.workers.length);
    await Promise.all(
      pool.workers.map((w, k) => {
        const slice = docs.slice(k * per, (k + 1) * per);
        pool.sizes.push(slice.length);
        return pool.ask(w, (id) => ({ type: 'grid-docs', id, docs: slice, queries }));
      }),
    );
    return pool;
  }

  get threads(): number {
    return this.workers.length;
  }

  private ask(worker: WorkerLike, message: (id: number) => ToWorker, onProgress?: (done: number) => void): Promise<FromWorker> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, onProgress });
      worker.postMessage(message(id));
    });
  }

  /** Every query scored over the uncompressed slices, joined in document order; `onDocs(done)` counts documents scored. */
  async reference(onDocs?: (done: number) => void): Promise<GivenScores> {
    const done = this.workers.map(() => 0);
    const parts = (await Promise.all(
      this.workers.map((w, k) => this.ask(w, (id) => ({ type: 'grid-reference', id }), (n) => ((done[k] = n), onDocs?.(done.reduce((s, v) => s + v, 0))))),
    )) as { type: 'grid-scores'; scores: GivenScores }[];
    return joinScores(parts.map((p) => p.scores), this.queries, this.sizes);
  }

  /** One cell: every slice compressed and scored on its worker, joined in document order; `onDoc(done)` counts documents. */
  async compress(method: string, budget: number | null, opts: { seed: number; d: number; onDoc?: (done: number) => void }): Promise<CellCompression> {
    const done = this.workers.map(() => 0);
    const report = (k: number, n: number) => {
      done[k] = n;
      opts.onDoc?.(done.reduce((s, v) => s + v, 0));
    };
    const parts = (await Promise.all(
      this.workers.map((w, k) => this.ask(w, (id) => ({ type: 'grid-compress', id, method, budget, seed: opts.seed, d: opts.d }), (n) => report(k, n)).then((m) => (report(k, this.sizes[k]), m))),
    )) as ({ type: 'grid-done' } & CellCompression)[];
    const sources: Record<string, number> = {};
    for (const p of parts) for (const [k, v] of Object.entries(p.sources)) sources[k] = (sources[k] ?? 0) + v;
    return {
      compressed: parts.flatMap((p) => p.compressed),
      sources,
      compressMs: parts.reduce((s, p) => s + p.compressMs, 0),
      scores: joinScores(parts.map((p) => p.scores), this.queries, this.sizes),
    };
  }

  close(): void {
    for (const w of this.workers) w.terminate();
    for (const job of this.waiting.values()) job.reject(new DOMException('the grid was stopped', 'AbortError'));
    this.waiting.clear();
  }
}

/** Grids below this many uncompressed vectors run on one thread: starting workers costs more than it saves. */
export const GRID_POOL_MIN_TOKENS = 20_000;

/** Threads for a grid: the number asked for (at most 16), or with 0 one per core for a large enough corpus. */
export function gridThreads(requested: number, tokens: number, cores: number): number {
  if (requested > 0) return Math.min(16, requested);
  return tokens >= GRID_POOL_MIN_TOKENS ? Math.max(1, Math.min(16, cores)) : 1;
}

/** runExperimentAsync's compressor and scorer over a pool of `threads` workers (not used for the uncompressed cell or allocated budgets). */
export function poolCompressor(spawn: () => WorkerLike, threads: number, seed: number): CompressorFactory {
  return async (docs, d, queries) => {
    const pool = await GridPool.start(spawn, threads, docs, queries);
    return {
      threads: pool.threads,
      reference: (onDocs) => pool.reference(onDocs),
      compress: (spec, budget, onDoc) => (spec.method === 'none' || spec.allocation ? undefined : pool.compress(formatMethodSpec(spec), budget, { seed, d, onDoc })),
      close: () => pool.close(),
    };
  };
}
