#!/usr/bin/env node
/**
 * Command line over the same engine the page runs in its worker.
 *
 *   npm run cli -- compress --method agc --budget 32 --input tokens.npy --output out.npy \
 *       [--saliency s.npy] [--assignments a.json] [--seed 0]
 *   npm run cli -- eval [--synthetic images | --input FILE|DIR [--queries FILE] [--qrels FILE]] \
 *       [--methods none,agc,hpool] [--budgets 4,8,16,32,64] [--storage fp32,fp16,int8,binary] \
 *       [--ks 1,5,10] [--seed 1] [--json out.json] [--csv out.csv]
 *   npm run cli -- export --input FILE|DIR --method agc --budget 32 [--storage fp16] \
 *       --output index.safetensors [--manifest index.json] [--qdrant points.jsonl] [--model NAME]
 *   npm run cli -- search [--scale 100000 | --synthetic P | --input FILE|DIR] [--threads 2] \
 *       [--candidates 250,1000] [--storage fp16] [--json out.json]
 *
 * Errors print one line on stderr and exit non-zero (2 for usage, 1 for bad data).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { checkOutputs, intList, readFile, UsageError, writeOutputs } from './files.ts';
import { checkGrid, checkMuveraBytes, checkScaleIndex, checkThreads } from '../src/core/settingLimits.ts';
import { bytesPerVector } from '../src/core/storage/stored.ts';
import { parseArgs } from 'node:util';
import { compressDocument } from '../src/core/compress.ts';
import { DEFAULT_BUDGETS, DEFAULT_KS, runExperimentAsync, type ExperimentInput } from '../src/core/experiment.ts';
import { poolCompressor } from '../src/search/gridPool.ts';
import { ALL_METHOD_IDS, formatMethodSpec, parseMethodSpec } from '../src/core/methodSpec.ts';
import type { VectorSet } from '../src/core/maxsim.ts';
import type { Judgments } from '../src/core/metrics.ts';
import type { StoredCorpus } from '../src/core/storage/stored.ts';
import { spawnNodePoolWorker } from '../src/search/nodePool.ts';
import { ScaleIndex } from '../src/search/scaleIndex.ts';
import { formatSearchFigures, searchFigures } from '../src/search/searchFigures.ts';
import { availableParallelism } from 'node:os';
import { readNpy, writeNpy } from '../src/core/npy.ts';
import { buildIndex, exportFiles } from '../src/core/exportIndex.ts';
import { corpusFromArrays, importEmbeddings, type ImportedCorpus, type NamedArrays } from '../src/core/importer.ts';
import { parseEvalStorageList, parseStorageList } from '../src/core/storage/stored.ts';
import { SettingError } from '../src/core/settingError.ts';

import { formatTable, resultTable, toCSV, toJSON } from '../src/core/report.ts';
import { describeFinding, findBudgets } from '../src/core/budgetFinder.ts';
import { MUVERA_DEFAULTS } from '../src/core/muvera.ts';
import { muveraEvaluate } from '../src/core/muveraEval.ts';
import { ALL_SYNTHETIC_PRESETS, syntheticCorpus } from '../src/core/synthetic.ts';


const HELP = `usage:
  cli compress --method <id> --budget <m> --input <tokens.npy> --output <out.npy>
               [--saliency <s.npy>] [--assignments <a.json>] [--seed <n>]
  cli eval [--synthetic <${Object.keys(ALL_SYNTHETIC_PRESETS).join('|')}> | --input <file|dir> [--queries <file>] [--qrels <file>]]
           [--methods <ids>] [--budgets <m,...>] [--storage <types>] [--ks <k,...>] [--seed <n>]
           [--json <file>] [--csv <file>] [--find-budget <fraction>] [--threads <n>]
  cli muvera [--synthetic <preset> | --input <file|dir> [--queries <file>] [--qrels <file>]]
           [--ksim <bits>] [--reps <n>] [--dproj <d>] [--candidates <C,...>] [--seed <n>] [--json <file>]
  cli export --input <file|dir> --method <id> --budget <m> --output <index.safetensors>
           [--storage fp32|fp16|int8|binary|res2|res1] [--manifest <file.json>] [--qdrant <points.jsonl>]
           [--muvera <k_sim,reps[,d_proj]>]
           [--model <name>] [--seed <n>]
  cli search [--scale <docs> [--d <d>] [--tokens <n>] | --synthetic <preset> | --input <file|dir> [--queries <file>] [--qrels <file>]]
           [--method <id>] [--budget <m>] [--storage fp32|fp16|int8|binary] [--threads <n>]
           [--candidates <C,...>|0] [--seed <n>] [--json <file>]
methods: ${ALL_METHOD_IDS.join(', ')}; options as id:key=value (e.g. hpool:protectFirst=true)
storage: fp32, fp16, int8 (per-vector scale), binary (Hamming MaxSim); eval and export also res2, res1 (ColBERTv2 residuals)
--input: a .safetensors or .npz file (ragged doc_embeddings + doc_offsets, or padded + doc_mask;
  see README "Import"), or a folder of doc_embeddings.npy, doc_offsets.npy [, doc_saliency.npy,
  doc_ids.json, query_embeddings.npy, query_offsets.npy, query_ids.json, qrels.tsv]`;

async function compress(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      method: { type: 'string' }, budget: { type: 'string' }, input: { type: 'string' }, output: { type: 'string' },
      saliency: { type: 'string' }, assignments: { type: 'string' }, seed: { type: 'string', default: '0' },
    },
    strict: true,
  });
  for (const flag of ['method', 'budget', 'input', 'output'] as const)
    if (!values[flag]) throw new UsageError(`compress needs --${flag}`);
  const spec = parseMethodSpec(values.method!);
  const budget = Number(values.budget);
  if (!Number.isInteger(budget) || budget < 1) throw new UsageError(`--budget must be an integer >= 1, got "${values.budget}"`);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${values.seed}"`);
  checkOutputs({ '--output': values.output, '--assignments': values.assignments }, [values.input, values.saliency]);
  const tokens = readNpy(readFile(values.input!, '--input'), values.input);
  if (tokens.shape.length !== 2 || !(tokens.data instanceof Float32Array))
    throw new Error(`${values.input}: expected a 2-D float array (n x d), got ${tokens.dtype} of shape (${tokens.shape.join(', ')})`);
  const [n, d] = tokens.shape;
  let saliency: Float32Array | undefined;
  if (values.saliency) {
    const s = readNpy(readFile(values.saliency, '--saliency'), values.saliency);
    if (s.data.length !== n || !(s.shape.length === 1 || (s.shape.length === 2 && s.shape[1] === 1)))
      throw new Error(`${values.saliency}: expected ${n} saliency values (shape (${n},)), got shape (${s.shape.join(', ')})`);
    saliency = Float32Array.from(s.data);
  }
  const out = compressDocument({ id: values.input!, n, d, data: tokens.data, saliency, saliencySource: saliency ? 'file' : undefined }, spec, budget, { seed });
  if (out.saliencySource === 'pooled-similarity')
    process.stderr.write(`note: no --saliency given; ${spec.method} used similarity to the mean token as saliency\n`);
  await writeOutputs([
    { flag: '--output', path: values.output!, data: writeNpy(out.data, [out.n, d]) },
    ...(values.assignments ? [{ flag: '--assignments', path: values.assignments, data: JSON.stringify(Array.from(out.assignments)) + '\n' }] : []),
  ]);
  process.stderr.write(`${n} tokens -> ${out.n} vectors (${spec.method}, budget ${budget})\n`);
}

function loadDirectory(dir: string): ImportedCorpus {
  const arrays = new Map();
  const metadata: Record<string, string> = {};
  for (const name of ['doc_embeddings', 'doc_offsets', 'doc_saliency', 'doc_mask', 'doc_grid', 'query_embeddings', 'query_offsets', 'query_mask']) {
    const p = join(dir, `${name}.npy`);
    if (existsSync(p)) arrays.set(name, readNpy(new Uint8Array(readFileSync(p)), name));
  }
  for (const name of ['doc_ids', 'query_ids']) {
    const p = join(dir, `${name}.json`);
    if (existsSync(p)) metadata[name] = readFileSync(p, 'utf8');
  }
  const named: NamedArrays = { arrays, metadata };
  const qrels = join(dir, 'qrels.tsv');
  return corpusFromArrays(named, undefined, existsSync(qrels) ? { name: 'qrels.tsv', text: readFileSync(qrels, 'utf8') } : undefined, { docs: dir });
}

/** --input as a folder of .npy files, or a .safetensors / .npz file (with --queries, --qrels). */
async function loadInput(input: string, queries?: string, qrels?: string): Promise<ImportedCorpus> {
  if (!existsSync(input)) throw new UsageError(`--input: no such file or directory: ${input}`);
  let corpus: ImportedCorpus;
  if (statSync(input).isDirectory()) {
    if (queries) throw new UsageError('--queries goes with a .safetensors or .npz --input; a folder holds its own query_*.npy');
    corpus = loadDirectory(input);
  } else {
    const file = (p: string, flag: string) => ({ name: basename(p), bytes: readFile(p, flag) });
    corpus = await importEmbeddings(file(input, '--input'), queries ? file(queries, '--queries') : undefined, qrels ? file(qrels, '--qrels') : undefined);
  }
  for (const note of corpus.notes) process.stderr.write(`note: ${note}\n`);
  return corpus;
}

async function exportIndex(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      input: { type: 'string' }, method: { type: 'string' }, budget: { type: 'string' }, output: { type: 'string' },
      storage: { type: 'string', default: 'fp16' }, manifest: { type: 'string' }, qdrant: { type: 'string' },
      model: { type: 'string' }, seed: { type: 'string', default: '0' }, muvera: { type: 'string' },
    },
    strict: true,
  });
  for (const flag of ['input', 'method', 'budget', 'output'] as const) if (!values[flag]) throw new UsageError(`export needs --${flag}`);
  let muvera: [number, number, number?] | undefined;
  if (values.muvera !== undefined) {
    const parts = intList(values.muvera, '--muvera');
    if (parts.length < 2 || parts.length > 3) throw new UsageError(`--muvera is k_sim,repetitions[,d_proj], e.g. 4,10,16; got "${values.muvera}"`);
    muvera = parts as [number, number, number?];
  }
  const spec = parseMethodSpec(values.method!);
  const budget = values.budget === 'full' ? null : Number(values.budget);
  if (budget !== null && (!Number.isInteger(budget) || budget < 1)) throw new UsageError(`--budget must be an integer >= 1 or "full", got "${values.budget}"`);
  const [storage, ...more] = parseEvalStorageList(values.storage!);
  if (more.length) throw new UsageError('export writes one storage type; give one --storage');
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${values.seed}"`);
  checkOutputs({ '--output': values.output, '--manifest': values.manifest, '--qdrant': values.qdrant }, [values.input]);
  const corpus = await loadInput(values.input!);
  const fde = muvera && { kSim: muvera[0], reps: muvera[1], dProj: muvera[2] ?? corpus.d, seed };
  // Before any compression: the encodings' size is known from the settings and the corpus.
  if (fde) checkMuveraBytes(corpus.docs.length, fde.reps, fde.kSim, fde.dProj);
  const { files, skipped, tokensIn } = exportFiles(corpus.docs, { d: corpus.d, spec, budget, storage, seed }, values.model ?? corpus.manifest?.model ?? basename(values.input!), fde);
  for (const message of skipped) process.stderr.write(`skipped ${message}\n`);
  if (values.qdrant && !files.qdrant) throw new UsageError('--qdrant: binary vectors cannot go to Qdrant as a MAX_SIM multivector (it scores dot products); export fp32, fp16 or int8');
  await writeOutputs([
    { flag: '--output', path: values.output!, data: files.safetensors },
    ...(values.manifest ? [{ flag: '--manifest', path: values.manifest, data: files.manifestJson }] : []),
    ...(values.qdrant && files.qdrant ? [{ flag: '--qdrant', path: values.qdrant, data: files.qdrant() }] : []),
  ]);
  const { manifest } = files;
  process.stderr.write(`${manifest.documents} documents, ${tokensIn} tokens -> ${manifest.vectors} vectors (${manifest.method}, budget ${budget ?? 'full'}, ${storage}); ${skipped.length} skipped\n`);
}

/** The corpus of eval and muvera: --input (with --queries and --qrels) or a --synthetic preset. */
async function loadCorpus(
  values: { input?: string; queries?: string; qrels?: string; synthetic?: string },
  seed: number,
): Promise<{ input: ExperimentInput; source: string }> {
  if ((values.queries || values.qrels) && !values.input) throw new UsageError('--queries and --qrels go with --input');
  if (values.input) {
    const imported = await loadInput(values.input, values.queries, values.qrels);
    const m = imported.manifest;
    return { input: imported, source: `${values.input}${m ? ` (exported index: ${m.method}, budget ${m.budget ?? 'full'}, ${m.storage})` : ''}` };
  }
  const preset = values.synthetic ?? 'images';
  if (!Object.hasOwn(ALL_SYNTHETIC_PRESETS, preset)) throw new UsageError(`unknown synthetic preset "${preset}"; known: ${Object.keys(ALL_SYNTHETIC_PRESETS).join(', ')}`);
  return { input: syntheticCorpus(preset, seed), source: `synthetic:${preset} (seed ${seed}): ${ALL_SYNTHETIC_PRESETS[preset].description}` };
}

async function evaluate(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      synthetic: { type: 'string' }, input: { type: 'string' }, queries: { type: 'string' }, qrels: { type: 'string' },
      storage: { type: 'string', default: 'fp32' }, methods: { type: 'string', default: 'none,agc,hpool,kmeans,uniform,random,top-saliency' },
      budgets: { type: 'string', default: DEFAULT_BUDGETS.join(',') }, ks: { type: 'string', default: DEFAULT_KS.join(',') },
      seed: { type: 'string', default: '1' }, json: { type: 'string' }, csv: { type: 'string' }, quiet: { type: 'boolean', default: false },
      'find-budget': { type: 'string' }, threads: { type: 'string', default: '1' },
    },
    strict: true,
  });
  const keep = values['find-budget'] === undefined ? undefined : Number(values['find-budget']);
  if (keep !== undefined && !(keep > 0 && keep <= 1)) throw new UsageError(`--find-budget expects a fraction in (0, 1], e.g. 0.95, got "${values['find-budget']}"`);
  if (values.synthetic && values.input) throw new UsageError('give either --synthetic or --input, not both');
  checkOutputs({ '--json': values.json, '--csv': values.csv }, [values.input, values.queries, values.qrels]);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${values.seed}"`);
  const budgets = intList(values.budgets!, '--budgets');
  const ks = intList(values.ks!, '--ks');
  const storages = parseEvalStorageList(values.storage!);
  const methodTexts = values.methods!.split(',');
  checkGrid(methodTexts.length, budgets.length, storages.length);
  const methods = methodTexts.map((s) => parseMethodSpec(s));
  // Compression on a pool of worker threads; the figures equal one thread's (src/search/gridPool.ts).
  const threads = checkThreads(intList(values.threads!, '--threads')[0], availableParallelism(), '--threads');
  const { input, source } = await loadCorpus(values, seed);
  if (input.queries.length === 0) throw new Error('the corpus has no queries, so there is nothing to evaluate');
  const started = performance.now();
  let lastLine = 0;
  const result = await runExperimentAsync(input, { methods, budgets, ks, seed, storages }, {
    compressor: threads > 1 ? poolCompressor(spawnNodePoolWorker, threads, seed) : undefined,
    onProgress: (p) => {
      if (values.quiet || !process.stderr.isTTY || performance.now() - lastLine < 200) return;
      lastLine = performance.now();
      if (p.stage === 'compress' || p.stage === 'search')
        process.stderr.write(`\r${p.stage} ${p.method} m=${p.budget ?? 'full'}  cell ${p.cell + 1}/${p.cells}  ${p.done}/${p.total}   `);
    },
  });
  if (process.stderr.isTTY && !values.quiet) process.stderr.write('\r\x1b[K');
  console.log(`corpus: ${source}`);
  console.log(`${result.documents} documents, ${result.tokens} tokens, d = ${result.dimension}, ${result.queries} queries; ${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const f of result.failures) console.log(`skipped ${f.message}`);
  console.log(formatTable(result));
  let findings;
  if (keep !== undefined) {
    if (!methods.some((m) => m.method === 'none')) throw new UsageError('--find-budget compares with the uncompressed index: add "none" to --methods');
    const metric = `ndcg@${ks.includes(10) ? 10 : ks[0]}`;
    findings = findBudgets(result, { keep, metric, storage: storages[0] });
    console.log(`\nsmallest budget keeping ${(keep * 100).toFixed(1)}% of uncompressed ${metric} (${storages[0]}; paired bootstrap over queries):`);
    for (const f of findings) console.log(`  ${describeFinding(f, keep, metric)}`);
  }
  await writeOutputs([
    ...(values.json ? [{ flag: '--json', path: values.json, data: (findings ? toJSON({ ...result, budgetFinder: { keep, findings } } as typeof result) : toJSON(result)) + '\n' }] : []),
    ...(values.csv ? [{ flag: '--csv', path: values.csv, data: toCSV(resultTable(result)) }] : []),
  ]);
}

/** MUVERA fixed-dimensional encodings as a two-stage search: stage one alone, then re-ranked. */
async function muvera(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      synthetic: { type: 'string' }, input: { type: 'string' }, queries: { type: 'string' }, qrels: { type: 'string' },
      ksim: { type: 'string', default: String(MUVERA_DEFAULTS.kSim) }, reps: { type: 'string', default: String(MUVERA_DEFAULTS.reps) },
      dproj: { type: 'string' }, candidates: { type: 'string', default: '10,50,100' }, seed: { type: 'string', default: '1' }, json: { type: 'string' },
    },
    strict: true,
  });
  if (values.synthetic && values.input) throw new UsageError('give either --synthetic or --input, not both');
  checkOutputs({ '--json': values.json }, [values.input, values.queries, values.qrels]);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${values.seed}"`);
  const { input, source } = await loadCorpus(values, seed);
  if (input.queries.length === 0) throw new Error('the corpus has no queries, so there is nothing to evaluate');
  const d = input.docs[0].d;
  const [kSim] = intList(values.ksim!, '--ksim', true);
  const [reps] = intList(values.reps!, '--reps');
  const [dProj] = values.dproj ? intList(values.dproj, '--dproj') : [d];
  const candidates = intList(values.candidates!, '--candidates');
  checkMuveraBytes(input.docs.length, reps, kSim, dProj);
  const report = muveraEvaluate(input, { kSim, reps, dProj, seed }, candidates);
  console.log(`corpus: ${source}: ${input.docs.length} documents, ${input.queries.length} queries, d = ${d}`);
  console.log(`MUVERA (arXiv 2405.19504): k_sim = ${kSim}, ${reps} repetitions, d_proj = ${dProj}: ${report.fdeDimension} values per document (${report.fdeBytesPerDoc} bytes in fp32), encoded in ${report.encodeMsPerDoc.toFixed(2)} ms per document`);
  const rows = [
    ['exhaustive MaxSim', report.exhaustive.metrics['recall@10'], report.exhaustive.metrics['ndcg@10'], 1, report.exhaustive.msPerQuery],
    ...report.stages.map((st) => [st.stage === 'fde' ? 'FDE dot product alone' : `FDE, then MaxSim on the top ${st.candidates}`, st.metrics['recall@10'], st.metrics['ndcg@10'], st.recallOfExhaustive10, st.msPerQuery]),
  ] as [string, number, number, number, number][];
  console.log(['stage'.padEnd(36), 'recall@10', 'ndcg@10', 'exhaustive top-10 kept', 'ms/query'].join('  '));
  const judged = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '–' : v.toFixed(3));
  for (const [label, r, n, keep, ms] of rows) console.log([label.padEnd(36), judged(r).padStart(9), judged(n).padStart(7), `${(keep * 100).toFixed(1)}%`.padStart(22), ms.toFixed(2).padStart(8)].join('  '));
  if (report.exhaustive.metrics['recall@10'] === undefined) console.log('no query has judgments (--qrels): recall and nDCG are undefined; the share of exhaustive MaxSim\'s top 10 kept says how close each stage comes');
  if (values.json) await writeOutputs([{ flag: '--json', path: values.json, data: JSON.stringify(report, null, 2) + '\n' }]);
}

/**
 * Search latency over a compressed index: exhaustive MaxSim on one thread and on a pool of
 * workers, and two-stage search (sign-bit prefilter, C candidates re-ranked exactly).
 */
async function search(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      scale: { type: 'string' }, d: { type: 'string', default: '128' }, tokens: { type: 'string', default: '64' },
      synthetic: { type: 'string' }, input: { type: 'string' }, queries: { type: 'string' }, qrels: { type: 'string' },
      method: { type: 'string', default: 'agc' }, budget: { type: 'string', default: '32' }, storage: { type: 'string', default: 'fp16' },
      threads: { type: 'string', default: String(Math.min(availableParallelism(), 8)) }, candidates: { type: 'string', default: '250,1000,4000' },
      seed: { type: 'string', default: '1' }, json: { type: 'string' },
    },
    strict: true,
  });
  if ([values.scale, values.synthetic, values.input].filter(Boolean).length > 1) throw new UsageError('give one of --scale, --synthetic or --input');
  checkOutputs({ '--json': values.json }, [values.input, values.queries, values.qrels]);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${values.seed}"`);
  const [storage] = parseStorageList(values.storage!);
  const [budget] = intList(values.budget!, '--budget');
  const threads = checkThreads(intList(values.threads!, '--threads')[0], availableParallelism(), '--threads');
  const candidates = values.candidates === '0' ? [] : intList(values.candidates!, '--candidates');
  const spec = parseMethodSpec(values.method!);
  let stored: StoredCorpus;
  let queries: readonly VectorSet[];
  let qrels: ReadonlyMap<string, Judgments> | undefined;
  let source: string;
  const started = performance.now();
  if (values.scale) {
    const [docs] = intList(values.scale, '--scale');
    const [d] = intList(values.d!, '--d');
    const [tokens] = intList(values.tokens!, '--tokens');
    checkScaleIndex({ docs, tokens, m: budget, bytesPerVector: bytesPerVector(storage, d), baseline: false });
    const index = await ScaleIndex.build(
      { spec: { docs, d, tokens, queries: 16, seed }, method: values.method!, budget, storage, compressOn: 'cpu', keepBaseline: false, threads },
      { progressEvery: 5000, spawn: spawnNodePoolWorker, onProgress: (p) => process.stderr.isTTY && process.stderr.write(`\rbuilding ${p.done}/${p.total}  `) },
    );
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    ({ stored, queries, qrels } = index);
    source = `synthetic scale index (seed ${seed}): ${docs} documents of ${tokens} tokens, d = ${d}`;
  } else {
    const { input, source: from } = await loadCorpus(values, seed);
    const built = buildIndex(input.docs, { d: input.docs[0].d, spec, budget, storage, seed });
    for (const s of built.skipped) console.log(`skipped ${s}`);
    ({ stored } = built);
    ({ queries, qrels } = input);
    source = from;
  }
  console.log(`corpus: ${source}; compressed with ${formatMethodSpec(spec)} to m = ${budget}, ${storage}, in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (queries.length === 0) throw new Error('the corpus has no queries, so there is nothing to search');
  const figures = await searchFigures(stored, queries, qrels, { threads, candidates, spawn: spawnNodePoolWorker });
  for (const line of formatSearchFigures(figures)) console.log(line);
  if (values.json) await writeOutputs([{ flag: '--json', path: values.json, data: JSON.stringify({ source, method: formatMethodSpec(spec), budget, storage, ...figures }, null, 2) + '\n' }]);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'compress') await compress(rest);
    else if (command === 'eval') await evaluate(rest);
    else if (command === 'muvera') await muvera(rest);
    else if (command === 'export') await exportIndex(rest);
    else if (command === 'search') await search(rest);
    else if (!command || command === 'help' || command === '--help' || command === '-h') console.log(HELP);
    else throw new UsageError(`unknown command "${command}" (expected compress, eval, muvera, export or search; see --help)`);
    return 0;
  } catch (e) {
    const err = e as Error & { code?: string };
    // parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed flags.
    // By type, never by message text: a usage error, a bad setting, or a malformed flag exit 2; bad data 1.
    const usage = e instanceof UsageError || e instanceof SettingError || String(err.code).startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`error: ${err.message.split('\n')[0]}\n`);
    return usage ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
