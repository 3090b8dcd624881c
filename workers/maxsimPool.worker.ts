/**
 * One worker of the page's CPU pools, started by the search worker: MaxSim over the shared index
 * (src/kernels/pool.ts) and building the scale index in batches (src/search/buildPool.ts).
 */
import '../src/trustedTypes.ts';
import { poolWorker } from '../src/kernels/pool.ts';
import { buildWorker } from '../src/search/buildPool.ts';

const build = buildWorker((m, transfer) => self.postMessage(m, { transfer: transfer ?? [] }));
const maxsim = poolWorker((m) => self.postMessage(m));
self.onmessage = (e: MessageEvent) => void (build(e.data) || maxsim(e.data));
