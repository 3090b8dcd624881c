import { dotRows, normalizeRows } from './linalg.ts';
import type { MultiVector } from './multivector.ts';

/**
 * Saliency when the model gave none (imported embeddings, fused-attention exports): the cosine
 * similarity of each token to the document's mean direction, clipped at 0. One of the saliency
 * sources RESEARCH.md lists as a training-free stand-in for attention; documents record which
 * source was used (saliencySource = "pooled-similarity").
 */
export function pooledSimilaritySaliency(doc: MultiVector): Float32Array {
  const { n, d } = doc;
  const unit = normalizeRows(doc.data, n, d);
  const mean = new Float32Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] += unit[i * d + k] / n;
  const meanNorm = Math.sqrt(dotRows(mean, 0, mean, 0, d)) || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.max(0, dotRows(unit, i, mean, 0, d) / meanNorm);
  return out;
}
