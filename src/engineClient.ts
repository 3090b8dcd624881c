import * as Comlink from 'comlink';
import type { EngineWorkerApi } from '../workers/engine.worker.ts';
import type { ExperimentConfig, ExperimentProgress, ExperimentResult } from './core/experiment.ts';
import type { VectorSet } from './core/maxsim.ts';
import type { MultiVector } from './core/multivector.ts';

/**
 * Owns one engine worker. `run` starts it on first use; `cancel` terminates it, which really
 * stops the computation, and the next `run` starts a fresh worker.
 */
export class EngineClient {
  private worker?: Worker;
  private api?: Comlink.Remote<EngineWorkerApi>;
  private rejectRun?: (e: Error) => void;

  private ensure(): Comlink.Remote<EngineWorkerApi> {
    if (!this.api) {
      this.worker = new Worker(new URL('../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
      this.api = Comlink.wrap<EngineWorkerApi>(this.worker);
    }
    return this.api;
  }

  runSynthetic(preset: string, config: ExperimentConfig, onProgress: (p: ExperimentProgress) => void): Promise<ExperimentResult> {
    const api = this.ensure();
    return new Promise<ExperimentResult>((resolve, reject) => {
      this.rejectRun = reject;
      api.runSynthetic(preset, config, Comlink.proxy(onProgress)).then(resolve, reject);
    }).finally(() => (this.rejectRun = undefined));
  }

  runCorpus(
    docs: MultiVector[],
    queries: VectorSet[],
    qrels: ReadonlyMap<string, ReadonlyMap<string, number>>,
    config: ExperimentConfig,
    onProgress: (p: ExperimentProgress) => void,
  ): Promise<ExperimentResult> {
    const api = this.ensure();
    const pairs = [...qrels].map(([q, rel]) => [q, [...rel]] as [string, [string, number][]]);
    return new Promise<ExperimentResult>((resolve, reject) => {
      this.rejectRun = reject;
      api.runCorpus(docs, queries, pairs, config, Comlink.proxy(onProgress)).then(resolve, reject);
    }).finally(() => (this.rejectRun = undefined));
  }

  setCorpus(docs: MultiVector[]) {
    return this.ensure().setCorpus(docs);
  }

  inspect(...args: Parameters<EngineWorkerApi['inspect']>) {
    return this.ensure().inspect(...args);
  }

  similarityMap(...args: Parameters<EngineWorkerApi['similarityMap']>) {
    return this.ensure().similarityMap(...args);
  }

  explain(...args: Parameters<EngineWorkerApi['explain']>) {
    return this.ensure().explain(...args);
  }

  importFiles(...args: Parameters<EngineWorkerApi['importFiles']>) {
    return this.ensure().importFiles(...args);
  }

  exportIndex(...args: Parameters<EngineWorkerApi['exportIndex']>) {
    return this.ensure().exportIndex(...args);
  }

  cancel(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.api = undefined;
    this.rejectRun?.(new DOMException('Cancelled', 'AbortError'));
  }
}
