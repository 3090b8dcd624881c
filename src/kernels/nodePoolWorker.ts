import { parentPort } from 'node:worker_threads';
import { poolWorker } from './pool.ts';

const port = parentPort!;
const handle = poolWorker((m) => port.postMessage(m));
port.on('message', handle);
