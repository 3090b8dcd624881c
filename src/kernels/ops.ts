/**
 * The operations the engine hands to the WebAssembly kernels. Each returns false (or null) when
 * it cannot run here (kernels off, data not in a kernel space, a storage type the kernels do not
 * read), and the caller then runs its TypeScript reference: the two paths compute the same thing,
 * which test/kernels checks on random shapes.
 *
 * Rounding: MaxSim and the cosine assignment accumulate each dot product in float32 (as BLAS's
 * sgemm does), the TypeScript reference in float64; scores agree to about d x 2^-24 relative.
 * The Gram matrix for Ward's distances is float64 and rounds exactly as the reference does.
 */
import { KernelSpace, QUERY_LANES, queryScratchOf, scratch, SCORE_DOCS, WINNER_SLOTS } from './space.ts';

/** Lanes padded to whole blocks of 8 (two f32x4). */
const lanes = (n: number) => (n + 7) & ~7;

/** Writes query tokens t0..t0+count-1 (rows of d) transposed into qT (d x w), zero-padded. */
function transposeInto(qT: Float32Array, query: ArrayLike<number>, t0: number, count: number, d: number, w: number): void {
  qT.fill(0);
  for (let i = 0; i < count; i++) {
    const o = (t0 + i) * d;
    for (let k = 0; k < d; k++) qT[k * w + i] = query[o + k];
  }
}

/**
 * How the kernels read a stored vector: kernels/simd.ts's element codes (f32 0, f16 1, i8 2 with a
 * scale per row) for MaxSim, sign bits for the Hamming kernels, and 'none' for a type no kernel
 * reads (it is scored by the TypeScript reference). Each storage type names its own
 * (src/core/storage/); the kernels know no storage type by name.
 */
export const ELEMENT_CODE = { f32: 0, f16: 1, i8: 2 } as const;
export type KernelElement = keyof typeof ELEMENT_CODE | 'bits' | 'none';
/** The element code the MaxSim kernel takes, undefined for sign bits. */
export const elementCode = (e: KernelElement): number | undefined => (e === 'bits' || e === 'none' ? undefined : ELEMENT_CODE[e]);
/** Bytes of one stored value of an element format the MaxSim kernel reads. */
export const ELEMENT_BYTES = { f32: 4, f16: 2, i8: 1 } as const;

export interface KernelStored {
  element: KernelElement;
  d: number;
  offsets: Int32Array;
  vectors: ArrayBufferView;
  scales?: Float32Array;
}

/**
 * MaxSim of one query (qn x d) against every document of an index allocated in a kernel space
 * (fp32, fp16 or int8), in place. scores[doc] = sum over tokens of the best dot product (an empty
 * document -Infinity); winners (docs x qn), when given, the global row of each token's best match
 * (ties: the first row). Documents from..to-1 only, when given (a worker's share).
 */
export function kernelMaxSim(
  query: Float32Array,
  qn: number,
  stored: KernelStored,
  scores: Float32Array,
  winners?: Int32Array,
  range?: { from: number; to: number },
): boolean {
  const code = elementCode(stored.element);
  if (code === undefined || qn === 0) return false;
  const space = KernelSpace.of(stored.vectors);
  if (!space || KernelSpace.of(stored.offsets) !== space || (code === ELEMENT_CODE.i8 && KernelSpace.of(stored.scales) !== space)) return false;
  const s = queryScratchOf(space);
  if (!s) return false;
  const { d, offsets } = stored;
  const docs = offsets.length - 1;
  const from = range?.from ?? 0;
  const to = range?.to ?? docs;
  if (code !== ELEMENT_CODE.f32) {
    let maxRows = 0;
    for (let doc = from; doc < to; doc++) maxRows = Math.max(maxRows, offsets[doc + 1] - offsets[doc]);
    if (maxRows > s.blockRows) return false;
  }
  const k = space.k;
  const dataPtr = stored.vectors.byteOffset;
  const scalesPtr = code === ELEMENT_CODE.i8 ? stored.scales!.byteOffset : 0;
  const total = new Float64Array(to - from);
  for (let t0 = 0; t0 < qn; t0 += QUERY_LANES) {
    const count = Math.min(QUERY_LANES, qn - t0);
    const w = lanes(count);
    transposeInto(space.f32(s.qT, d * w), query, t0, count, d, w);
    const perCall = Math.max(1, Math.min(SCORE_DOCS, winners ? Math.floor(WINNER_SLOTS / count) : SCORE_DOCS));
    for (let a = from; a < to; a += perCall) {
      const b = Math.min(to, a + perCall);
      k.scoreDocs(s.qT, w, count, code, dataPtr, scalesPtr, offsets.byteOffset, a, b, d, s.best, s.arg, s.block, s.scores, winners ? s.winners : 0);
      const part = space.f64(s.scores, b - a);
      for (let i = 0; i < b - a; i++) total[a - from + i] += part[i];
      if (winners) {
        const won = space.i32(s.winners, (b - a) * count);
        for (let doc = a; doc < b; doc++) winners.set(won.subarray((doc - a) * count, (doc - a + 1) * count), doc * qn + t0);
      }
    }
  }
  for (let i = 0; i < to - from; i++) scores[from + i] = total[i];
  return true;
}

/**
 * Binary MaxSim (Hamming) of one query against every document of a binary index in a kernel
 * space: the query's signs against the stored bits, scores[doc] = sum over tokens of
 * (d - 2 min Hamming) / d, computed as (qn d - 2 sum of minima) / d (one rounding); an empty
 * document -Infinity.
 */
export function kernelHamming(query: Float32Array, qn: number, stored: KernelStored, scores: Float32Array): boolean {
  const space = KernelSpace.of(stored.vectors);
  const s = space && queryScratchOf(space);
  if (stored.element !== 'bits' || !space || !s || qn === 0 || qn > QUERY_LANES || KernelSpace.of(stored.offsets) !== space) return false;
  const { d, offsets } = stored;
  const words = Math.ceil(d / 32);
  const qbits = new Uint32Array(space.memory.buffer, s.qT, qn * words);
  qbits.fill(0);
  for (let i = 0; i < qn; i++) for (let k = 0; k < d; k++) if (query[i * d + k] > 0) qbits[i * words + (k >>> 5)] |= 1 << (k & 31);
  const docs = offsets.length - 1;
  const chunk = 2 * SCORE_DOCS; // i32 sums in the f64 score area
  for (let a = 0; a < docs; a += chunk) {
    const b = Math.min(docs, a + chunk);
    space.k.hammingMin(s.qT, qn, stored.vectors.byteOffset, offsets.byteOffset, a, b, words, s.scores);
    const sums = space.i32(s.scores, b - a);
    for (let doc = a; doc < b; doc++) scores[doc] = offsets[doc + 1] === offsets[doc] ? -Infinity : (qn * d - 2 * sums[doc - a]) / d;
  }
  return true;
}

/**
 * MaxSim of one query against the listed documents only (a two-stage search's candidates), in
 * place; scores[i] belongs to docs[i]. Same kernel, same scores as the exhaustive path.
 */
export function kernelMaxSimDocs(query: Float32Array, qn: number, stored: KernelStored, docs: Int32Array, scores: Float32Array = new Float32Array(docs.length)): Float32Array | null {
  const code = elementCode(stored.element);
  const space = KernelSpace.of(stored.vectors);
  const s = space && queryScratchOf(space);
  if (code === undefined || !space || !s || qn === 0 || qn > QUERY_LANES || KernelSpace.of(stored.offsets) !== space) return null;
  const { d, offsets } = stored;
  for (const doc of docs) if (code !== ELEMENT_CODE.f32 && offsets[doc + 1] - offsets[doc] > s.blockRows) return null;
  const w = lanes(qn);
  transposeInto(space.f32(s.qT, d * w), query, 0, qn, d, w);
  const scalesPtr = code === ELEMENT_CODE.i8 ? stored.scales!.byteOffset : 0;
  for (let i = 0; i < docs.length; i++) {
    space.k.scoreDocs(s.qT, w, qn, code, stored.vectors.byteOffset, scalesPtr, offsets.byteOffset, docs[i], docs[i] + 1, d, s.best, s.arg, s.block, s.scores, 0);
    scores[i] = space.f64(s.scores, 1)[0];
  }
  return scores;
}

/**
 * maxSimBlock in a kernel space: rows start..end-1 of `data` (which must live in a corpus space)
 * against the query; best and arg as maxSimBlock fills them.
 */
export function kernelMaxSimBlock(query: Float32Array, qn: number, data: Float32Array, start: number, end: number, d: number, best: Float64Array, arg: Int32Array): boolean {
  const space = KernelSpace.of(data);
  const s = space && queryScratchOf(space);
  if (!space || !s || qn === 0) return false;
  for (let t0 = 0; t0 < qn; t0 += QUERY_LANES) {
    const count = Math.min(QUERY_LANES, qn - t0);
    const w = lanes(count);
    transposeInto(space.f32(s.qT, d * w), query, t0, count, d, w);
    space.k.reset(s.best, s.arg, w);
    space.k.maxsim(s.qT, w, data.byteOffset + start * d * 4, end - start, d, s.best, s.arg, start);
    const b = space.f32(s.best, count);
    const a = space.i32(s.arg, count);
    for (let i = 0; i < count; i++) {
      best[t0 + i] = b[i];
      arg[t0 + i] = a[i];
    }
  }
  return true;
}

/**
 * For every row of x (n x d), the row of c (m x d) with the largest dot product (ties: the lower
 * index; a row whose products are all NaN gets 0 and -Infinity, as the reference) and that product.
 * The centroids are transposed (m is small); the rows are read as stored.
 */
export function kernelAssign(x: Float32Array, n: number, c: Float32Array, m: number, d: number, assignment: Int32Array, similarity: Float32Array): boolean {
  return withResidentRows(x, n, d, (rows) => rows.assign(c, m, assignment, similarity)) !== null;
}

/** Rows copied into a kernel space once, then used by several kernel calls (withResidentRows). */
export interface ResidentRows {
  /** out[i] = row i . c (c: d values at `offset`), float32 accumulation. */
  dots(c: Float32Array, offset: number, out: Float32Array | Float64Array): void;
  /** Each row's most similar of the m centroids (ties: the lowest index) and that product, as kernelAssign. */
  assign(c: Float32Array, m: number, assignment: Int32Array, similarity: Float32Array): void;
  /**
   * `assign` for centroids that change between calls (k-means' iterations): the products with a
   * centroid whose values are bit for bit those of the last call are kept, not taken again (the
   * same kernel on the same values: the same products), so a call costs only the centroids that
   * moved. Results equal `assign`'s.
   */
  assigner(m: number): (c: Float32Array, assignment: Int32Array, similarity: Float32Array) => void;
}

/** Each of n rows of products (w apart, m used): the largest (ties: the lowest index; all NaN: 0 and -Infinity). */
function argmaxRows(dots: Float32Array, n: number, w: number, m: number, assignment: Int32Array, similarity: Float32Array): void {
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    let arg = 0;
    for (let j = 0, o = i * w; j < m; j++) {
      const v = dots[o + j];
      if (v > best) {
        best = v;
        arg = j;
      }
    }
    assignment[i] = arg;
    similarity[i] = best;
  }
}

/**
 * Runs `fn` with the rows of x (n x d) copied into the kernel space once: k-means' seeding and its
 * iterations take their products with the centroids without copying the document again at every
 * step. null (fn not run) when the kernels cannot run here.
 */
export function withResidentRows<T>(x: Float32Array, n: number, d: number, fn: (rows: ResidentRows) => T): T | null {
  const space = scratch();
  if (!space || n === 0 || d === 0) return null;
  const mark = space.mark();
  try {
    const xPtr = space.alloc(4 * n * d);
    space.f32(xPtr, n * d).set(x.subarray(0, n * d));
    /** Products of every row with centroids c (m x d from `offset`), n x w in the space (w: m padded). */
    const cross = (c: Float32Array, offset: number, m: number, use: (dots: Float32Array, w: number) => void) => {
      const inner = space.mark();
      try {
        const w = lanes(m);
        const cT = space.alloc(4 * w * d);
        const out = space.alloc(4 * n * w);
        transposeInto(space.f32(cT, w * d), c, offset / d, m, d, w);
        space.k.crossF32(cT, w, xPtr, n, d, out);
        use(space.f32(out, n * w), w);
      } finally {
        space.release(inner);
      }
    };
    return fn({
      dots: (c, offset, out) =>
        cross(c, offset, 1, (dots, w) => {
          for (let i = 0; i < n; i++) out[i] = dots[i * w];
        }),
      assign: (c, m, assignment, similarity) => cross(c, 0, m, (dots, w) => argmaxRows(dots, n, w, m, assignment, similarity)),
      assigner: (m) => {
        // The products kept between calls, and the kernel's outputs, in the space for as long as the rows.
        const cache = space.alloc(4 * n * m);
        const cols = space.alloc(4 * m);
        const aPtr = space.alloc(4 * n);
        const sPtr = space.alloc(4 * n);
        // The bit patterns of the centroids whose products the cache holds (none yet).
        const held = new Int32Array(m * d);
        let filled = false;
        return (c, assignment, similarity) => {
          const bits = new Int32Array(c.buffer, c.byteOffset, m * d);
          const moved: number[] = [];
          for (let j = 0; j < m; j++)
            for (let t = j * d; t < (j + 1) * d; t++)
              if (!filled || bits[t] !== held[t]) {
                moved.push(j);
                break;
              }
          filled = true;
          const inner = space.mark();
          try {
            const w = lanes(Math.max(1, moved.length));
            const cT = space.alloc(4 * w * d);
            const out = space.alloc(4 * n * w);
            if (moved.length) {
              const fresh = new Float32Array(moved.length * d);
              moved.forEach((j, q) => fresh.set(c.subarray(j * d, (j + 1) * d), q * d));
              transposeInto(space.f32(cT, w * d), fresh, 0, moved.length, d, w);
              space.k.crossF32(cT, w, xPtr, n, d, out);
              space.i32(cols, moved.length).set(moved);
              for (const j of moved) held.set(bits.subarray(j * d, (j + 1) * d), j * d);
            }
            space.k.scatterArgmax(out, w, cols, moved.length, cache, n, m, aPtr, sPtr);
            assignment.set(space.i32(aPtr, n));
            similarity.set(space.f32(sPtr, n));
          } finally {
            space.release(inner);
          }
        };
      },
    });
  } finally {
    space.release(mark);
  }
}

/** Rows of x scaled to unit length (zero rows stay zero), rounded exactly as linalg.normalizeRows. */
export function kernelNormalizeRows(x: Float32Array, n: number, d: number): Float32Array | null {
  const space = scratch();
  if (!space || n === 0 || d === 0) return null;
  const mark = space.mark();
  try {
    const src = space.alloc(4 * n * d);
    const dst = space.alloc(4 * n * d);
    space.f32(src, n * d).set(x.subarray(0, n * d));
    space.k.normalizeRows(src, dst, n, d);
    return space.f32(dst, n * d).slice();
  } finally {
    space.release(mark);
  }
}

/**
 * The sums linalg.poolByGroup forms (weighted rows per group, weight sums, sizes), in the same
 * order and float64 rounding.
 */
export function kernelPoolSums(x: Float32Array, n: number, d: number, group: Int32Array, k: number, weights?: ArrayLike<number>): { acc: Float64Array; wsum: Float64Array; sizes: Int32Array } | null {
  const space = scratch();
  if (!space || n === 0 || d === 0 || k === 0) return null;
  const mark = space.mark();
  try {
    const xPtr = space.alloc(4 * n * d);
    const gPtr = space.alloc(4 * n);
    const wPtr = weights ? space.alloc(8 * n) : 0;
    const acc = space.alloc(8 * k * d);
    const wsum = space.alloc(8 * k);
    const sizes = space.alloc(4 * k);
    space.f32(xPtr, n * d).set(x.subarray(0, n * d));
    space.i32(gPtr, n).set(group.subarray(0, n));
    if (weights) {
      const w = space.f64(wPtr, n);
      for (let i = 0; i < n; i++) w[i] = weights[i];
    }
    space.f64(acc, k * d).fill(0);
    space.f64(wsum, k).fill(0);
    space.i32(sizes, k).fill(0);
    space.k.poolRows(xPtr, n, d, gPtr, wPtr, acc, wsum, sizes);
    return { acc: space.f64(acc, k * d).slice(), wsum: space.f64(wsum, k).slice(), sizes: space.i32(sizes, k).slice() };
  } finally {
    space.release(mark);
  }
}

/**
 * The upper triangle of the Gram matrix of the rows of x (n x d, float64): calls visit(dots, w)
 * with dots[i * w + j] = <x_i, x_j> for every i < j (other entries unspecified), computed in
 * float64 exactly as the scalar loop rounds. The view is valid only during the call.
 */
export function kernelGramUpper(x: Float64Array, n: number, d: number, visit: (dots: Float64Array, w: number) => void): boolean {
  const space = scratch();
  if (!space || n < 2 || d === 0) return false;
  const mark = space.mark();
  try {
    const w = lanes(n);
    const xPtr = space.alloc(8 * n * d);
    const xT = space.alloc(8 * w * d);
    const out = space.alloc(8 * n * w);
    space.f64(xPtr, n * d).set(x.subarray(0, n * d));
    space.k.transposeF64(xPtr, n, d, xT, w);
    space.k.crossF64(xT, w, xPtr, n, d, out, 1);
    visit(space.f64(out, n * w), w);
    return true;
  } finally {
    space.release(mark);
  }
}

/**
 * out[j * ma + t] = sum over s < k of aT[s * ma + t] * b[j * k + s] (aT: k x ma, the columns of
 * the ma vectors a_t; b: nb x k; float64) for every t and j, each a scalar loop over s in order,
 * rounded exactly as that loop in JavaScript rounds it (multiplication commutes). aT is read as it
 * is laid out (no transposition). null when the kernels cannot run here.
 */
export function kernelProductsF64(aT: Float64Array, ma: number, b: Float64Array, nb: number, k: number): Float64Array | null {
  const space = scratch();
  if (!space || ma === 0 || nb === 0 || k === 0) return null;
  const mark = space.mark();
  try {
    const w = lanes(ma);
    const aPtr = space.alloc(8 * w * k);
    const bPtr = space.alloc(8 * nb * k);
    const out = space.alloc(8 * nb * w);
    const lanesOf = space.f64(aPtr, w * k);
    if (w === ma) lanesOf.set(aT.subarray(0, k * ma));
    else {
      lanesOf.fill(0); // lanes ma..w-1: products no one reads
      for (let s = 0; s < k; s++) lanesOf.set(aT.subarray(s * ma, (s + 1) * ma), s * w);
    }
    space.f64(bPtr, nb * k).set(b.subarray(0, nb * k));
    space.k.crossF64(aPtr, w, bPtr, nb, k, out, 0);
    const all = space.f64(out, nb * w);
    const result = new Float64Array(nb * ma);
    for (let j = 0; j < nb; j++) result.set(all.subarray(j * w, j * w + ma), j * ma);
    return result;
  } finally {
    space.release(mark);
  }
}

