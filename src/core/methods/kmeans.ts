import { assignToNearest, dotRows, normalizeRowInPlace, normalizeRows, poolByGroup } from '../linalg.ts';
import type { Rng } from '../rng.ts';
import { withResidentRows } from '../../kernels/ops.ts';
import type { CompressionMethod } from './types.ts';

export const kmeans: CompressionMethod = {
  id: 'kmeans',
  label: 'k-means',
  description:
    'Spherical k-means (Dhillon & Modha 2001) on the unit token vectors: k-means++ seeding (Arthur & ' +
    'Vassilvitskii 2007) with cosine distance, then alternate cosine assignment and normalised-mean ' +
    'centroids until no token moves. The m centroids are stored.',
  options: [
    {
      key: 'iterations',
      label: 'Max iterations',
      type: 'integer',
      min: 1,
      max: 200,
      description: 'Upper bound on assignment/update rounds; it stops earlier once no token changes cluster.',
    },
  ],
  defaults: { iterations: 25 },
  usesSaliency: false,
  usesSeed: true,
  compress(doc, m, options, { rng, memo }) {
    const { n, d } = doc;
    // The seeding does not depend on m: kept for the document's next budget (the unit vectors are
    // made again, the same: keeping them for every document of a corpus cost its size again).
    const unit = normalizeRows(doc.data, n, d);
    let seeding = memo?.get('kmeans') as Seeding | undefined;
    if (!seeding) {
      seeding = new Seeding(n, d, rng);
      memo?.set('kmeans', seeding);
    }
    const centroids = seeding.extend(m, unit);
    const assignment = new Int32Array(n).fill(-1);
    const previous = new Int32Array(n);
    const similarity = new Float32Array(n);
    const maxIter = Number(options.iterations);
    type Assign = (c: Float32Array, k: number, a: Int32Array, s: Float32Array) => void;
    const iterate = (assign: Assign) => {
      for (let iter = 0; iter < maxIter; iter++) {
        previous.set(assignment);
        assign(centroids, m, assignment, similarity);
        repairEmptyClusters(assignment, similarity, m);
        const { pooled } = poolByGroup(unit, n, d, assignment, m);
        for (let c = 0; c < m; c++) normalizeRowInPlace(pooled, c, d);
        centroids.set(pooled);
        if (iter > 0 && assignment.every((a, i) => a === previous[i])) break;
      }
      return true;
    };
    // The document in the kernels' memory once for every iteration, where only the centroids that
    // moved are multiplied again (else the TypeScript reference, every product every time).
    withResidentRows(unit, n, d, (rows) => {
      const assign = rows.assigner(m);
      return iterate((c, _k, a, s) => assign(c, a, s));
    }) ?? iterate((c, k, a, s) => assignToNearest(unit, n, c, k, d, a, s));
    return { data: centroids, k: m, assignments: assignment };
  },
};

/** k-means++ seeding with D(x) = 1 - cos: each next centroid is drawn with probability ∝ D^2. */
export function kmeansPlusPlus(unit: Float32Array, n: number, d: number, m: number, rng: Rng): Float32Array {
  return new Seeding(n, d, rng).extend(m, unit);
}

/**
 * k-means++ seeding that can be continued: the first m centroids of a seeding to M > m are the
 * seeding to m (the same draws in the same order), so the grid's budgets share one seeding per
 * document (MethodContext.memo), each taking its prefix.
 */
class Seeding {
  private readonly centroids: Float32Array[] = [];
  private readonly dist2: Float64Array;

  constructor(
    private readonly n: number,
    private readonly d: number,
    private readonly rng: Rng,
  ) {
    this.dist2 = new Float64Array(n);
  }

  /** The first m centroids (m x d) of the unit vectors (the same at every call), drawing those not drawn yet. */
  extend(m: number, unit: Float32Array): Float32Array {
    const { n, d, centroids } = this;
    if (centroids.length < m) {
      // Each draw needs every row's product with the last centroid: on the kernels, the document
      // copied into their memory once per extension (float32 products, as their assignment takes).
      const drawn = withResidentRows(unit, n, d, (rows) => this.draw(m, unit, (c, out) => rows.dots(c, 0, out)));
      if (drawn === null) this.draw(m, unit, (c, out) => {
        for (let i = 0; i < n; i++) out[i] = dotRows(unit, i, c, 0, d);
      });
    }
    const out = new Float32Array(m * d);
    for (let c = 0; c < m; c++) out.set(centroids[c], c * d);
    return out;
  }

  /** Draws centroids up to m, with D(x) = 1 - cos to the nearest one drawn, P ∝ D^2. */
  private draw(m: number, unit: Float32Array, dots: (c: Float32Array, out: Float64Array) => void): true {
    const { n, d, rng, dist2, centroids } = this;
    const products = new Float64Array(n);
    if (centroids.length === 0) {
      const first = Math.floor(rng.next() * n);
      centroids.push(unit.slice(first * d, first * d + d));
      dots(centroids[0], products);
      for (let i = 0; i < n; i++) dist2[i] = (1 - products[i]) ** 2;
    }
    while (centroids.length < m) {
      let total = 0;
      for (let i = 0; i < n; i++) total += dist2[i];
      let pick = 0;
      if (total > 0) {
        let r = rng.next() * total;
        for (pick = 0; pick < n - 1; pick++) {
          r -= dist2[pick];
          if (r < 0) break;
        }
      } else {
        pick = Math.floor(rng.next() * n); // all points coincide with a centroid already
      }
      const c = unit.slice(pick * d, pick * d + d);
      centroids.push(c);
      dots(c, products);
      for (let i = 0; i < n; i++) dist2[i] = Math.min(dist2[i], (1 - products[i]) ** 2);
    }
    return true;
  }
}

/**
 * An empty cluster takes the token that is worst served by its current centroid (among clusters
 * with more than one member), so every one of the m stored vectors represents some tokens.
 */
export function repairEmptyClusters(assignment: Int32Array, similarity: Float32Array, m: number): void {
  const sizes = new Int32Array(m);
  for (const a of assignment) sizes[a]++;
  for (let c = 0; c < m; c++) {
    if (sizes[c] > 0) continue;
    let worst = -1;
    for (let i = 0; i < assignment.length; i++) {
      if (sizes[assignment[i]] > 1 && (worst < 0 || similarity[i] < similarity[worst])) worst = i;
    }
    if (worst < 0) return; // fewer distinct tokens than clusters: nothing to move
    sizes[assignment[worst]]--;
    assignment[worst] = c;
    sizes[c] = 1;
    similarity[worst] = 1;
  }
}
