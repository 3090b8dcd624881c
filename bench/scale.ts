/**
 * Scale benchmark (figures, not pass/fail): seeded synthetic indexes of 10,000 and 100,000
 * documents at m = 32, d = 128 (and 10,000 at d = 512), built as a stream with AGC, then searched
 * by MaxSim on the CPU in every storage type. Prints bytes per document, index size, query
 * latency and throughput, recall@10, the ratio of each storage type's latency to fp32's in the
 * same process, and peak memory (RSS and ArrayBuffers) of this process.
 *
 * WebGPU: Node has no navigator.gpu here; the GPU path is measured in Chromium by
 * `npm run bench:browser` (scale.bench.ts), and on a real GPU with Node's `webgpu` package where
 * one is available (see README).
 *
 *   npm run bench:scale -- [--quick] [--json out.json]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { topK } from '../src/core/maxsim.ts';
import { queryForStorage, scoreStored, scoreStoredBatch, storeCorpus, STORAGE_TYPES, storedBytes, type StoredCorpus } from '../src/core/storage/stored.ts';
import { spawnNodePoolWorker } from '../src/search/nodePool.ts';
import { kernelStatus } from '../src/kernels/space.ts';
import { formatSearchFigures, searchFigures } from '../src/search/searchFigures.ts';
import { ScaleIndex } from '../src/search/scaleIndex.ts';

const { values } = parseArgs({ options: { json: { type: 'string' }, quick: { type: 'boolean', default: false } } });
const CASES = values.quick
  ? [{ docs: 2000, d: 128, queries: 16 }, { docs: 10000, d: 128, queries: 4 }]
  : [{ docs: 10000, d: 128, queries: 16 }, { docs: 100000, d: 128, queries: 4 }, { docs: 10000, d: 512, queries: 8 }];
const M = 32;
const TOKENS = 64;

let peakRss = 0;
let peakArrayBuffers = 0;
const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakArrayBuffers = Math.max(peakArrayBuffers, m.arrayBuffers);
};
const timer = setInterval(sample, 50);
const MiB = (b: number) => (b / 2 ** 20).toFixed(1);

const results: Record<string, unknown>[] = [];
const searchRows: Record<string, unknown>[] = [];
const report: Record<string, unknown> = { kernels: kernelStatus(), cpus: cpus().length };

/**
 * fp16 at d = 128: exhaustive MaxSim per query on 1 and 2 threads (a worker pool over the index in
 * shared WebAssembly memory) and two-stage search (sign-bit prefilter, C candidates re-ranked
 * exactly) with its top-10 agreement with exhaustive search. One query at a time: latency.
 */
async function threadsAndTwoStage(index: ScaleIndex, docs: number): Promise<void> {
  const f = index.stored;
  const fp16 = storeCorpus({ ids: f.ids, d: f.d, offsets: f.offsets, data: f.vectors as Float32Array }, 'fp16');
  const figures = await searchFigures(fp16, index.queries, index.qrels, { threads: 2, candidates: [250, 1000, 4000], spawn: spawnNodePoolWorker });
  for (const line of formatSearchFigures(figures)) console.log(`  ${line}`);
  searchRows.push({ docs, d: 128, m: M, storage: 'fp16', ...figures });
}
console.log(`scale benchmark: AGC, m = ${M}, ${TOKENS} tokens per document before compression, CPU MaxSim (one thread)`);
for (const c of CASES) {
  // Start each case from a collected heap (npm run bench:scale passes --expose-gc), so its peak
  // is its own and not the previous case's garbage.
  (globalThis as { gc?: () => void }).gc?.();
  peakRss = 0;
  peakArrayBuffers = 0;
  const t0 = performance.now();
  const index = await ScaleIndex.build({
    spec: { docs: c.docs, d: c.d, tokens: TOKENS, queries: c.queries, seed: 1 },
    method: 'agc', budget: M, storage: 'fp32', compressOn: 'cpu', keepBaseline: false, threads: cpus().length,
  }, { progressEvery: 5000, spawn: spawnNodePoolWorker, onProgress: (p) => process.stderr.isTTY && process.stderr.write(`\r  building ${p.done}/${p.total}  `) });
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  sample();
  const buildPeakRss = peakRss;
  console.log(`\n${c.docs.toLocaleString()} documents, d = ${c.d}: built in ${((performance.now() - t0) / 1000).toFixed(1)} s ` +
    `(${index.stats.vectors.toLocaleString()} vectors; ${index.stats.buildThreads} thread(s); compression ${(index.stats.compressMs / 1000).toFixed(1)} s of CPU time); peak RSS while building ${MiB(buildPeakRss)} MiB, ` +
    `index builders held at most ${MiB(index.stats.peakBytesHeld)} MiB`);
  const fp32 = index.stored;
  let fp32Ms = 0;
  console.log('  storage  bytes/doc  index MiB  ms/query (1 query)  ms/query (batch)  queries/s (batch)  recall@10  batch time vs fp32');
  for (const storage of STORAGE_TYPES) {
    const stored: StoredCorpus = storage === 'fp32' ? fp32 : storeCorpus({ ids: fp32.ids, d: fp32.d, offsets: fp32.offsets, data: fp32.vectors as Float32Array }, storage);
    const queries = index.queries.map((q) => ({ n: q.n, data: queryForStorage(q.data, q.n, stored.d, storage) }));
    // One query alone (what a person typing waits for) ...
    const t1 = performance.now();
    topK(scoreStored(queries[0].data, queries[0].n, stored), 10);
    const singleMs = performance.now() - t1;
    // ... and all queries in one pass over the index (throughput).
    const t = performance.now();
    const tops = scoreStoredBatch(queries, stored).map((s) => topK(s, 10));
    const ms = (performance.now() - t) / index.queries.length;
    if (storage === 'fp32') fp32Ms = ms;
    sample();
    const row = {
      docs: c.docs, d: c.d, m: M, storage, bytesPerDoc: storedBytes(stored) / stored.ids.length, indexMiB: storedBytes(stored) / 2 ** 20,
      singleQueryMs: singleMs, msPerQuery: ms, queriesPerSecond: 1000 / ms, recallAt10: index.recall(tops, stored.ids), latencyVsFp32: ms / fp32Ms,
      buildSeconds: index.stats.buildMs / 1000, peakRssMiB: peakRss / 2 ** 20, peakArrayBuffersMiB: peakArrayBuffers / 2 ** 20, backend: 'cpu',
    };
    results.push(row);
    console.log(`  ${storage.padEnd(7)}  ${row.bytesPerDoc.toFixed(0).padStart(9)}  ${row.indexMiB.toFixed(1).padStart(9)}  ${singleMs.toFixed(1).padStart(18)}  ${ms.toFixed(1).padStart(16)}  ${row.queriesPerSecond.toFixed(2).padStart(17)}  ${row.recallAt10.toFixed(3).padStart(9)}  ${row.latencyVsFp32.toFixed(2).padStart(20)}`);
  }
  console.log(`  peak RSS ${MiB(peakRss)} MiB, peak ArrayBuffers ${MiB(peakArrayBuffers)} MiB (this process, this case)`);
  if (c.d === 128) await threadsAndTwoStage(index, c.docs);
  console.log('  WebGPU: not available in Node here; see npm run bench:browser (SwiftShader: not speed figures).');
  index.dropGpu();
}
clearInterval(timer);
report.cases = results;
report.search = searchRows;
if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2) + '\n');
