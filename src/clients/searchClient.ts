import * as Comlink from 'comlink';
import type { SearchWorkerApi } from '../../workers/search.worker.ts';
import type { BuildOptions, BuildProgress } from '../search/scaleIndex.ts';
import { WorkerBridge } from './workerBridge.ts';

/**
 * Owns the scale page's search worker. The worker holds the built index (and its GPU device), so
 * it is never terminated for being idle, and cancelling a build is cooperative (the build checks a
 * flag between documents): the worker, and an index built before, survive.
 */
export class SearchClient {
  private readonly bridge = new WorkerBridge<SearchWorkerApi>(() => new Worker(new URL('../../workers/search.worker.ts', import.meta.url), { type: 'module', name: 'search' }));

  build(options: BuildOptions, onProgress: (p: BuildProgress) => void, signal?: AbortSignal) {
    return this.bridge.run(signal, (api) => api.build(options, Comlink.proxy(onProgress)), { soft: (api) => api.cancel(), graceMs: Infinity });
  }

  search(...args: Parameters<SearchWorkerApi['search']>) {
    return this.bridge.run(undefined, (api) => api.search(...args));
  }

  loseDevice() {
    return this.bridge.run(undefined, (api) => api.loseDevice());
  }
}
