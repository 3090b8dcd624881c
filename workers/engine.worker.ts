/**
 * The engine in a Web Worker: a thin comlink adapter over src/core, so the page's main thread
 * never runs compression or scoring. The experiment is synchronous inside the worker; the page
 * cancels by terminating the worker (Squoosh's approach for work that cannot be interrupted),
 * and a new worker starts lazily on the next run.
 */
import * as Comlink from 'comlink';
import { runExperiment, type ExperimentConfig, type ExperimentProgress } from '../src/core/experiment.ts';
import { explainCompression } from '../src/core/explain.ts';
import { CorpusInspector } from '../src/core/inspect.ts';
import type { VectorSet } from '../src/core/maxsim.ts';
import type { MultiVector } from '../src/core/multivector.ts';
import { syntheticCorpus } from '../src/core/synthetic.ts';

let inspector: CorpusInspector | undefined;

const api = {
  /** A step-by-step trace of one document's compression, for the teaching view. */
  explain: explainCompression,

  /** Holds a corpus for per-query inspection (a side-by-side panel); compressed indexes are cached. */
  setCorpus(docs: MultiVector[]) {
    inspector = new CorpusInspector(docs);
  },

  inspect(spec: string, budget: number | null, query: VectorSet, qrel: [string, number][], docId?: string) {
    if (!inspector) throw new Error('no corpus set');
    return inspector.inspect(spec, budget, query, new Map(qrel), docId);
  },

  /** Builds the seeded synthetic corpus and runs the grid on it. */
  runSynthetic(preset: string, config: ExperimentConfig, onProgress?: (p: ExperimentProgress) => void) {
    const corpus = syntheticCorpus(preset, config.seed);
    return runExperiment(corpus, config, { onProgress, progressEvery: 8 });
  },

  /** Runs the grid on an embedded corpus (documents and query vectors from the embedding worker). */
  runCorpus(
    docs: MultiVector[],
    queries: VectorSet[],
    qrels: [string, [string, number][]][],
    config: ExperimentConfig,
    onProgress?: (p: ExperimentProgress) => void,
  ) {
    const judgments = new Map(qrels.map(([q, rel]) => [q, new Map(rel)]));
    return runExperiment({ docs, queries, qrels: judgments }, config, { onProgress, progressEvery: 8 });
  },
};

export type EngineWorkerApi = typeof api;
Comlink.expose(api);
