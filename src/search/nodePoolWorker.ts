import { parentPort } from 'node:worker_threads';
import { buildWorker } from './buildPool.ts';
import { gridWorker } from './gridPool.ts';
import { poolWorker } from '../kernels/pool.ts';

// One worker for both pools: MaxSim over a shared index, and building a scale index.
const port = parentPort!;
const build = buildWorker((m, transfer) => port.postMessage(m, (transfer ?? []) as never));
const grid = gridWorker((m, transfer) => port.postMessage(m, (transfer ?? []) as never));
const maxsim = poolWorker((m) => port.postMessage(m));
port.on('message', (m) => build(m) || grid(m) || maxsim(m));
