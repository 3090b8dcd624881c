/**
 * Building a scale index on several cores: workers each generate and compress a batch of the
 * seeded synthetic documents (document i depends only on the seed and i, so a worker makes it
 * itself) and send back only the compressed vectors; this thread appends the batches in document
 * order, so the index is identical to a one-thread build.
 */
import { compressDocument } from '../core/compress.ts';
import { parseMethodSpec } from '../core/methodSpec.ts';
import { ScaleCorpus, type ScaleSpec } from '../core/scaleCorpus.ts';
import type { WorkerLike } from '../kernels/pool.ts';

export interface BuildJob {
  spec: ScaleSpec;
  method: string;
  budget: number;
  from: number;
  to: number;
}

/** Documents from..to-1 compressed: rows[i] vectors each, concatenated in data. */
export interface BuildBatch {
  from: number;
  to: number;
  rows: Int32Array;
  data: Float32Array;
  compressMs: number;
}

type ToWorker = { type: 'build'; id: number; job: BuildJob };
type FromWorker = { type: 'built'; id: number; batch: BuildBatch } | { type: 'build-error'; id: number; message: string };

/** The worker side: answers 'build' messages (other messages are not for it: false). */
export function buildWorker(post: (m: FromWorker, transfer?: Transferable[]) => void): (m: { type: string }) => boolean {
  let corpus: ScaleCorpus | undefined;
  let key = '';
  return (raw) => {
    if (raw.type !== 'build') return false;
    const { id, job } = raw as ToWorker;
    try {
      const k = JSON.stringify(job.spec);
      if (k !== key) [corpus, key] = [new ScaleCorpus(job.spec), k];
      const spec = parseMethodSpec(job.method);
      const parts: Float32Array[] = [];
      const rows = new Int32Array(job.to - job.from);
      let compressMs = 0;
      for (let i = job.from; i < job.to; i++) {
        const doc = corpus!.document(i);
        const t = performance.now();
        const c = compressDocument(doc, spec, job.budget, { seed: job.spec.seed, expectedD: job.spec.d });
        compressMs += performance.now() - t;
        rows[i - job.from] = c.n;
        parts.push(c.data);
      }
      const data = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
      let o = 0;
      for (const p of parts) {
        data.set(p, o);
        o += p.length;
      }
      post({ type: 'built', id, batch: { from: job.from, to: job.to, rows, data, compressMs } }, [rows.buffer, data.buffer]);
    } catch (e) {
      post({ type: 'build-error', id, message: e instanceof Error ? e.message : String(e) });
    }
    return true;
  };
}

export class BuildPool {
  private nextId = 0;
  private next = 0;
  private waiting = new Map<number, { resolve: (b: BuildBatch) => void; reject: (e: Error) => void }>();

  private constructor(private readonly workers: WorkerLike[]) {
    for (const w of workers)
      w.onMessage((raw) => {
        const m = raw as FromWorker;
        const job = this.waiting.get(m.id);
        if (!job) return;
        this.waiting.delete(m.id);
        if (m.type === 'built') job.resolve(m.batch);
        else job.reject(new Error(m.message));
      });
  }

  static start(spawn: () => WorkerLike, threads: number): BuildPool {
    return new BuildPool(Array.from({ length: threads }, spawn));
  }

  get threads(): number {
    return this.workers.length;
  }

  /** Compresses one batch on the next worker (round robin). */
  run(job: BuildJob): Promise<BuildBatch> {
    const id = this.nextId++;
    const worker = this.workers[this.next++ % this.workers.length];
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ type: 'build', id, job } satisfies ToWorker);
    });
  }

  close(): void {
    for (const w of this.workers) w.terminate();
    for (const job of this.waiting.values()) job.reject(new Error('the build was stopped'));
    this.waiting.clear();
  }
}
