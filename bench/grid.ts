/**
 * The comparison grid at the scale of a document corpus: figures, not pass/fail. Documents of
 * 1,088 vectors of d = 128 (32 x 34 patches, the clustered structure of the synthetic presets):
 *   - H-Pool over the 5 default budgets per document: Ward's tree built once and cut at every
 *     budget (what the grid does) against a tree per budget (what it did), and against SciPy's
 *     Ward + fcluster + NumPy means per document per budget (colpali-engine's pooler) in Debian's
 *     Python, on the same arrays, one thread each;
 *   - `hpool-paper` (Ward on rows of 1 - X X^T) against plain `hpool`, both over the 5 budgets;
 *   - the whole default grid (6 methods x 5 budgets x fp32, 50 queries of 20 tokens: compression,
 *     scoring and bootstrap intervals) on one thread and on a pool of 2 workers (each compressing
 *     and scoring its slice of the corpus), and its peak memory.
 * The grid runs on `--docs` documents (1,000, the issue's corpus), the H-Pool comparisons and
 * SciPy's reference on the first `--hpool-docs` (100: their ratios per document are what counts).
 *
 *   npm run bench:grid -- [--docs 1000] [--hpool-docs 100] [--quick] [--json out.json]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compressDocument } from '../src/core/compress.ts';
import { runExperiment, runExperimentAsync } from '../src/core/experiment.ts';
import { poolCompressor } from '../src/search/gridPool.ts';
import { spawnNodePoolWorker } from '../src/search/nodePool.ts';
import { parseMethodSpec } from '../src/core/methodSpec.ts';
import { writeNpy } from '../src/core/npy.ts';
import { syntheticCorpus } from '../src/core/synthetic.ts';

const { values } = parseArgs({ options: { json: { type: 'string' }, quick: { type: 'boolean', default: false }, docs: { type: 'string' }, 'hpool-docs': { type: 'string' } } });
const DOCS = Number(values.docs ?? (values.quick ? 12 : 1000));
const HPOOL_DOCS = Math.min(DOCS, Number(values['hpool-docs'] ?? (values.quick ? 12 : 100)));
const BUDGETS = [4, 8, 16, 32, 64];
const METHODS = ['none', 'agc', 'hpool', 'kmeans', 'uniform', 'random'];

const corpus = syntheticCorpus({
  name: 'grid-bench', description: 'documents of 32 x 34 patches, d = 128', docs: DOCS, d: 128, rows: 32, cols: 34, frames: 0,
  categories: 12, objectSide: 4, duplicateRate: 0, noise: 0.7, tokensPerObject: 3, fillerTokens: 3, distractorRate: 0,
}, 11);
const docs = corpus.docs.slice(0, DOCS);
const hpoolDocs = docs.slice(0, HPOOL_DOCS);
const n = docs[0].n;
console.log(`grid benchmark: ${docs.length} documents of ${n} vectors, d = ${docs[0].d} (H-Pool comparisons on the first ${hpoolDocs.length}); budgets ${BUDGETS.join(', ')}`);

/** Seconds for `fn` once (the work is long enough that one run is the figure). */
function seconds(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

/** H-Pool (a preset or options) at every budget of every document, sharing Ward's tree or not. */
function hpoolOverBudgets(spec: string, share: boolean): number {
  const s = parseMethodSpec(spec);
  return seconds(() => {
    for (const doc of hpoolDocs) {
      const memo = share ? new Map<string, unknown>() : undefined;
      for (const m of BUDGETS) compressDocument(doc, s, m, { seed: 1, memo });
    }
  });
}

const report: Record<string, unknown> = { documents: docs.length, hpoolDocuments: hpoolDocs.length, vectorsPerDocument: n, d: docs[0].d, budgets: BUDGETS };
const shared = hpoolOverBudgets('hpool', true);
const perBudget = hpoolOverBudgets('hpool', false);
const paper = hpoolOverBudgets('hpool-paper', true);
const perDoc = (s: number) => `${((1000 * s) / hpoolDocs.length).toFixed(1)} ms per document`;
console.log(`hpool, 5 budgets: one tree per document ${shared.toFixed(2)} s (${perDoc(shared)}); a tree per budget ${perBudget.toFixed(2)} s (${perDoc(perBudget)}): ${(perBudget / shared).toFixed(2)}x`);
console.log(`hpool-paper, 5 budgets, one tree per document: ${paper.toFixed(2)} s (${perDoc(paper)}), ${(paper / shared).toFixed(2)}x plain hpool (target <= 2x)`);
report.hpool = { sharedSeconds: shared, perBudgetSeconds: perBudget, paperSharedSeconds: paper, paperOverPlain: paper / shared };

// The reference: SciPy per document per budget, on the same unit vectors.
const python = '/usr/bin/python3';
const folder = mkdtempSync(join(tmpdir(), 'mvc-grid-bench-'));
try {
  const hasScipy = existsSync(python) && (() => {
    try {
      execFileSync(python, ['-c', 'import numpy, scipy'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  if (!hasScipy) console.log('reference: /usr/bin/python3 with numpy and scipy not found; no ratio (apt-get install python3-scipy)');
  else {
    const all = new Float32Array(hpoolDocs.length * n * docs[0].d);
    hpoolDocs.forEach((doc, i) => all.set(doc.data, i * n * doc.d));
    writeFileSync(join(folder, 'docs.npy'), writeNpy(all, [hpoolDocs.length, n, docs[0].d]));
    const ref = JSON.parse(execFileSync(python, [new URL('./grid_reference.py', import.meta.url).pathname, folder, BUDGETS.join(',')], {
      encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
    })) as { seconds: number; scipy: string };
    console.log(`reference: SciPy ${ref.scipy} Ward + fcluster + NumPy means per document per budget, one thread: ${ref.seconds.toFixed(2)} s (${perDoc(ref.seconds)}); this engine takes ${(shared / ref.seconds).toFixed(2)}x its time (target <= 0.3x)`);
    report.reference = { ...ref, ratio: shared / ref.seconds };
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}

// The whole grid, as the Compare view and `cli eval` run it (one thread).
const rng = (() => {
  let s = 5;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
})();
const queries = Array.from({ length: 50 }, (_, q) => {
  // 20 tokens, each a document token of a random document with noise: queries that find something.
  const d = docs[0].d;
  const data = new Float32Array(20 * d);
  for (let t = 0; t < 20; t++) {
    const doc = docs[Math.floor(rng() * docs.length)];
    const at = Math.floor(rng() * doc.n) * d;
    for (let k = 0; k < d; k++) data[t * d + k] = doc.data[at + k] + 0.05 * (rng() - 0.5);
  }
  return { id: `q${q}`, n: 20, d, data };
});
const config = { methods: METHODS.map(parseMethodSpec), budgets: BUDGETS, ks: [1, 10], seed: 1 };
const input = { docs, queries, qrels: new Map() };
const corpusBytes = docs.reduce((s, d) => s + d.data.byteLength, 0);
const grids: Record<string, unknown>[] = [];
for (const threads of [1, 2]) {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  // One thread: everything here; two: a pool of workers, each compressing and scoring its slice.
  if (threads === 1) runExperiment(input, config);
  else await runExperimentAsync(input, config, { compressor: poolCompressor(spawnNodePoolWorker, threads, config.seed) });
  const grid = (performance.now() - t0) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(
    `grid on ${threads} thread${threads > 1 ? 's' : ''}: ${METHODS.length} methods x ${BUDGETS.length} budgets x fp32, 50 queries of 20 tokens, scoring and intervals: ${grid.toFixed(1)} s ` +
      `(${((1000 * grid) / docs.length).toFixed(0)} ms per document; ${docs.length >= 1000 ? 'target under 60 s on 2 threads' : `${docs.length} documents, where starting the run weighs too much to scale it to 1,000: run without --quick/--docs for the target's figure`}); ` +
      `peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB (worker threads share the process: included) for a corpus of ${(corpusBytes / 2 ** 20).toFixed(1)} MiB`,
  );
  grids.push({ seconds: grid, threads, peakRssMiB: peak / 2 ** 20, corpusMiB: corpusBytes / 2 ** 20 });
}
report.grid = grids;
if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2) + '\n');
