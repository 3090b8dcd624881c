/**
 * MaxSim over one index split across a pool of workers (Node's worker_threads or the page's Web
 * Workers). The index lives in a shared WebAssembly memory (allocCorpus with threads > 1), so no
 * worker holds a copy: each instantiates the shared kernels over the same memory, reads the query
 * this thread transposed into the shared query area, scores its share of the documents with its
 * own scratch, and writes one float64 score per document into the shared results. Scores are
 * identical to the one-thread kernel path (same kernel, same order per document).
 */
import { KernelSpace, poolResultsOf, QUERY_LANES, queryScratches, type QueryScratch } from './space.ts';
import { ELEMENT_CODE, elementCode, type KernelStored } from './ops.ts';

/** What a pool worker needs to know about the index. */
export interface PoolLayout {
  code: number;
  data: number;
  scales: number;
  offsets: number;
  d: number;
  results: number;
  /** The shared query area (this thread's scratch) and the worker's own scratch. */
  query: number;
  scratch: QueryScratch;
  from: number;
  to: number;
}

type ToWorker = { type: 'init'; memory: WebAssembly.Memory; layout: PoolLayout } | { type: 'score'; id: number; w: number; qn: number; add: boolean };
type FromWorker = { type: 'ready' } | { type: 'done'; id: number } | { type: 'error'; message: string };

/** The worker side, independent of the runtime: feed it messages, it answers through `post`. */
export function poolWorker(post: (m: FromWorker) => void): (m: ToWorker) => void {
  let space: KernelSpace | undefined;
  let layout: PoolLayout | undefined;
  return (m) => {
    try {
      if (m.type === 'init') {
        space = KernelSpace.attach(m.memory);
        layout = m.layout;
        post({ type: 'ready' });
        return;
      }
      const L = layout!;
      const s = L.scratch;
      const k = space!.k;
      if (!m.add) {
        k.scoreDocs(L.query, m.w, m.qn, L.code, L.data, L.scales, L.offsets, L.from, L.to, L.d, s.best, s.arg, s.block, L.results + 8 * L.from, 0);
      } else {
        // a further piece of a long query: scored into scratch, added to the results
        const out = space!.f64(L.results, L.to);
        for (let a = L.from; a < L.to; a += 8192) {
          const b = Math.min(L.to, a + 8192);
          k.scoreDocs(L.query, m.w, m.qn, L.code, L.data, L.scales, L.offsets, a, b, L.d, s.best, s.arg, s.block, s.scores, 0);
          const part = space!.f64(s.scores, b - a);
          for (let i = a; i < b; i++) out[i] += part[i - a];
        }
      }
      post({ type: 'done', id: m.id });
    } catch (e) {
      post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  };
}

/** The few things the pool needs from a worker, in Node or a browser. */
export interface WorkerLike {
  postMessage(m: unknown): void;
  /** Messages the worker posts (for both pools; each pool keeps its own workers). */
  onMessage(handler: (m: unknown) => void): void;
  terminate(): void;
}

export class MaxSimPool {
  private nextId = 0;
  private waiting = new Map<number, { left: number; resolve: () => void; reject: (e: Error) => void }>();

  private constructor(
    private readonly space: KernelSpace,
    private readonly workers: WorkerLike[],
    private readonly stored: { d: number; offsets: Int32Array },
    private readonly query: QueryScratch,
    private readonly results: number,
  ) {}

  /**
   * A pool of `spawn()` workers over an index allocated in a shared kernel space with at least
   * that many threads; null when the index is not in one (the caller scores on one thread).
   */
  static async create(
    stored: KernelStored,
    spawn: () => WorkerLike,
    threads: number,
  ): Promise<MaxSimPool | null> {
    const space = KernelSpace.of(stored.vectors);
    const code = elementCode(stored.element);
    const scratches = space ? queryScratches(space) : [];
    const results = space ? poolResultsOf(space) : undefined;
    if (!space?.shared || code === undefined || results === undefined || scratches.length < 2 || KernelSpace.of(stored.offsets) !== space) return null;
    const n = Math.min(threads, scratches.length - 1);
    const docs = stored.offsets.length - 1;
    const workers = Array.from({ length: n }, spawn);
    const pool = new MaxSimPool(space, workers, stored, scratches[0], results);
    await Promise.all(
      workers.map(
        (w, i) =>
          new Promise<void>((resolve, reject) => {
            w.onMessage((raw) => {
              const m = raw as FromWorker;
              if (m.type === 'ready') resolve();
              else if (m.type === 'error') {
                reject(new Error(m.message));
                for (const job of pool.waiting.values()) job.reject(new Error(`pool worker: ${m.message}`));
                pool.waiting.clear();
              } else pool.finished(m.id);
            });
            const layout: PoolLayout = {
              code,
              data: stored.vectors.byteOffset,
              scales: code === ELEMENT_CODE.i8 ? stored.scales!.byteOffset : 0,
              offsets: stored.offsets.byteOffset,
              d: stored.d,
              results,
              query: scratches[0].qT,
              scratch: scratches[i + 1],
              // even shares of documents (rows are near equal per document at a fixed budget)
              from: Math.floor((i * docs) / n),
              to: Math.floor(((i + 1) * docs) / n),
            };
            w.postMessage({ type: 'init', memory: space.memory, layout } satisfies ToWorker);
          }),
      ),
    );
    return pool;
  }

  get threads(): number {
    return this.workers.length;
  }

  private finished(id: number): void {
    const job = this.waiting.get(id);
    if (job && --job.left === 0) {
      this.waiting.delete(id);
      job.resolve();
    }
  }

  private dispatch(w: number, qn: number, add: boolean): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { left: this.workers.length, resolve, reject });
      for (const worker of this.workers) worker.postMessage({ type: 'score', id, w, qn, add } satisfies ToWorker);
    });
  }

  /** MaxSim of one query against every document, the documents split across the workers. */
  async score(query: Float32Array, qn: number, scores: Float32Array = new Float32Array(this.stored.offsets.length - 1)): Promise<Float32Array> {
    const { d } = this.stored;
    if (query.length !== qn * d) throw new Error(`query holds ${query.length} values, expected ${qn} x ${d}`);
    if (qn === 0) return scores.fill(0);
    for (let t0 = 0; t0 < qn; t0 += QUERY_LANES) {
      const count = Math.min(QUERY_LANES, qn - t0);
      const w = (count + 7) & ~7;
      const qT = this.space.f32(this.query.qT, d * w);
      qT.fill(0);
      for (let i = 0; i < count; i++) for (let k = 0; k < d; k++) qT[k * w + i] = query[(t0 + i) * d + k];
      await this.dispatch(w, count, t0 > 0);
    }
    scores.set(this.space.f64(this.results, scores.length));
    return scores;
  }

  close(): void {
    for (const w of this.workers) w.terminate();
  }
}
