/**
 * Similarity maps (colpali-engine's interpretability view, here for compressed indexes too): for
 * one query and one document, the similarity of every query token to every input token's stored
 * vector. Uncompressed, input token i is stored as itself; compressed, it is represented by the
 * vector its cluster was pooled into (assignments[i]), so a compressed vector paints every patch
 * it absorbed, and a token a selection method dropped (-1) has no value (NaN).
 */

export interface SimilarityMap {
  /** Query tokens. */
  qn: number;
  /** Input tokens of the document. */
  n: number;
  /** [qn x n]: <q_t, stored vector of input token i>, NaN for dropped tokens. */
  sims: Float32Array;
  /** For every query token, the stored vector that wins its MaxSim (-1 if there is none). */
  winners: Int32Array;
  /** For every query token, that winning similarity (the token's MaxSim contribution). */
  best: Float32Array;
}

/**
 * `stored` holds m vectors of dimension d (row-major); `assignments` maps each of the n input
 * tokens to its stored vector, or is null when the stored vectors are the input tokens (m = n).
 */
export function similarityMap(query: Float32Array, qn: number, stored: Float32Array, m: number, d: number, assignments: Int32Array | null, n: number): SimilarityMap {
  if (assignments === null && m !== n) throw new Error(`similarityMap: ${m} stored vectors but ${n} tokens and no assignments`);
  const sims = new Float32Array(qn * n);
  const winners = new Int32Array(qn).fill(-1);
  const best = new Float32Array(qn).fill(-Infinity);
  const perStored = new Float32Array(m);
  for (let t = 0; t < qn; t++) {
    for (let k = 0; k < m; k++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += query[t * d + j] * stored[k * d + j];
      perStored[k] = s;
      if (s > best[t]) {
        best[t] = s;
        winners[t] = k;
      }
    }
    for (let i = 0; i < n; i++) {
      const k = assignments ? assignments[i] : i;
      sims[t * n + i] = k >= 0 ? perStored[k] : NaN;
    }
  }
  return { qn, n, sims, winners, best };
}
