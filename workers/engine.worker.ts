/**
 * The engine in a Web Worker: a thin comlink adapter over src/core, so the page's main thread
 * never runs compression or scoring. The experiment is synchronous inside the worker; the page
 * cancels by terminating the worker (Squoosh's approach for work that cannot be interrupted),
 * and a new worker starts lazily on the next run.
 */
import '../src/trustedTypes.ts';
import * as Comlink from 'comlink';
import { runExperimentAsync, type ExperimentConfig, type ExperimentInput, type ExperimentProgress } from '../src/core/experiment.ts';
import { gridThreads, poolCompressor } from '../src/search/gridPool.ts';
import { spawnPoolWorker } from './poolSpawn.ts';
import { explainCompression } from '../src/core/explain.ts';
import { maxSimStory } from '../src/core/story.ts';
import { CorpusInspector } from '../src/core/inspect.ts';
import type { VectorSet } from '../src/core/maxsim.ts';
import type { MultiVector } from '../src/core/multivector.ts';
import { syntheticCorpus } from '../src/core/synthetic.ts';
import { importEmbeddings, type ImportedCorpus } from '../src/core/importer.ts';
import { exportFiles, indexFileBlobs } from '../src/core/exportIndex.ts';
import { parseMethodSpec } from '../src/core/methodSpec.ts';
import type { MuveraOptions } from '../src/core/muvera.ts';
import { muveraEvaluate } from '../src/core/muveraEval.ts';
import type { EvalStorage } from '../src/core/storage/stored.ts';

const bytesOf = async (f?: File) => (f ? { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) } : undefined);

let inspector: CorpusInspector | undefined;

const api = {
  /** A step-by-step trace of one document's compression, for the teaching view. */
  explain: explainCompression,

  /** The teaching story's figures: MaxSim token by token, uncompressed and on AGC's m vectors. */
  story: maxSimStory,

  /** Holds a corpus for per-query inspection (a side-by-side panel); compressed indexes are cached. */
  setCorpus(docs: MultiVector[]) {
    inspector = new CorpusInspector(docs);
  },

  inspect(spec: string, budget: number | null, query: VectorSet, qrel: [string, number][], docId?: string) {
    if (!inspector) throw new Error('no corpus set');
    return inspector.inspect(spec, budget, query, new Map(qrel), docId);
  },

  /** The similarity map of a query on one document in one index (the Similarity maps view). */
  similarityMap(spec: string, budget: number | null, query: VectorSet, docId: string, seed = 1) {
    if (!inspector) throw new Error('no corpus set');
    return inspector.map(spec, budget, query, docId, seed);
  },

  /** Builds the seeded synthetic corpus and runs the grid on it. */
  runSynthetic(preset: string, config: ExperimentConfig, onProgress?: (p: ExperimentProgress) => void, threads = 0) {
    return runGrid(syntheticCorpus(preset, config.seed), config, onProgress, threads);
  },

  /** MUVERA's two stages on a corpus with its queries (the Compare view's MUVERA section). */
  muvera(docs: MultiVector[], queries: VectorSet[], qrels: [string, [string, number][]][], options: MuveraOptions, candidates: number[]) {
    return muveraEvaluate({ docs, queries, qrels: new Map(qrels.map(([q, rel]) => [q, new Map(rel)])) }, options, candidates);
  },

  /** Runs the grid on an embedded corpus (documents and query vectors from the embedding worker). */
  runCorpus(
    docs: MultiVector[],
    queries: VectorSet[],
    qrels: [string, [string, number][]][],
    config: ExperimentConfig,
    onProgress?: (p: ExperimentProgress) => void,
    threads = 0,
  ) {
    const judgments = new Map(qrels.map(([q, rel]) => [q, new Map(rel)]));
    return runGrid({ docs, queries, qrels: judgments }, config, onProgress, threads);
  },
};

/**
 * The grid, its compression on a pool of workers (one per core for a large corpus, or `threads`;
 * they stop with this worker when the page cancels), the rest here; the result equals one thread's.
 */
function runGrid(input: ExperimentInput, config: ExperimentConfig, onProgress: ((p: ExperimentProgress) => void) | undefined, threads: number) {
  const n = gridThreads(threads, input.docs.reduce((s, d) => s + d.n, 0), navigator.hardwareConcurrency ?? 1);
  return runExperimentAsync(input, config, { onProgress, progressEvery: 8, compressor: n > 1 ? poolCompressor(spawnPoolWorker, n, config.seed) : undefined });
}

/** What the page keeps of an import: the corpus (documents, query vectors, relevance) and a summary. */
export interface ImportSummary {
  corpus: Pick<ImportedCorpus, 'docs' | 'queries' | 'd' | 'layout' | 'dtype' | 'notes' | 'manifest'> & { qrels: [string, [string, number][]][] };
  tokens: number;
}

const io = {
  /** Reads and checks files made elsewhere; either the whole corpus comes back or an error naming the field. */
  async importFiles(docs: File, queries?: File, relevance?: File): Promise<ImportSummary> {
    const c = await importEmbeddings((await bytesOf(docs))!, await bytesOf(queries), await bytesOf(relevance));
    // Moved to the page, not copied: a large corpus then exists once, not twice.
    const buffers = new Set<ArrayBuffer>();
    for (const x of [...c.docs, ...c.queries]) {
      buffers.add(x.data.buffer as ArrayBuffer);
      const doc = x as MultiVector;
      if (doc.saliency) buffers.add(doc.saliency.buffer as ArrayBuffer);
      for (const arr of Object.values(doc.positions ?? {})) if (arr) buffers.add(arr.buffer as ArrayBuffer);
    }
    return Comlink.transfer({
      corpus: { docs: c.docs, queries: c.queries, d: c.d, layout: c.layout, dtype: c.dtype, notes: c.notes, manifest: c.manifest, qrels: [...c.qrels].map(([q, rel]) => [q, [...rel]]) },
      tokens: c.docs.reduce((s, x) => s + x.n, 0),
    }, [...buffers]);
  },

  /**
   * Compresses the corpus with one method and budget, stores it in one type (residual ones too),
   * and returns the safetensors index, its manifest (with the Qdrant collection settings) and
   * Qdrant JSONL points.
   */
  exportIndex(docs: MultiVector[], method: string, budget: number | null, storage: EvalStorage, model: string, seed: number, muvera?: MuveraOptions) {
    const spec = parseMethodSpec(method);
    const { files, skipped } = exportFiles(docs, { d: docs[0].d, spec, budget, storage, seed }, model, muvera);
    return { ...indexFileBlobs(files), skipped };
  },
};
Object.assign(api, io);

export type EngineWorkerApi = typeof api & typeof io;
Comlink.expose(api);
