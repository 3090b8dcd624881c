/**
 * One worker of the page's CPU pools (workers/maxsimPool.worker.ts: MaxSim over a shared index,
 * building the scale index, compressing the comparison grid's slices), started from a worker.
 */
import type { WorkerLike } from '../src/kernels/pool.ts';

export const spawnPoolWorker = (): WorkerLike => {
  const w = new Worker(new URL('./maxsimPool.worker.ts', import.meta.url), { type: 'module' });
  return { postMessage: (m) => w.postMessage(m), onMessage: (h) => void (w.onmessage = (e) => h(e.data)), terminate: () => w.terminate() };
};
