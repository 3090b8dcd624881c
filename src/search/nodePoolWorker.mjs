// Node worker_threads entry of the MaxSim pool: registers tsx (as the CLI and benchmarks run
// under it), then runs the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./nodePoolWorker.ts');
