/**
 * Small dense kernels over row-major Float32Array matrices. Loops are unrolled by four because
 * V8 keeps four independent accumulators in registers, which roughly doubles the throughput of
 * a plain reduction on the machines this was measured on (see bench/).
 */

/** Dot product of rows a[ai*d ..] and b[bi*d ..]. */
export function dotRows(a: Float32Array, ai: number, b: Float32Array, bi: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const ao = ai * d;
  const bo = bi * d;
  let k = 0;
  for (; k + 3 < d; k += 4) {
    s0 += a[ao + k] * b[bo + k];
    s1 += a[ao + k + 1] * b[bo + k + 1];
    s2 += a[ao + k + 2] * b[bo + k + 2];
    s3 += a[ao + k + 3] * b[bo + k + 3];
  }
  for (; k < d; k++) s0 += a[ao + k] * b[bo + k];
  return s0 + s1 + s2 + s3;
}

/** Euclidean norm of row i. */
export function rowNorm(a: Float32Array, i: number, d: number): number {
  return Math.sqrt(dotRows(a, i, a, i, d));
}

/** A copy of x with every row scaled to unit length. Rows of norm 0 are left as zeros. */
export function normalizeRows(x: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const norm = rowNorm(x, i, d);
    const inv = norm > 0 ? 1 / norm : 0;
    for (let k = 0; k < d; k++) out[i * d + k] = x[i * d + k] * inv;
  }
  return out;
}

/** Scales row i of x (in place) to unit length; a zero row stays zero. */
export function normalizeRowInPlace(x: Float32Array, i: number, d: number): void {
  const norm = rowNorm(x, i, d);
  if (norm === 0) return;
  const inv = 1 / norm;
  for (let k = 0; k < d; k++) x[i * d + k] *= inv;
}

/** Rows `indices` of x, in that order. */
export function gatherRows(x: Float32Array, d: number, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * d);
  for (let r = 0; r < indices.length; r++) out.set(x.subarray(indices[r] * d, indices[r] * d + d), r * d);
  return out;
}

/**
 * For every row of x, the index of the most similar row of c (largest dot product) and that
 * similarity. Ties go to the lower index. With unit rows this is the cosine assignment step.
 */
export function assignToNearest(
  x: Float32Array,
  n: number,
  c: Float32Array,
  m: number,
  d: number,
  assignment: Int32Array = new Int32Array(n),
  similarity: Float32Array = new Float32Array(n),
): { assignment: Int32Array; similarity: Float32Array } {
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    let arg = 0;
    for (let j = 0; j < m; j++) {
      const s = dotRows(x, i, c, j, d);
      if (s > best) {
        best = s;
        arg = j;
      }
    }
    assignment[i] = arg;
    similarity[i] = best;
  }
  return { assignment, similarity };
}

/**
 * Pools rows of x into k groups: out[g] = sum_{i: group[i]=g} w_i x_i / sum w_i. Weights default
 * to 1 (a plain mean). A group whose weights sum to zero falls back to the plain mean of its rows.
 * Returns the pooled rows and the size of each group.
 */
export function poolByGroup(
  x: Float32Array,
  n: number,
  d: number,
  group: Int32Array,
  k: number,
  weights?: ArrayLike<number>,
): { pooled: Float32Array; sizes: Int32Array } {
  const acc = new Float64Array(k * d);
  const plain = new Float64Array(k * d);
  const wsum = new Float64Array(k);
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const g = group[i];
    const w = weights ? weights[i] : 1;
    sizes[g]++;
    wsum[g] += w;
    const xo = i * d;
    const go = g * d;
    for (let t = 0; t < d; t++) {
      acc[go + t] += w * x[xo + t];
      plain[go + t] += x[xo + t];
    }
  }
  const pooled = new Float32Array(k * d);
  for (let g = 0; g < k; g++) {
    const useWeights = wsum[g] > 0;
    const inv = useWeights ? 1 / wsum[g] : sizes[g] > 0 ? 1 / sizes[g] : 0;
    const src = useWeights ? acc : plain;
    for (let t = 0; t < d; t++) pooled[g * d + t] = src[g * d + t] * inv;
  }
  return { pooled, sizes };
}

/** Indices of the k largest values, largest first; ties go to the lower index. */
export function topKIndices(values: ArrayLike<number>, k: number): Int32Array {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => values[b] - values[a] || a - b);
  return Int32Array.from(idx.slice(0, k));
}
