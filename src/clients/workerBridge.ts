/**
 * One way to talk to a Web Worker (Squoosh's worker-bridge): the worker starts on first use,
 * every call can take an AbortSignal, and aborting terminates the worker, which is the only way
 * to stop work that cannot be interrupted; the next call starts a fresh one. `generation` counts
 * the workers started, so a client that keeps state in the worker (a corpus, a model) knows when
 * it has to send it again. With `idleMs`, a worker with nothing to do is terminated after that
 * long (memory back to the system); leave it unset for a worker whose state is costly to rebuild.
 *
 * A worker whose state is costly (a loaded model, a built index) can be asked to stop first: a
 * call's `soft` cancel runs on abort, and the worker is terminated only if the call has not
 * settled `graceMs` later (never, with `graceMs: Infinity`). Every client cancels through here.
 */
import * as Comlink from 'comlink';
import type { WorkerLike } from '../kernels/pool.ts';

/** What the bridge needs of a worker: a Comlink endpoint that can be terminated. */
export type BridgeWorker = Pick<WorkerLike, 'terminate'> & Comlink.Endpoint;

/** How a call is stopped when its signal aborts (default: terminate the worker at once). */
export interface SoftCancel<Api> {
  /** Asks the worker to stop (it returns what it has). */
  soft: (api: Comlink.Remote<Api>) => Promise<unknown>;
  /** Milliseconds to wait after `soft` before terminating the worker. */
  graceMs: number;
}

export const abortError = (message = 'Cancelled') => new DOMException(message, 'AbortError');

export class WorkerBridge<Api> {
  private worker?: BridgeWorker;
  private remote?: Comlink.Remote<Api>;
  private pending = new Set<(e: Error) => void>();
  private idleTimer?: ReturnType<typeof setTimeout>;
  /** Workers started so far (0 before the first call). */
  generation = 0;

  constructor(
    private readonly spawn: () => BridgeWorker,
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
   * Runs `fn` against the worker. If `signal` aborts first, the worker is terminated (after
   * `cancel.soft` and `cancel.graceMs`, when given) and the promise rejects with an AbortError,
   * as does every other call in flight on that worker. A call that settles within the grace
   * period resolves with what the worker returned.
   */
  run<T>(signal: AbortSignal | undefined, fn: (api: Comlink.Remote<Api>) => Promise<T>, cancel?: SoftCancel<Api>): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortError());
    const api = this.api();
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      let settled = false;
      const onAbort = () => {
        if (!cancel) return this.terminate();
        const generation = this.generation;
        void cancel.soft(api).catch(() => {});
        if (cancel.graceMs === Infinity) return;
        setTimeout(() => !settled && this.generation === generation && this.terminate(), cancel.graceMs);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      fn(api)
        .then(resolve, reject)
        .finally(() => {
          settled = true;
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
    for (const r of rejects) r(abortError());
  }

  private scheduleIdle(): void {
    if (this.opts.idleMs === undefined || this.pending.size > 0 || !this.worker) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.pending.size === 0 && this.terminate(), this.opts.idleMs);
  }
}
