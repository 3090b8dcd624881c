/**
 * Scale tests in a Web Worker: builds a large synthetic index as a stream and searches it on the
 * CPU or with the WebGPU kernels, so the page never blocks. A lost GPU device makes searches fall
 * back to the CPU with the reason in the report.
 */
import '../src/trustedTypes.ts';
import * as Comlink from 'comlink';
import { gpuContext, pipelineCount } from '../src/gpu/device.ts';
import { spawnPoolWorker } from './poolSpawn.ts';
import { ScaleIndex, type BuildOptions, type BuildProgress, type SearchReport } from '../src/search/scaleIndex.ts';

let index: ScaleIndex | undefined;

/** One worker of the CPU search pool (module worker of this origin; shares the index's memory). */
const spawn = spawnPoolWorker;
let controller: AbortController | undefined;

const api = {
  async build(options: BuildOptions, onProgress?: (p: BuildProgress) => void) {
    index?.dropGpu();
    index?.close();
    index = undefined;
    controller = new AbortController();
    index = await ScaleIndex.build(options, { onProgress, signal: controller.signal, gpu: gpuContext, spawn });
    return { stats: index.stats, byStorage: index.bytesPerDocByStorage(), memory: index.memory() };
  },

  cancel() {
    controller?.abort();
  },

  async search(opts: { backend: 'cpu' | 'gpu' | 'both'; k: number; maxBindingBytes?: number; candidates?: number }): Promise<SearchReport & { memory: { cpuBytes: number; gpuBytes: number }; pipelines: number }> {
    if (!index) throw new Error('Build an index first.');
    const report = await index.search({ ...opts, gpu: gpuContext });
    let pipelines = 0;
    try {
      if (report.gpu) pipelines = pipelineCount((await gpuContext()).device);
    } catch {
      /* the device went away after the search: nothing to count */
    }
    return { ...report, memory: index.memory(), pipelines };
  },

  /** Destroys the GPU device, as a driver reset would; the next GPU search falls back to the CPU. */
  async loseDevice() {
    const ctx = await gpuContext();
    ctx.device.destroy();
    await ctx.device.lost;
    return ctx.lost ?? 'destroyed';
  },
};

export type SearchWorkerApi = typeof api;
Comlink.expose(api);
