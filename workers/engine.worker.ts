/**
 * The engine in a Web Worker: a thin comlink adapter over src/core, so the page's main thread
 * never runs compression or scoring. The experiment is synchronous inside the worker; the page
 * cancels by terminating the worker (Squoosh's approach for work that cannot be interrupted),
 * and a new worker starts lazily on the next run.
 */
import * as Comlink from 'comlink';
import { runExperiment, type ExperimentConfig, type ExperimentProgress } from '../src/core/experiment.ts';
import { syntheticCorpus } from '../src/core/synthetic.ts';

const api = {
  /** Builds the seeded synthetic corpus and runs the grid on it. */
  runSynthetic(preset: string, config: ExperimentConfig, onProgress?: (p: ExperimentProgress) => void) {
    const corpus = syntheticCorpus(preset, config.seed);
    return runExperiment(corpus, config, { onProgress, progressEvery: 8 });
  },
};

export type EngineWorkerApi = typeof api;
Comlink.expose(api);
