/**
 * One way to talk to a Web Worker (Squoosh's worker-bridge): the worker starts on first use,
 * every call can take an AbortSignal, and aborting terminates the worker, which is the only way
 * to stop work that cannot be interrupted; the next call starts a fresh one. `generation` counts
 * the workers started, so a client that keeps state in the worker (a corpus, a model) knows when
 * it has to send it again. With `idleMs`, a worker with nothing to do is terminated after that
 * long (memory back to the system); leave it unset for a worker whose state is costly to rebuild.
 */
import * as Comlink from 'comlink';

export interface WorkerLike {
  terminate(): void;
}

export class WorkerBridge<Api> {
  private worker?: WorkerLike;
  private remote?: Comlink.Remote<Api>;
  private pending = new Set<(e: Error) => void>();
  private idleTimer?: ReturnType<typeof setTimeout>;
  /** Workers started so far (0 before the first call). */
  generation = 0;

  constructor(
    private readonly spawn: () => WorkerLike & Comlink.Endpoint,
    private readonly opts: { idleMs?: number } = {},
  ) {}

  /** The worker's API, starting the worker if none runs. */
  api(): Comlink.Remote<Api> {
    clearTimeout(this.idleTimer);
    if (!this.remote) {
      const w = this.spawn();
      this.worker = w;
      this.remote = Comlink.wrap<Api>(w);
      this.generation++;
    }
    return this.remote;
  }

  get running(): boolean {
    return this.worker !== undefined;
  }

  /**
   * Runs `fn` against the worker. If `signal` aborts first, the worker is terminated and the
   * promise rejects with an AbortError (as does every other call in flight on that worker).
   */
  run<T>(signal: AbortSignal | undefined, fn: (api: Comlink.Remote<Api>) => Promise<T>): Promise<T> {
    if (signal?.aborted) return Promise.reject(new DOMException('Cancelled', 'AbortError'));
    const api = this.api();
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      const onAbort = () => this.terminate();
      signal?.addEventListener('abort', onAbort, { once: true });
      fn(api)
        .then(resolve, reject)
        .finally(() => {
          signal?.removeEventListener('abort', onAbort);
          this.pending.delete(reject);
          this.scheduleIdle();
        });
    });
  }

  /** Stops the worker now; calls in flight reject with an AbortError. */
  terminate(): void {
    clearTimeout(this.idleTimer);
    this.worker?.terminate();
    this.worker = undefined;
    this.remote = undefined;
    const rejects = [...this.pending];
    this.pending.clear();
    for (const r of rejects) r(new DOMException('Cancelled', 'AbortError'));
  }

  private scheduleIdle(): void {
    if (this.opts.idleMs === undefined || this.pending.size > 0 || !this.worker) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.pending.size === 0 && this.terminate(), this.opts.idleMs);
  }
}
