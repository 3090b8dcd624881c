import * as Comlink from 'comlink';
import type { EngineWorkerApi } from '../../workers/engine.worker.ts';
import type { ExperimentConfig, ExperimentProgress, ExperimentResult } from '../core/experiment.ts';
import type { VectorSet } from '../core/maxsim.ts';
import type { MultiVector } from '../core/multivector.ts';
import type { MuveraOptions } from '../core/muvera.ts';
import { WorkerBridge } from './workerBridge.ts';

export type { ImportSummary } from '../../workers/engine.worker.ts';

/**
 * Owns one engine worker through the worker bridge: it starts on first use, `cancel` (or an
 * aborted signal) terminates it, which really stops the computation, and the next call starts a
 * fresh worker. Idle for a minute, the worker is terminated too; a client that keeps a corpus in
 * it (`setCorpus`) checks `generation` and sends it again.
 */
export class EngineClient {
  private readonly bridge = new WorkerBridge<EngineWorkerApi>(() => new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' }), { idleMs: 60_000 });

  /** Workers started so far: state set in an earlier one (a corpus) is gone when this changed. */
  get generation(): number {
    return this.bridge.generation;
  }

  /** Whether a worker is running now (an idle one is terminated after a minute). */
  get running(): boolean {
    return this.bridge.running;
  }

  runSynthetic(preset: string, config: ExperimentConfig, onProgress: (p: ExperimentProgress) => void, signal?: AbortSignal, threads = 0): Promise<ExperimentResult> {
    return this.bridge.run(signal, (api) => api.runSynthetic(preset, config, Comlink.proxy(onProgress), threads));
  }

  runCorpus(
    docs: MultiVector[],
    queries: VectorSet[],
    qrels: ReadonlyMap<string, ReadonlyMap<string, number>>,
    config: ExperimentConfig,
    onProgress: (p: ExperimentProgress) => void,
    signal?: AbortSignal,
    threads = 0,
  ): Promise<ExperimentResult> {
    const pairs = [...qrels].map(([q, rel]) => [q, [...rel]] as [string, [string, number][]]);
    return this.bridge.run(signal, (api) => api.runCorpus(docs, queries, pairs, config, Comlink.proxy(onProgress), threads));
  }

  muvera(docs: MultiVector[], queries: VectorSet[], qrels: ReadonlyMap<string, ReadonlyMap<string, number>>, options: MuveraOptions, candidates: number[]) {
    const pairs = [...qrels].map(([q, rel]) => [q, [...rel]] as [string, [string, number][]]);
    return this.bridge.run(undefined, (api) => api.muvera(docs, queries, pairs, options, candidates));
  }

  setCorpus(docs: MultiVector[]) {
    return this.bridge.run(undefined, (api) => api.setCorpus(docs));
  }

  inspect(...args: Parameters<EngineWorkerApi['inspect']>) {
    return this.bridge.run(undefined, (api) => api.inspect(...args));
  }

  similarityMap(...args: Parameters<EngineWorkerApi['similarityMap']>) {
    return this.bridge.run(undefined, (api) => api.similarityMap(...args));
  }

  story(...args: Parameters<EngineWorkerApi['story']>) {
    return this.bridge.run(undefined, (api) => api.story(...args));
  }

  explain(...args: Parameters<EngineWorkerApi['explain']>) {
    return this.bridge.run(undefined, (api) => api.explain(...args));
  }

  importFiles(...args: Parameters<EngineWorkerApi['importFiles']>) {
    return this.bridge.run(undefined, (api) => api.importFiles(...args));
  }

  exportIndex(...args: Parameters<EngineWorkerApi['exportIndex']>) {
    return this.bridge.run(undefined, (api) => api.exportIndex(...args));
  }

  /** Terminates the worker: whatever it computes stops, and calls in flight reject with AbortError. */
  cancel(): void {
    this.bridge.terminate();
  }
}
