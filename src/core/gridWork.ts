/**
 * How much of the grid is done, by what its steps cost rather than how many there are: the
 * uncompressed reference and H-Pool's trees are most of a run, AGC's or uniform pooling's cells
 * almost nothing, so counting cells said 84 s were left of a run that took 14. Each step's cost is
 * estimated from its arithmetic (multiply-adds over the documents' sizes), with factors measured
 * on the grid benchmark (bench/grid.ts: 1,000 documents of 1,088 x 128, where the model's shares
 * were within 2x of each step's measured time). The estimate is for progress and the time left
 * only; nothing else reads it.
 */
import type { MethodSpec } from './methodSpec.ts';

/** The steps of a run: the reference, then each cell's compression and its search (with ranking, metrics and intervals). */
export interface GridWork {
  reference: number;
  compress: number[];
  search: number[];
}

/** Per document, per budget m (n tokens of d values; `first`: the method's first budget, which builds what the others reuse). */
function compressCost(method: string, n: number, m: number, d: number, first: boolean): number {
  const k = Math.min(m, n);
  if (method === 'none') return n;
  // Ward's float64 Gram and nearest-neighbour chain once per document, then a cut and the means.
  if (method.startsWith('hpool') || method.startsWith('prune')) return (first ? 1.5 * n * n * d : 0) + 16 * n * d;
  // About a dozen iterations of assignment, each n x m products, and the seeding.
  if (method === 'kmeans') return 18 * n * k * d;
  // One assignment to m centroids, the pooling and the unit vectors.
  if (method.startsWith('agc') || method === 'top-saliency') return 2 * n * k * d + 16 * n * d;
  return 16 * n * d;
}

/**
 * The steps' estimated costs for documents of these sizes, `queryTokens` query vectors in all, the
 * grid's cells and its number of storage types.
 */
export function gridWork(sizes: readonly number[], d: number, queryTokens: number, queries: number, cells: readonly { spec: MethodSpec; budget: number | null }[], storages: number): GridWork {
  const total = sizes.reduce((s, n) => s + n, 0);
  // Ranking every document for every query, fidelity, metrics, intervals, utilisation: per cell and storage type.
  const ranking = 40_000 * queries * sizes.length;
  const seen = new Set<string>();
  const compress: number[] = [];
  const search: number[] = [];
  for (const { spec, budget } of cells) {
    const first = !seen.has(spec.method);
    seen.add(spec.method);
    const m = budget ?? Infinity;
    compress.push(sizes.reduce((s, n) => s + compressCost(spec.method, n, m, d, first), 0));
    const vectors = sizes.reduce((s, n) => s + Math.min(m, n), 0);
    // The uncompressed cell's fp32 scores are the reference's; its other storage types are scored again.
    const scored = spec.method === 'none' ? storages - 1 : storages;
    search.push(scored * queryTokens * d * vectors + storages * ranking);
  }
  return { reference: queryTokens * d * total, compress, search };
}

/** The share of the work done, from each step's own fraction done (steps may advance in any order). */
export class WorkDone {
  private readonly weights: number[];
  private readonly done: Float64Array;
  private readonly total: number;

  constructor(work: GridWork) {
    this.weights = [work.reference, ...work.compress.flatMap((c, i) => [c, work.search[i]])];
    this.done = new Float64Array(this.weights.length);
    this.total = this.weights.reduce((s, w) => s + w, 0);
  }

  /** Records that `fraction` of a step is done (the reference, or cell i's 'compress' or 'search') and returns the share of all the work done. */
  advance(step: 'reference' | { cell: number; half: 'compress' | 'search' }, fraction: number): number {
    const k = step === 'reference' ? 0 : 1 + 2 * step.cell + (step.half === 'compress' ? 0 : 1);
    this.done[k] = Math.max(this.done[k], Math.min(1, fraction));
    let sum = 0;
    for (let j = 0; j < this.done.length; j++) sum += this.done[j] * this.weights[j];
    return this.total > 0 ? sum / this.total : 1;
  }
}
