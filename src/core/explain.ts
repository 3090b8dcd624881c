/**
 * Step-by-step traces of a compression for the teaching view: what AGC does to one document
 * (saliency, the m centroids, every token's assignment) and how Ward's merges take H-Pool from n
 * clusters down to m. Same code as the methods, so the picture shows what the index stores.
 */
import { compressDocument } from './compress.ts';
import { topKIndices } from './linalg.ts';
import { parseMethodSpec } from './methodSpec.ts';
import { validateDocument, type MultiVector } from './multivector.ts';
import { cutMaxClusters, pdistEuclidean, wardLinkage } from './ward.ts';

export interface Explanation {
  method: 'agc' | 'hpool';
  n: number;
  m: number;
  saliency?: Float32Array;
  /** AGC: the token that seeds cluster c (the c-th most salient token). */
  centroids?: Int32Array;
  /** The stored vector every token ends in. */
  assignments: Int32Array;
  /** H-Pool: Ward's partition at decreasing cluster counts, from n down to m. */
  levels?: { k: number; labels: Int32Array }[];
}

export function explainCompression(doc: MultiVector, method: 'agc' | 'hpool', m: number, seed = 1): Explanation {
  validateDocument(doc);
  const budget = Math.min(m, doc.n);
  if (method === 'agc') {
    const c = compressDocument(doc, parseMethodSpec('agc'), budget, { seed });
    const saliency = doc.saliency ?? new Float32Array(doc.n).fill(1);
    return { method, n: doc.n, m: budget, saliency, centroids: topKIndices(saliency, budget), assignments: c.assignments };
  }
  const { n, d } = doc;
  const unit = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += doc.data[i * d + j] ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < d; j++) unit[i * d + j] = doc.data[i * d + j] * inv;
  }
  const merges = wardLinkage(pdistEuclidean(unit, n, d), n);
  const ks: number[] = [];
  for (let k = n; k > budget; k = Math.floor(k / 2)) ks.push(k);
  ks.push(budget);
  const levels = ks.map((k) => ({ k, labels: cutMaxClusters(merges, n, k).labels }));
  return { method, n, m: budget, assignments: levels[levels.length - 1].labels, levels };
}
