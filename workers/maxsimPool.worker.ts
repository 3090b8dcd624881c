/**
 * One worker of the page's CPU pools, started by the search and engine workers: MaxSim over the
 * shared index (src/kernels/pool.ts), building the scale index in batches (src/search/buildPool.ts)
 * and compressing the comparison grid's slices (src/search/gridPool.ts).
 */
import '../src/trustedTypes.ts';
import { poolWorker } from '../src/kernels/pool.ts';
import { buildWorker } from '../src/search/buildPool.ts';
import { gridWorker } from '../src/search/gridPool.ts';

const build = buildWorker((m, transfer) => self.postMessage(m, { transfer: transfer ?? [] }));
const grid = gridWorker((m, transfer) => self.postMessage(m, { transfer: transfer ?? [] }));
const maxsim = poolWorker((m) => self.postMessage(m));
self.onmessage = (e: MessageEvent) => void (build(e.data) || grid(e.data) || maxsim(e.data));
