import * as Comlink from 'comlink';
import type { EmbedWorkerApi } from '../workers/embed.worker.ts';
import type { EmbedItem, EmbedOptions, EmbedProgress, EmbedResult, LoadedModel, LoadProgress, LoadRequest } from './embed/workerTypes.ts';
import { WEBGPU_LOAD_FAILED } from './embed/loadErrors.ts';
import { WorkerBridge } from './ui/workerBridge.ts';

export type { EmbedItem, LoadedModel, StreamInfo } from './embed/workerTypes.ts';

/**
 * Owns the embedding worker (through the worker bridge, without idle termination: the loaded
 * model lives there). Cancelling asks the worker to stop between items; if the current item does
 * not finish within `hardStopMs`, the worker is terminated (the model must then be loaded again,
 * which the cache makes quick).
 */
export class EmbedClient {
  private readonly bridge = new WorkerBridge<EmbedWorkerApi>(() => new Worker(new URL('../workers/embed.worker.ts', import.meta.url), { type: 'module', name: 'embed' }));
  private pending?: (e: Error) => void;

  private ensure(): Comlink.Remote<EmbedWorkerApi> {
    return this.bridge.api();
  }

  probe() {
    return this.ensure().probe();
  }

  /**
   * Loads a model. Where WebGPU fails to run it, the worker is replaced by a fresh one and the
   * model is loaded there on WASM (onnxruntime-web cannot start WASM sessions in a worker whose
   * WebGPU start failed); the reason goes to `onProgress` and into the result.
   */
  async load(req: LoadRequest, onProgress: (p: LoadProgress) => void): Promise<LoadedModel> {
    const progress = Comlink.proxy(onProgress);
    try {
      return await this.track(this.ensure().load(req, progress));
    } catch (err) {
      if ((err as Error).name !== WEBGPU_LOAD_FAILED) throw err;
      const reason = (err as Error).message;
      onProgress({ step: 'fallback', reason });
      this.bridge.terminate();
      return this.track(this.ensure().load({ ...req, device: 'wasm', fallbackReason: reason }, progress));
    }
  }

  /**
   * Embeds a batch. Aborting `signal` stops it: the worker finishes the current item and returns
   * what it has (`cancelled: true`), or is terminated if that item takes longer than 3 s.
   */
  embed(items: EmbedItem[], options: EmbedOptions, onProgress: (p: EmbedProgress) => void, signal?: AbortSignal): Promise<EmbedResult> {
    const bitmaps = items.flatMap((i) => i.frames?.map((f) => f.bitmap) ?? []);
    if (signal?.aborted) {
      // Cancelled before the batch started (e.g. while videos were sampled on the page).
      for (const b of bitmaps) b.close();
      return Promise.reject(new DOMException('Cancelled before embedding', 'AbortError'));
    }
    const run = this.track(this.ensure().embed(Comlink.transfer(items, bitmaps), options, Comlink.proxy(onProgress)));
    const onAbort = () => void this.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    return run.finally(() => signal?.removeEventListener('abort', onAbort));
  }

  storedStats() {
    return this.ensure().storedStats();
  }

  clearStored() {
    return this.ensure().clearStored();
  }

  query(text: string, includeSpecial = false) {
    return this.ensure().query(text, includeSpecial);
  }

  startStream(...args: Parameters<EmbedWorkerApi['startStream']>) {
    return this.ensure().startStream(...args);
  }

  stopStream() {
    return this.ensure().stopStream();
  }

  searchStream(...args: Parameters<EmbedWorkerApi['searchStream']>) {
    return this.ensure().searchStream(...args);
  }

  exportStream() {
    return this.ensure().exportStream();
  }

  search(text: string, docs: Parameters<EmbedWorkerApi['search']>[1], k = 5, includeSpecial = false) {
    return this.ensure().search(text, docs, k, includeSpecial);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending = reject;
      p.then(resolve, reject);
    }).finally(() => (this.pending = undefined));
  }

  /** Returns true if the worker had to be terminated. */
  async cancel(hardStopMs = 3000): Promise<boolean> {
    if (!this.bridge.running) return false;
    await this.ensure().cancel();
    const running = this.pending;
    if (!running) return false;
    await new Promise((r) => setTimeout(r, hardStopMs));
    if (this.pending !== running) return false;
    this.bridge.terminate();
    running(new DOMException('Cancelled', 'AbortError'));
    return true;
  }
}
