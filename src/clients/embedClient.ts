import * as Comlink from 'comlink';
import type { EmbedWorkerApi } from '../../workers/embed.worker.ts';
import type { EmbedItem, EmbedOptions, EmbedProgress, EmbedResult, LoadedModel, LoadProgress, LoadRequest } from '../embed/workerTypes.ts';
import { WEBGPU_LOAD_FAILED } from '../embed/loadErrors.ts';
import { abortError, WorkerBridge } from './workerBridge.ts';

export type { EmbedItem, LoadedModel, StreamInfo } from '../embed/workerTypes.ts';

/**
 * Owns the embedding worker (through the worker bridge, without idle termination: the loaded
 * model lives there). Cancelling asks the worker to stop between items; if the current item does
 * not finish within `hardStopMs`, the bridge terminates the worker (the model must then be loaded
 * again, which the cache makes quick).
 */
export class EmbedClient {
  private readonly bridge = new WorkerBridge<EmbedWorkerApi>(() => new Worker(new URL('../../workers/embed.worker.ts', import.meta.url), { type: 'module', name: 'embed' }));

  constructor(private readonly hardStopMs = 3000) {}

  private call<T>(fn: (api: Comlink.Remote<EmbedWorkerApi>) => Promise<T>): Promise<T> {
    return this.bridge.run(undefined, fn);
  }

  probe() {
    return this.call((api) => api.probe());
  }

  /**
   * Loads a model. Where WebGPU fails to run it, the worker is replaced by a fresh one and the
   * model is loaded there on WASM (onnxruntime-web cannot start WASM sessions in a worker whose
   * WebGPU start failed); the reason goes to `onProgress` and into the result.
   */
  async load(req: LoadRequest, onProgress: (p: LoadProgress) => void): Promise<LoadedModel> {
    const progress = Comlink.proxy(onProgress);
    try {
      return await this.call((api) => api.load(req, progress));
    } catch (err) {
      if ((err as Error).name !== WEBGPU_LOAD_FAILED) throw err;
      const reason = (err as Error).message;
      onProgress({ step: 'fallback', reason });
      this.bridge.terminate();
      return this.call((api) => api.load({ ...req, device: 'wasm', fallbackReason: reason }, progress));
    }
  }

  /**
   * Embeds a batch. Aborting `signal` stops it: the worker finishes the current item and returns
   * what it has (`cancelled: true`), or is terminated if that item takes longer than `hardStopMs`.
   */
  embed(items: EmbedItem[], options: EmbedOptions, onProgress: (p: EmbedProgress) => void, signal?: AbortSignal): Promise<EmbedResult> {
    const bitmaps = items.flatMap((i) => i.frames?.map((f) => f.bitmap) ?? []);
    if (signal?.aborted) {
      // Cancelled before the batch started (e.g. while videos were sampled on the page).
      for (const b of bitmaps) b.close();
      return Promise.reject(abortError('Cancelled before embedding'));
    }
    return this.bridge.run(signal, (api) => api.embed(Comlink.transfer(items, bitmaps), options, Comlink.proxy(onProgress)), { soft: (api) => api.cancel(), graceMs: this.hardStopMs });
  }

  storedStats() {
    return this.call((api) => api.storedStats());
  }

  clearStored() {
    return this.call((api) => api.clearStored());
  }

  query(text: string, includeSpecial = false) {
    return this.call((api) => api.query(text, includeSpecial));
  }

  startStream(...args: Parameters<EmbedWorkerApi['startStream']>) {
    return this.call((api) => api.startStream(...args));
  }

  stopStream() {
    return this.call((api) => api.stopStream());
  }

  searchStream(...args: Parameters<EmbedWorkerApi['searchStream']>) {
    return this.call((api) => api.searchStream(...args));
  }

  exportStream() {
    return this.call((api) => api.exportStream());
  }

  search(text: string, docs: Parameters<EmbedWorkerApi['search']>[1], k = 5, includeSpecial = false) {
    return this.call((api) => api.search(text, docs, k, includeSpecial));
  }
}
