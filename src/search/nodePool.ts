/**
 * Pool workers in Node (the CLI, the benchmarks, the tests): worker_threads running
 * nodePoolWorker.ts through tsx, as the CLI itself runs.
 */
import { Worker } from 'node:worker_threads';
import type { WorkerLike } from '../kernels/pool.ts';

export function spawnNodePoolWorker(): WorkerLike {
  const worker = new Worker(new URL('./nodePoolWorker.mjs', import.meta.url));
  worker.unref();
  return {
    postMessage: (m) => worker.postMessage(m),
    onMessage: (h) => void worker.on('message', h),
    terminate: () => void worker.terminate(),
  };
}
