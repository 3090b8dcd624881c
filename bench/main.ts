/**
 * Engine benchmarks: figures, not pass/fail. On seeded data with n = 1,300 tokens per document
 * (a 24-frame video, as in the paper) and d = 128 and 512, budget m = 32:
 *   - milliseconds per document for every method and ablation;
 *   - MaxSim throughput over a compressed corpus (documents per second and GFLOP/s);
 *   - the same work timed in SciPy/NumPy when Debian's /usr/bin/python3 has them, and the ratios.
 *
 *   npm run bench -- [--json out.json] [--quick]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compressDocument } from '../src/core/compress.ts';
import { ALL_METHOD_IDS, parseMethodSpec } from '../src/core/methodSpec.ts';
import { maxSimScores, packCorpus, type PackedCorpus } from '../src/core/maxsim.ts';
import { kernelView, placeStored } from '../src/core/storage/stored.ts';
import { spawnNodePoolWorker } from '../src/search/nodePool.ts';
import { MaxSimPool } from '../src/kernels/pool.ts';
import { kernelStatus, scratch, setKernels } from '../src/kernels/space.ts';
import type { MultiVector } from '../src/core/multivector.ts';
import { writeNpy } from '../src/core/npy.ts';
import { gaussian, mulberry32 } from '../src/core/rng.ts';

const { values } = parseArgs({ options: { json: { type: 'string' }, quick: { type: 'boolean', default: false } } });
const N = 1300;
const M = 32;
const DIMS = [128, 512];
const CORPUS_DOCS = values.quick ? 500 : 2000;
const QUERIES = values.quick ? 4 : 16;
const QN = 32;

/** Tokens around 40 topic directions, like patch embeddings of a few objects plus background. */
function tokens(n: number, d: number, seed: number): MultiVector {
  const rng = mulberry32(seed);
  const topics = Array.from({ length: 40 }, () => Float32Array.from({ length: d }, () => gaussian(rng)));
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const t = topics[Math.floor(rng.next() * topics.length)];
    for (let k = 0; k < d; k++) data[i * d + k] = t[k] + 0.8 * gaussian(rng);
  }
  return { id: `bench-${d}`, n, d, data, saliency: Float32Array.from({ length: n }, () => rng.next()) };
}

function medianMs(fn: () => void, minReps = 3, minMs = 1000): number {
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minReps || (performance.now() - start < minMs && times.length < 200)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const folder = mkdtempSync(join(tmpdir(), 'mvc-bench-'));
const report: Record<string, unknown> = {
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  setup: { n: N, m: M, dims: DIMS, corpusDocs: CORPUS_DOCS, vectorsPerDoc: M, queries: QUERIES, queryTokens: QN },
};
const methodMs: Record<string, Record<string, number>> = {};
/** The TypeScript reference (kernels off) for the methods the kernels serve. */
const referenceMs: Record<string, Record<string, number>> = {};
const REFERENCE_METHODS = ['agc', 'hpool', 'kmeans'];
type MaxSimFigure = { seconds: number; docsPerSecond: number; gflops: number };
const maxsim: Record<string, { kernel1: MaxSimFigure; kernel2: MaxSimFigure | null; reference1: MaxSimFigure }> = {};

// This CPU's measured f32x4 multiply-then-add peak (no FMA in WebAssembly SIMD without relaxed-simd).
const peakSpace = scratch();
let peakGflops = 0;
if (peakSpace) {
  peakSpace.k.peakF32x4(1_000_000);
  const iters = 50_000_000;
  peakGflops = (96 * iters) / (medianMs(() => void peakSpace.k.peakF32x4(iters), 3, 0) / 1000) / 1e9;
}
console.log(`kernels: ${kernelStatus()}; measured f32x4 peak ${peakGflops.toFixed(1)} GFLOP/s per thread (12 independent multiply-add chains)`);
report.kernels = kernelStatus();
report.peakGflopsPerThread = peakGflops;

for (const d of DIMS) {
  const doc = tokens(N, d, d);
  writeFileSync(join(folder, `tokens_d${d}.npy`), writeNpy(doc.data, [N, d]));
  methodMs[d] = {};
  const specs = [...ALL_METHOD_IDS, ...(values.quick ? [] : ['hpool:observations=distance-rows'])];
  for (const id of specs) {
    const spec = parseMethodSpec(id);
    const slow = id.includes('distance-rows');
    methodMs[d][id] = medianMs(() => compressDocument(doc, spec, M, { seed: 1 }), slow ? 1 : 3, slow ? 0 : 1000);
    let ref = '';
    if (REFERENCE_METHODS.includes(id)) {
      setKernels(false);
      referenceMs[d] ??= {};
      referenceMs[d][id] = medianMs(() => compressDocument(doc, spec, M, { seed: 1 }), 3, 1000);
      setKernels(true);
      ref = `   TypeScript reference ${referenceMs[d][id].toFixed(2)} ms (${(referenceMs[d][id] / methodMs[d][id]).toFixed(1)}x slower)`;
    }
    console.log(`compress  d=${String(d).padEnd(3)}  ${id.padEnd(34)} ${methodMs[d][id].toFixed(2).padStart(9)} ms/doc${ref}`);
  }
  // A compressed corpus: CORPUS_DOCS documents of M unit vectors.
  const rng = mulberry32(7 + d);
  const docs = Array.from({ length: CORPUS_DOCS }, (_, i) => {
    const data = Float32Array.from({ length: M * d }, () => gaussian(rng) / Math.sqrt(d));
    return { id: `d${i}`, n: M, d, data };
  });
  const corpus = packCorpus(docs);
  const queries = Float32Array.from({ length: QUERIES * QN * d }, () => gaussian(rng) / Math.sqrt(d));
  writeFileSync(join(folder, `corpus_d${d}.npy`), writeNpy(corpus.data, [CORPUS_DOCS * M, d]));
  writeFileSync(join(folder, `offsets_d${d}.npy`), writeNpy(corpus.offsets, [CORPUS_DOCS + 1]));
  writeFileSync(join(folder, `queries_d${d}.npy`), writeNpy(queries, [QUERIES * QN, d]));
  const scores = new Float32Array(CORPUS_DOCS);
  const flops = 2 * QUERIES * QN * CORPUS_DOCS * M * d;
  const figure = (ms: number): MaxSimFigure => ({ seconds: ms / 1000, docsPerSecond: (QUERIES * CORPUS_DOCS) / (ms / 1000), gflops: flops / (ms / 1000) / 1e9 });
  const run = (c: PackedCorpus) => () => {
    for (let q = 0; q < QUERIES; q++) maxSimScores(queries.subarray(q * QN * d, (q + 1) * QN * d), QN, c, scores);
  };
  const kernel1 = figure(medianMs(run(corpus)));
  setKernels(false);
  const plain = packCorpus(docs);
  const reference1 = figure(medianMs(run(plain)));
  setKernels(true);
  // Two threads: the same corpus in shared memory, each worker scoring half of the documents.
  const shared = placeStored({ storage: 'fp32', ids: corpus.ids, d, offsets: corpus.offsets, vectors: corpus.data }, { threads: 2 });
  const pool = await MaxSimPool.create(kernelView(shared), spawnNodePoolWorker, 2);
  let kernel2: MaxSimFigure | null = null;
  if (pool) {
    await pool.score(queries.subarray(0, QN * d), QN, scores);
    const times: number[] = [];
    const start = performance.now();
    while (times.length < 3 || (performance.now() - start < 1000 && times.length < 200)) {
      const t0 = performance.now();
      for (let q = 0; q < QUERIES; q++) await pool.score(queries.subarray(q * QN * d, (q + 1) * QN * d), QN, scores);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    kernel2 = figure(times[Math.floor(times.length / 2)]);
    pool.close();
  }
  maxsim[d] = { kernel1, kernel2, reference1 };
  console.log(
    `maxsim    d=${String(d).padEnd(3)}  kernels: ${kernel1.gflops.toFixed(1)} GFLOP/s on 1 thread (${((100 * kernel1.gflops) / peakGflops).toFixed(0)}% of the measured peak), ` +
      `${kernel2 ? `${kernel2.gflops.toFixed(1)} GFLOP/s on 2 threads` : 'no 2-thread pool (no shared memory)'}; TypeScript reference ${reference1.gflops.toFixed(2)} GFLOP/s (${(kernel1.gflops / reference1.gflops).toFixed(1)}x slower)`,
  );
}
writeFileSync(join(folder, 'qn.npy'), writeNpy(Int32Array.from([QN]), [1]));
report.methodMsPerDoc = methodMs;
report.referenceMethodMsPerDoc = referenceMs;
report.maxsim = maxsim;

const python = '/usr/bin/python3';
const hasRef = existsSync(python) && (() => {
  try {
    execFileSync(python, ['-c', 'import numpy, scipy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasRef) {
  console.log('\nreference: /usr/bin/python3 with numpy and scipy not found; no ratios (apt-get install python3-scipy)');
} else {
  const script = new URL('./reference.py', import.meta.url).pathname;
  const runRef = (threads?: string) =>
    JSON.parse(execFileSync(python, [script, folder, DIMS.join(','), String(M)], {
      encoding: 'utf8',
      env: threads ? { ...process.env, OPENBLAS_NUM_THREADS: threads, OMP_NUM_THREADS: threads, MKL_NUM_THREADS: threads } : process.env,
    }));
  const ref1 = runRef('1');
  const ref2 = runRef('2');
  report.reference = { oneThread: ref1, twoThreads: ref2 };
  console.log(`\nreference: SciPy ${ref1.scipy}, NumPy ${ref1.numpy} (BLAS threads set by OPENBLAS_NUM_THREADS/OMP_NUM_THREADS); ratios > 1 mean this engine is slower`);
  const ratios: Record<string, number | null> = {};
  for (const d of DIMS) {
    const wardRatio = methodMs[d].hpool / ref1.ward_ms[d];
    ratios[`hpool_vs_scipy_d${d}`] = wardRatio;
    console.log(`H-Pool d=${d}: ${methodMs[d].hpool.toFixed(1)} ms vs SciPy Ward+fcluster ${ref1.ward_ms[d].toFixed(1)} ms: ${wardRatio.toFixed(2)}x (target <= 1.0x)`);
    for (const [threads, r, mine] of [[1, ref1, maxsim[d].kernel1], [2, ref2, maxsim[d].kernel2]] as const) {
      const npDocsPerSecond = (QUERIES * CORPUS_DOCS) / r.maxsim[d].seconds;
      const share = mine ? mine.docsPerSecond / npDocsPerSecond : null;
      ratios[`maxsim_share_of_numpy_${threads}thread_d${d}`] = share;
      console.log(`MaxSim d=${d}, ${threads} thread${threads > 1 ? 's' : ''}: NumPy ${(npDocsPerSecond / 1e3).toFixed(1)} k docs/s; this engine ${share === null ? 'has no pool here' : `reaches ${(share * 100).toFixed(0)}% of it`} (target >= 50%)`);
    }
  }
  report.ratios = ratios;
}
console.log(`AGC d=512: ${methodMs[512].agc.toFixed(2)} ms/doc (target < 5 ms); TypeScript reference ${referenceMs[512]?.agc?.toFixed(2)} ms`);
if (values.json) {
  writeFileSync(values.json, JSON.stringify(report, null, 2) + '\n');
  console.log(`wrote ${values.json}`);
}
