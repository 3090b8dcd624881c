/** One worker of the page's MaxSim pool (src/kernels/pool.ts), started by the search worker. */
import '../src/trustedTypes.ts';
import { poolWorker } from '../src/kernels/pool.ts';

const handle = poolWorker((m) => self.postMessage(m));
self.onmessage = (e: MessageEvent) => handle(e.data);
