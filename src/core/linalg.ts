import { kernelAssign, kernelNormalizeRows, kernelPoolSums } from '../kernels/ops.ts';

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
  const viaKernel = kernelNormalizeRows(x, n, d);
  if (viaKernel) return viaKernel;
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
 * out[i * nb + j] = <a_i, b_j> for rows i of a (na x d) and j of b (nb x d). Rows of a are taken
 * four at a time so every element of b that is loaded feeds four multiply-adds; this register
 * blocking is what makes the dense steps (cosine assignment, Gram matrices) about twice as fast
 * as one dot product at a time in V8.
 */
export function crossDots(
  a: Float32Array | Float64Array,
  na: number,
  b: Float32Array | Float64Array,
  nb: number,
  d: number,
  out: Float64Array = new Float64Array(na * nb),
): Float64Array {
  let i = 0;
  for (; i + 3 < na; i += 4) {
    const o0 = i * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    for (let j = 0; j < nb; j++) {
      const jo = j * d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < d; k++) {
        const v = b[jo + k];
        s0 += a[o0 + k] * v;
        s1 += a[o1 + k] * v;
        s2 += a[o2 + k] * v;
        s3 += a[o3 + k] * v;
      }
      out[i * nb + j] = s0;
      out[(i + 1) * nb + j] = s1;
      out[(i + 2) * nb + j] = s2;
      out[(i + 3) * nb + j] = s3;
    }
  }
  for (; i < na; i++) {
    const o = i * d;
    for (let j = 0; j < nb; j++) {
      const jo = j * d;
      let s = 0;
      for (let k = 0; k < d; k++) s += a[o + k] * b[jo + k];
      out[i * nb + j] = s;
    }
  }
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
  if (kernelAssign(x, n, c, m, d, assignment, similarity)) return { assignment, similarity };
  const dots = crossDots(x, n, c, m, d);
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    let arg = 0;
    for (let j = 0; j < m; j++) {
      const s = dots[i * m + j];
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
  const sums = group.length >= n ? kernelPoolSums(x, n, d, group, k, weights) : null;
  const acc = sums?.acc ?? new Float64Array(k * d);
  const wsum = sums?.wsum ?? new Float64Array(k);
  const sizes = sums?.sizes ?? new Int32Array(k);
  for (let i = 0; i < (sums ? 0 : n); i++) {
    const g = group[i];
    if (g < 0) continue;
    const w = weights ? weights[i] : 1;
    sizes[g]++;
    wsum[g] += w;
    if (w === 0) continue;
    const xo = i * d;
    const go = g * d;
    for (let t = 0; t < d; t++) acc[go + t] += w * x[xo + t];
  }
  // Groups whose weights sum to zero get the plain mean of their rows (a second, rare pass).
  const zero = weights ? Array.from(sizes.keys()).filter((g) => sizes[g] > 0 && !(wsum[g] > 0)) : [];
  if (zero.length) {
    const fallback = poolByGroup(x, n, d, group.map((g) => (zero.includes(g) ? g : -1)), k);
    for (const g of zero) {
      wsum[g] = 1;
      for (let t = 0; t < d; t++) acc[g * d + t] = fallback.pooled[g * d + t];
    }
  }
  const pooled = new Float32Array(k * d);
  for (let g = 0; g < k; g++) {
    const inv = wsum[g] > 0 ? 1 / wsum[g] : 0;
    for (let t = 0; t < d; t++) pooled[g * d + t] = acc[g * d + t] * inv;
  }
  return { pooled, sizes };
}

/** Indices of the k largest values, largest first; ties go to the lower index. */
export function topKIndices(values: ArrayLike<number>, k: number): Int32Array {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => values[b] - values[a] || a - b);
  return Int32Array.from(idx.slice(0, k));
}
