import { assignToNearest, dotRows, normalizeRowInPlace, normalizeRows, poolByGroup } from '../linalg.ts';
import type { Rng } from '../rng.ts';
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
  compress(doc, m, options, { rng }) {
    const { n, d } = doc;
    const unit = normalizeRows(doc.data, n, d);
    const centroids = kmeansPlusPlus(unit, n, d, m, rng);
    const assignment = new Int32Array(n).fill(-1);
    const previous = new Int32Array(n);
    const similarity = new Float32Array(n);
    const maxIter = Number(options.iterations);
    for (let iter = 0; iter < maxIter; iter++) {
      previous.set(assignment);
      assignToNearest(unit, n, centroids, m, d, assignment, similarity);
      repairEmptyClusters(assignment, similarity, m);
      const { pooled } = poolByGroup(unit, n, d, assignment, m);
      for (let c = 0; c < m; c++) normalizeRowInPlace(pooled, c, d);
      centroids.set(pooled);
      if (iter > 0 && assignment.every((a, i) => a === previous[i])) break;
    }
    return { data: centroids, k: m, assignments: assignment };
  },
};

/** k-means++ seeding with D(x) = 1 - cos: each next centroid is drawn with probability ∝ D^2. */
export function kmeansPlusPlus(unit: Float32Array, n: number, d: number, m: number, rng: Rng): Float32Array {
  const centroids = new Float32Array(m * d);
  const first = Math.floor(rng.next() * n);
  centroids.set(unit.subarray(first * d, first * d + d), 0);
  const dist2 = new Float64Array(n);
  for (let i = 0; i < n; i++) dist2[i] = (1 - dotRows(unit, i, centroids, 0, d)) ** 2;
  for (let c = 1; c < m; c++) {
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
    centroids.set(unit.subarray(pick * d, pick * d + d), c * d);
    for (let i = 0; i < n; i++) dist2[i] = Math.min(dist2[i], (1 - dotRows(unit, i, centroids, c, d)) ** 2);
  }
  return centroids;
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
