// WebAssembly SIMD kernels (AssemblyScript, compiled by `npm run kernels`; see src/kernels/).
//
// Every function works on raw pointers into the one linear memory and allocates nothing: the
// caller (src/kernels/space.ts) lays out the corpus, the query and the scratch areas. Layouts:
//   - a "transposed query" qT is d rows of w floats: qT[k * w + i] = q_i[k], the query's tokens
//     padded with zeros to a width w that is a multiple of 8 (f32) or 4 (f64);
//   - stored vectors are row-major, d values per row, as in src/core/maxsim.ts.
// For every stored row, 8 query tokens (two f32x4 lanes) are updated at once by broadcasting one
// stored value: acc[i] += qT[k][i] * row[k]. Per lane this is the scalar loop in order k = 0..d-1,
// with one rounding for the product and one for the sum (no fused multiply-add).

// Built twice more with `--enable relaxed-simd`: where the engine has relaxed SIMD, the f32 dot
// products use its fused multiply-add (one rounding per step instead of two; whether it fuses is
// up to the CPU, so scores may differ in the last bits between machines).
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// ---------------------------------------------------------------------------------------------
// MaxSim, fp32

/** best[i] = -Infinity, arg[i] = -1 for w lanes. */
export function reset(best: usize, arg: usize, w: i32): void {
  const ninf = f32x4.splat(-Infinity);
  const neg = i32x4.splat(-1);
  for (let i = 0; i < w; i += 4) {
    v128.store(best + (<usize>i << 2), ninf);
    v128.store(arg + (<usize>i << 2), neg);
  }
}

/**
 * Running MaxSim over `rows` stored rows at `data`: for each lane i < w (a multiple of 8),
 * best[i] = max(best[i], <q_i, row_j>) and arg[i] = rowBase + j of the first row reaching it
 * (strict ">" in row order, so ties keep the earlier row).
 */
export function maxsim(qT: usize, w: i32, data: usize, rows: i32, d: i32, best: usize, arg: usize, rowBase: i32): void {
  const stride = <usize>w << 2;
  const rowBytes = <usize>d << 2;
  for (let t = 0; t < w; t += 8) {
    const bo = best + (<usize>t << 2);
    const ao = arg + (<usize>t << 2);
    let b0 = v128.load(bo);
    let b1 = v128.load(bo, 16);
    let a0 = v128.load(ao);
    let a1 = v128.load(ao, 16);
    const q0 = qT + (<usize>t << 2);
    let j = 0;
    for (; j + 4 <= rows; j += 4) {
      const p0 = data + <usize>j * rowBytes;
      const p1 = p0 + rowBytes;
      const p2 = p1 + rowBytes;
      const p3 = p2 + rowBytes;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      let qp = q0;
      for (let k = 0; k < d; k++) {
        const x0 = v128.load(qp);
        const x1 = v128.load(qp, 16);
        const kk = <usize>k << 2;
        let s = v128.load32_splat(p0 + kk);
        c00 = madd(x0, s, c00);
        c01 = madd(x1, s, c01);
        s = v128.load32_splat(p1 + kk);
        c10 = madd(x0, s, c10);
        c11 = madd(x1, s, c11);
        s = v128.load32_splat(p2 + kk);
        c20 = madd(x0, s, c20);
        c21 = madd(x1, s, c21);
        s = v128.load32_splat(p3 + kk);
        c30 = madd(x0, s, c30);
        c31 = madd(x1, s, c31);
        qp += stride;
      }
      let r = i32x4.splat(rowBase + j);
      let m = f32x4.gt(c00, b0); b0 = v128.bitselect(c00, b0, m); a0 = v128.bitselect(r, a0, m);
      m = f32x4.gt(c01, b1); b1 = v128.bitselect(c01, b1, m); a1 = v128.bitselect(r, a1, m);
      r = i32x4.splat(rowBase + j + 1);
      m = f32x4.gt(c10, b0); b0 = v128.bitselect(c10, b0, m); a0 = v128.bitselect(r, a0, m);
      m = f32x4.gt(c11, b1); b1 = v128.bitselect(c11, b1, m); a1 = v128.bitselect(r, a1, m);
      r = i32x4.splat(rowBase + j + 2);
      m = f32x4.gt(c20, b0); b0 = v128.bitselect(c20, b0, m); a0 = v128.bitselect(r, a0, m);
      m = f32x4.gt(c21, b1); b1 = v128.bitselect(c21, b1, m); a1 = v128.bitselect(r, a1, m);
      r = i32x4.splat(rowBase + j + 3);
      m = f32x4.gt(c30, b0); b0 = v128.bitselect(c30, b0, m); a0 = v128.bitselect(r, a0, m);
      m = f32x4.gt(c31, b1); b1 = v128.bitselect(c31, b1, m); a1 = v128.bitselect(r, a1, m);
    }
    for (; j < rows; j++) {
      const p = data + <usize>j * rowBytes;
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
      let qp = q0;
      for (let k = 0; k < d; k++) {
        const s = v128.load32_splat(p + (<usize>k << 2));
        c0 = madd(v128.load(qp), s, c0);
        c1 = madd(v128.load(qp, 16), s, c1);
        qp += stride;
      }
      const r = i32x4.splat(rowBase + j);
      let m = f32x4.gt(c0, b0); b0 = v128.bitselect(c0, b0, m); a0 = v128.bitselect(r, a0, m);
      m = f32x4.gt(c1, b1); b1 = v128.bitselect(c1, b1, m); a1 = v128.bitselect(r, a1, m);
    }
    v128.store(bo, b0);
    v128.store(bo, b1, 16);
    v128.store(ao, a0);
    v128.store(ao, a1, 16);
  }
}

/** Sum of best[0..qn-1] in float64 (an empty document's -Infinity included). */
@inline function sumBest(best: usize, qn: i32): f64 {
  let total: f64 = 0;
  for (let i = 0; i < qn; i++) total += <f64>load<f32>(best + (<usize>i << 2));
  return total;
}

/**
 * MaxSim scores of one query against documents docStart..docEnd-1 of a packed corpus
 * (offsets: Int32 per document + 1, rows of d floats at data). scores[doc - docStart] (f64)
 * receives the sum over the qn real lanes; winners, when not 0, receives arg per document (qn
 * Int32 each, global row indices), at winners + (doc - docStart) * qn.
 * storage: 0 fp32 (rows at data); 1 fp16 (halves at data, decoded into `block`); 2 int8 (bytes at
 * data, one f32 scale per row at scales, decoded into `block`). `block` holds the largest document.
 */
export function scoreDocs(
  qT: usize, w: i32, qn: i32, storage: i32, data: usize, scales: usize, offsets: usize,
  docStart: i32, docEnd: i32, d: i32, best: usize, arg: usize, block: usize, scores: usize, winners: usize,
): void {
  for (let doc = docStart; doc < docEnd; doc++) {
    const start = load<i32>(offsets + (<usize>doc << 2));
    const end = load<i32>(offsets + (<usize>(doc + 1) << 2));
    reset(best, arg, w);
    const rows = end - start;
    if (storage == 0) {
      maxsim(qT, w, data + <usize>start * (<usize>d << 2), rows, d, best, arg, start);
    } else if (storage == 1) {
      decodeHalf(data + <usize>start * (<usize>d << 1), block, rows * d);
      maxsim(qT, w, block, rows, d, best, arg, start);
    } else {
      decodeInt8(data + <usize>start * <usize>d, scales + (<usize>start << 2), block, rows, d);
      maxsim(qT, w, block, rows, d, best, arg, start);
    }
    store<f64>(scores + (<usize>(doc - docStart) << 3), sumBest(best, qn));
    if (winners != 0) memory.copy(winners + <usize>(doc - docStart) * (<usize>qn << 2), arg, <usize>qn << 2);
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** count IEEE halves at src widened to f32 at dst (exact, subnormals, infinities and NaN kept). */
export function decodeHalf(src: usize, dst: usize, count: i32): void {
  const magic = f32x4.splat(reinterpret<f32>(0x77800000)); // 2^112
  const low15 = i32x4.splat(0x7fff);
  const infHalf = i32x4.splat(0x7c00 - 1);
  const infBits = i32x4.splat(0x7f800000);
  let i = 0;
  for (; i + 8 <= count; i += 8) {
    const h = v128.load(src + (<usize>i << 1));
    v128.store(dst + (<usize>i << 2), halfToFloat(i32x4.extend_low_i16x8_u(h), magic, low15, infHalf, infBits));
    v128.store(dst + (<usize>i << 2), halfToFloat(i32x4.extend_high_i16x8_u(h), magic, low15, infHalf, infBits), 16);
  }
  for (; i < count; i++) {
    const h = i32x4.splat(<i32>load<u16>(src + (<usize>i << 1)));
    store<f32>(dst + (<usize>i << 2), f32x4.extract_lane(halfToFloat(h, magic, low15, infHalf, infBits), 0));
  }
}

@inline function halfToFloat(h: v128, magic: v128, low15: v128, infHalf: v128, infBits: v128): v128 {
  const em = v128.and(h, low15);
  const sign = i32x4.shl(v128.xor(h, em), 16);
  const scaled = f32x4.mul(i32x4.shl(em, 13), magic);
  const special = v128.or(i32x4.shl(em, 13), infBits);
  const isSpecial = i32x4.gt_s(em, infHalf);
  return v128.or(v128.bitselect(special, scaled, isSpecial), sign);
}

/** rows of d int8 values at src times their row's f32 scale, as f32 at dst. */
export function decodeInt8(src: usize, scales: usize, dst: usize, rows: i32, d: i32): void {
  for (let r = 0; r < rows; r++) {
    const s = load<f32>(scales + (<usize>r << 2));
    const sv = f32x4.splat(s);
    const ro = src + <usize>r * <usize>d;
    const wo = dst + ((<usize>r * <usize>d) << 2);
    let k = 0;
    for (; k + 16 <= d; k += 16) {
      const b = v128.load(ro + <usize>k);
      const lo = i16x8.extend_low_i8x16_s(b);
      const hi = i16x8.extend_high_i8x16_s(b);
      const o = wo + (<usize>k << 2);
      v128.store(o, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), sv));
      v128.store(o, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), sv), 16);
      v128.store(o, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), sv), 32);
      v128.store(o, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), sv), 48);
    }
    for (; k < d; k++) store<f32>(wo + (<usize>k << 2), <f32>load<i8>(ro + <usize>k) * s);
  }
}

// ---------------------------------------------------------------------------------------------
// Layout helpers

/** dst (d x w, f32) = the transpose of src (n x d, f32), lanes n..w-1 zero. */
export function transposeF32(src: usize, n: i32, d: i32, dst: usize, w: i32): void {
  memory.fill(dst, 0, (<usize>d * <usize>w) << 2);
  for (let i = 0; i < n; i++) {
    const row = src + ((<usize>i * <usize>d) << 2);
    for (let k = 0; k < d; k++) store<f32>(dst + ((<usize>k * <usize>w + <usize>i) << 2), load<f32>(row + (<usize>k << 2)));
  }
}

/** dst (d x w, f64) = the transpose of src (n x d, f64), lanes n..w-1 zero. */
export function transposeF64(src: usize, n: i32, d: i32, dst: usize, w: i32): void {
  memory.fill(dst, 0, (<usize>d * <usize>w) << 3);
  for (let i = 0; i < n; i++) {
    const row = src + ((<usize>i * <usize>d) << 3);
    for (let k = 0; k < d; k++) store<f64>(dst + ((<usize>k * <usize>w + <usize>i) << 3), load<f64>(row + (<usize>k << 3)));
  }
}

// ---------------------------------------------------------------------------------------------
// Dot products in float64 (Ward's Gram matrix)

/**
 * out[j * w + i] = <a_i, b_j> in f64 for the lanes i < w (a multiple of 8) of aT (d x w, the
 * transposed rows of a) and rows j < nb of b (nb x d). When `upper` is 1, lane block t..t+7 is
 * computed only for rows j < t + 8, which covers every i > j: the upper triangle of a Gram matrix
 * (b = a) read along rows, out[j * w + i] for i > j.
 * Per lane this is the scalar loop s += a[k] * b[k] in order k, rounded as JavaScript rounds it.
 */
export function crossF64(aT: usize, w: i32, b: usize, nb: i32, d: i32, out: usize, upper: i32): void {
  const stride = <usize>w << 3;
  const rowBytes = <usize>d << 3;
  for (let t = 0; t < w; t += 8) {
    const q0 = aT + (<usize>t << 3);
    const jEnd = upper ? min(t + 8, nb) : nb;
    let j = 0;
    for (; j + 2 <= jEnd; j += 2) {
      const p0 = b + <usize>j * rowBytes;
      const p1 = p0 + rowBytes;
      let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c02 = f64x2.splat(0), c03 = f64x2.splat(0);
      let c10 = f64x2.splat(0), c11 = f64x2.splat(0), c12 = f64x2.splat(0), c13 = f64x2.splat(0);
      let qp = q0;
      for (let k = 0; k < d; k++) {
        const x0 = v128.load(qp);
        const x1 = v128.load(qp, 16);
        const x2 = v128.load(qp, 32);
        const x3 = v128.load(qp, 48);
        const kk = <usize>k << 3;
        let s = v128.load64_splat(p0 + kk);
        c00 = f64x2.add(c00, f64x2.mul(x0, s));
        c01 = f64x2.add(c01, f64x2.mul(x1, s));
        c02 = f64x2.add(c02, f64x2.mul(x2, s));
        c03 = f64x2.add(c03, f64x2.mul(x3, s));
        s = v128.load64_splat(p1 + kk);
        c10 = f64x2.add(c10, f64x2.mul(x0, s));
        c11 = f64x2.add(c11, f64x2.mul(x1, s));
        c12 = f64x2.add(c12, f64x2.mul(x2, s));
        c13 = f64x2.add(c13, f64x2.mul(x3, s));
        qp += stride;
      }
      const o0 = out + ((<usize>j * <usize>w + <usize>t) << 3);
      const o1 = o0 + stride;
      v128.store(o0, c00); v128.store(o0, c01, 16); v128.store(o0, c02, 32); v128.store(o0, c03, 48);
      v128.store(o1, c10); v128.store(o1, c11, 16); v128.store(o1, c12, 32); v128.store(o1, c13, 48);
    }
    for (; j < jEnd; j++) {
      const p = b + <usize>j * rowBytes;
      let c0 = f64x2.splat(0), c1 = f64x2.splat(0), c2 = f64x2.splat(0), c3 = f64x2.splat(0);
      let qp = q0;
      for (let k = 0; k < d; k++) {
        const s = v128.load64_splat(p + (<usize>k << 3));
        c0 = f64x2.add(c0, f64x2.mul(v128.load(qp), s));
        c1 = f64x2.add(c1, f64x2.mul(v128.load(qp, 16), s));
        c2 = f64x2.add(c2, f64x2.mul(v128.load(qp, 32), s));
        c3 = f64x2.add(c3, f64x2.mul(v128.load(qp, 48), s));
        qp += stride;
      }
      const o = out + ((<usize>j * <usize>w + <usize>t) << 3);
      v128.store(o, c0); v128.store(o, c1, 16); v128.store(o, c2, 32); v128.store(o, c3, 48);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Dot products in float32 without transposing the many rows (cosine assignment)

/**
 * out[j * w + i] = <a_i, b_j> in f32 for the lanes i < w (a multiple of 8) of aT (d x w, the
 * transposed rows of a, e.g. a few centroids) and the rows j < nb of b (nb x d, e.g. a
 * document's tokens, read as they are stored).
 */
export function crossF32(aT: usize, w: i32, b: usize, nb: i32, d: i32, out: usize): void {
  const stride = <usize>w << 2;
  const rowBytes = <usize>d << 2;
  for (let t = 0; t < w; t += 8) {
    const q0 = aT + (<usize>t << 2);
    let j = 0;
    for (; j + 4 <= nb; j += 4) {
      const p0 = b + <usize>j * rowBytes;
      const p1 = p0 + rowBytes;
      const p2 = p1 + rowBytes;
      const p3 = p2 + rowBytes;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      let qp = q0;
      for (let k = 0; k < d; k++) {
        const x0 = v128.load(qp);
        const x1 = v128.load(qp, 16);
        const kk = <usize>k << 2;
        let s = v128.load32_splat(p0 + kk);
        c00 = madd(x0, s, c00);
        c01 = madd(x1, s, c01);
        s = v128.load32_splat(p1 + kk);
        c10 = madd(x0, s, c10);
        c11 = madd(x1, s, c11);
        s = v128.load32_splat(p2 + kk);
        c20 = madd(x0, s, c20);
        c21 = madd(x1, s, c21);
        s = v128.load32_splat(p3 + kk);
        c30 = madd(x0, s, c30);
        c31 = madd(x1, s, c31);
        qp += stride;
      }
      const o0 = out + ((<usize>j * <usize>w + <usize>t) << 2);
      v128.store(o0, c00); v128.store(o0, c01, 16);
      const o1 = o0 + stride;
      v128.store(o1, c10); v128.store(o1, c11, 16);
      const o2 = o1 + stride;
      v128.store(o2, c20); v128.store(o2, c21, 16);
      const o3 = o2 + stride;
      v128.store(o3, c30); v128.store(o3, c31, 16);
    }
    for (; j < nb; j++) {
      const p = b + <usize>j * rowBytes;
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
      let qp = q0;
      for (let k = 0; k < d; k++) {
        const s = v128.load32_splat(p + (<usize>k << 2));
        c0 = madd(v128.load(qp), s, c0);
        c1 = madd(v128.load(qp, 16), s, c1);
        qp += stride;
      }
      const o = out + ((<usize>j * <usize>w + <usize>t) << 2);
      v128.store(o, c0); v128.store(o, c1, 16);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Row normalisation and pooling, rounded exactly as the TypeScript reference (src/core/linalg.ts)

/**
 * dst row i = src row i / |src row i| (f32 in, f32 out; a zero row stays zero). The norm is the
 * reference's: four float64 partial sums by k mod 4 (the tail into the first), added in order,
 * its square root, then each value times 1 / norm in float64, rounded to float32.
 */
export function normalizeRows(src: usize, dst: usize, n: i32, d: i32): void {
  for (let i = 0; i < n; i++) {
    const row = src + ((<usize>i * <usize>d) << 2);
    const out = dst + ((<usize>i * <usize>d) << 2);
    let s01 = f64x2.splat(0);
    let s23 = f64x2.splat(0);
    let k = 0;
    for (; k + 4 <= d; k += 4) {
      const v = v128.load(row + (<usize>k << 2));
      const lo = f64x2.promote_low_f32x4(v);
      const hi = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
      s01 = f64x2.add(s01, f64x2.mul(lo, lo));
      s23 = f64x2.add(s23, f64x2.mul(hi, hi));
    }
    let s0 = f64x2.extract_lane(s01, 0);
    for (; k < d; k++) {
      const x = <f64>load<f32>(row + (<usize>k << 2));
      s0 += x * x;
    }
    const norm = Math.sqrt(s0 + f64x2.extract_lane(s01, 1) + f64x2.extract_lane(s23, 0) + f64x2.extract_lane(s23, 1));
    const inv = norm > 0 ? 1 / norm : 0;
    const iv = f64x2.splat(inv);
    k = 0;
    for (; k + 4 <= d; k += 4) {
      const v = v128.load(row + (<usize>k << 2));
      const lo = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.promote_low_f32x4(v), iv));
      const hi = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)), iv));
      v128.store(out + (<usize>k << 2), i32x4.shuffle(lo, hi, 0, 1, 4, 5));
    }
    for (; k < d; k++) store<f32>(out + (<usize>k << 2), <f32>(<f64>load<f32>(row + (<usize>k << 2)) * inv));
  }
}

/**
 * acc (k x d, f64, zeroed by the caller) += w_i x_i for every row i with group[i] >= 0, and
 * wsum[g] += w_i, sizes[g] += 1, in row order as the reference; weights (f64) at `weights`, or
 * 1 when it is 0. Rows of weight 0 are counted but not added, as in the reference.
 */
export function poolRows(x: usize, n: i32, d: i32, group: usize, weights: usize, acc: usize, wsum: usize, sizes: usize): void {
  for (let i = 0; i < n; i++) {
    const g = load<i32>(group + (<usize>i << 2));
    if (g < 0) continue;
    const w: f64 = weights ? load<f64>(weights + (<usize>i << 3)) : 1;
    const sp = sizes + (<usize>g << 2);
    store<i32>(sp, load<i32>(sp) + 1);
    const wp = wsum + (<usize>g << 3);
    store<f64>(wp, load<f64>(wp) + w);
    if (w == 0) continue;
    const row = x + ((<usize>i * <usize>d) << 2);
    const out = acc + ((<usize>g * <usize>d) << 3);
    const wv = f64x2.splat(w);
    let k = 0;
    for (; k + 2 <= d; k += 2) {
      const o = out + (<usize>k << 3);
      const v = f64x2.promote_low_f32x4(v128.load64_zero(row + (<usize>k << 2)));
      v128.store(o, f64x2.add(v128.load(o), f64x2.mul(wv, v)));
    }
    for (; k < d; k++) {
      const o = out + (<usize>k << 3);
      store<f64>(o, load<f64>(o) + w * <f64>load<f32>(row + (<usize>k << 2)));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// k-means' assignment from products kept between iterations

/**
 * Columns cols[q] (q < count) of cache (n x m, f32) = columns q of fresh (n x w, f32), then for
 * every row the column of the largest value (ties: the lowest; all NaN: 0 and -Infinity) into
 * assignment (i32) and similarity (f32), as the TypeScript argmax.
 */
export function scatterArgmax(fresh: usize, w: i32, cols: usize, count: i32, cache: usize, n: i32, m: i32, assignment: usize, similarity: usize): void {
  for (let i = 0; i < n; i++) {
    const row = cache + ((<usize>i * <usize>m) << 2);
    const src = fresh + ((<usize>i * <usize>w) << 2);
    for (let q = 0; q < count; q++) store<f32>(row + (<usize>load<i32>(cols + (<usize>q << 2)) << 2), load<f32>(src + (<usize>q << 2)));
    let best: f32 = -Infinity;
    let arg: i32 = 0;
    for (let j = 0; j < m; j++) {
      const v = load<f32>(row + (<usize>j << 2));
      if (v > best) {
        best = v;
        arg = j;
      }
    }
    store<i32>(assignment + (<usize>i << 2), arg);
    store<f32>(similarity + (<usize>i << 2), best);
  }
}

// ---------------------------------------------------------------------------------------------
// Binary (sign) prefilter for two-stage search

/**
 * One sign bit per value (1 where x > 0, as src/core/storage.ts binarize), rows padded to
 * `words` 32-bit words, from `count` rows of d values stored as storage 0 fp32, 1 fp16, 2 int8.
 * d must be a multiple of 16 for the vector path; other d go value by value.
 */
export function signBits(src: usize, storage: i32, count: i32, d: i32, dst: usize, words: i32): void {
  memory.fill(dst, 0, (<usize>count * <usize>words) << 2);
  const zero = v128.splat<i32>(0);
  for (let r = 0; r < count; r++) {
    const out = dst + ((<usize>r * <usize>words) << 2);
    let k = 0;
    if ((d & 15) == 0) {
      for (; k < d; k += 16) {
        let bits: i32 = 0;
        if (storage == 0) {
          const p = src + ((<usize>r * <usize>d + <usize>k) << 2);
          bits = i32x4.bitmask(f32x4.gt(v128.load(p), zero))
            | (i32x4.bitmask(f32x4.gt(v128.load(p, 16), zero)) << 4)
            | (i32x4.bitmask(f32x4.gt(v128.load(p, 32), zero)) << 8)
            | (i32x4.bitmask(f32x4.gt(v128.load(p, 48), zero)) << 12);
        } else if (storage == 1) {
          // a half is > 0 exactly when, read as a signed 16-bit integer, it is > 0 (NaN aside)
          const p = src + ((<usize>r * <usize>d + <usize>k) << 1);
          bits = i16x8.bitmask(i16x8.gt_s(v128.load(p), zero)) | (i16x8.bitmask(i16x8.gt_s(v128.load(p, 16), zero)) << 8);
        } else {
          bits = i8x16.bitmask(i8x16.gt_s(v128.load(src + <usize>r * <usize>d + <usize>k), zero));
        }
        const wp = out + (<usize>(k >> 5) << 2);
        store<u32>(wp, load<u32>(wp) | (<u32>bits << (k & 31)));
      }
    }
    for (; k < d; k++) {
      let pos = false;
      if (storage == 0) pos = load<f32>(src + ((<usize>r * <usize>d + <usize>k) << 2)) > 0;
      else if (storage == 1) pos = load<i16>(src + ((<usize>r * <usize>d + <usize>k) << 1)) > 0;
      else pos = load<i8>(src + <usize>r * <usize>d + <usize>k) > 0;
      if (pos) {
        const wp = out + (<usize>(k >> 5) << 2);
        store<u32>(wp, load<u32>(wp) | (<u32>1 << (k & 31)));
      }
    }
  }
}

/**
 * For documents docStart..docEnd-1 of a sign-bit index (rows of `words` words at bits, Int32
 * offsets), out[doc - docStart] (i32) = sum over the qn query tokens (rows of `words` words at
 * qbits) of the smallest Hamming distance to the document's rows; qn * (words * 32 + 1) for an
 * empty document (worse than any real one). Words are taken four at a time with popcnt on
 * bytes; `words` need not be a multiple of 4.
 */
export function hammingMin(qbits: usize, qn: i32, bits: usize, offsets: usize, docStart: i32, docEnd: i32, words: i32, out: usize): void {
  const rowBytes = <usize>words << 2;
  const chunks = words >> 2;
  for (let doc = docStart; doc < docEnd; doc++) {
    const start = load<i32>(offsets + (<usize>doc << 2));
    const end = load<i32>(offsets + (<usize>(doc + 1) << 2));
    let total: i32 = 0;
    if (end == start) {
      total = qn * (words * 32 + 1);
    } else if (words == 4) {
      // one 128-bit row: two 64-bit words per vector, the CPU's own popcount (faster here than
      // popcount on bytes, which x86 lacks below AVX-512); four query tokens share each row's loads
      const groups = (qn + 3) >> 2;
      for (let g = 0; g < groups; g++) {
        const i0 = g << 2;
        const q0 = qbits + <usize>i0 * rowBytes;
        const q1 = q0 + (i0 + 1 < qn ? rowBytes : 0);
        const q2 = q0 + (i0 + 2 < qn ? rowBytes << 1 : 0);
        const q3 = q0 + (i0 + 3 < qn ? rowBytes * 3 : 0);
        const a0 = load<u64>(q0), b0 = load<u64>(q0, 8);
        const a1 = load<u64>(q1), b1 = load<u64>(q1, 8);
        const a2 = load<u64>(q2), b2 = load<u64>(q2, 8);
        const a3 = load<u64>(q3), b3 = load<u64>(q3, 8);
        let m0: i32 = 0x7fffffff, m1: i32 = 0x7fffffff, m2: i32 = 0x7fffffff, m3: i32 = 0x7fffffff;
        for (let j = start; j < end; j++) {
          const v = bits + (<usize>j << 4);
          const x = load<u64>(v);
          const y = load<u64>(v, 8);
          const h0 = <i32>(popcnt<u64>(x ^ a0) + popcnt<u64>(y ^ b0));
          const h1 = <i32>(popcnt<u64>(x ^ a1) + popcnt<u64>(y ^ b1));
          const h2 = <i32>(popcnt<u64>(x ^ a2) + popcnt<u64>(y ^ b2));
          const h3 = <i32>(popcnt<u64>(x ^ a3) + popcnt<u64>(y ^ b3));
          m0 = min(m0, h0); m1 = min(m1, h1); m2 = min(m2, h2); m3 = min(m3, h3);
        }
        total += m0;
        if (i0 + 1 < qn) total += m1;
        if (i0 + 2 < qn) total += m2;
        if (i0 + 3 < qn) total += m3;
      }
    } else if ((words & 3) == 0 && chunks <= 16) {
      // four query tokens at a time: their four popcount vectors reduced together to one i32x4
      const groups = (qn + 3) >> 2;
      for (let g = 0; g < groups; g++) {
        const i0 = g << 2;
        const q0 = qbits + <usize>i0 * rowBytes;
        const q1 = q0 + (i0 + 1 < qn ? rowBytes : 0);
        const q2 = q0 + (i0 + 2 < qn ? rowBytes << 1 : 0);
        const q3 = q0 + (i0 + 3 < qn ? rowBytes * 3 : 0);
        let best = i32x4.splat(0x7fffffff);
        for (let j = start; j < end; j++) {
          const v = bits + <usize>j * rowBytes;
          let p0 = i8x16.splat(0), p1 = i8x16.splat(0), p2 = i8x16.splat(0), p3 = i8x16.splat(0);
          for (let c = 0; c < chunks; c++) {
            const o = <usize>c << 4;
            const x = v128.load(v + o);
            p0 = i8x16.add(p0, i8x16.popcnt(v128.xor(x, v128.load(q0 + o))));
            p1 = i8x16.add(p1, i8x16.popcnt(v128.xor(x, v128.load(q1 + o))));
            p2 = i8x16.add(p2, i8x16.popcnt(v128.xor(x, v128.load(q2 + o))));
            p3 = i8x16.add(p3, i8x16.popcnt(v128.xor(x, v128.load(q3 + o))));
          }
          const a = i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(p0));
          const b = i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(p1));
          const c = i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(p2));
          const e = i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(p3));
          const ab = i32x4.add(v128.shuffle<i32>(a, b, 0, 2, 4, 6), v128.shuffle<i32>(a, b, 1, 3, 5, 7));
          const ce = i32x4.add(v128.shuffle<i32>(c, e, 0, 2, 4, 6), v128.shuffle<i32>(c, e, 1, 3, 5, 7));
          best = i32x4.min_s(best, i32x4.add(v128.shuffle<i32>(ab, ce, 0, 2, 4, 6), v128.shuffle<i32>(ab, ce, 1, 3, 5, 7)));
        }
        total += i32x4.extract_lane(best, 0);
        if (i0 + 1 < qn) total += i32x4.extract_lane(best, 1);
        if (i0 + 2 < qn) total += i32x4.extract_lane(best, 2);
        if (i0 + 3 < qn) total += i32x4.extract_lane(best, 3);
      }
    } else {
      for (let i = 0; i < qn; i++) {
        const q = qbits + <usize>i * rowBytes;
        let best: i32 = 0x7fffffff;
        for (let j = start; j < end; j++) {
          const v = bits + <usize>j * rowBytes;
          let acc = i8x16.splat(0);
          let c = 0;
          let ham: i32 = 0;
          for (; c < chunks; c++) {
            const o = <usize>c << 4;
            acc = i8x16.add(acc, i8x16.popcnt(v128.xor(v128.load(q + o), v128.load(v + o))));
            if ((c & 15) == 15) {
              ham += sumBytes(acc);
              acc = i8x16.splat(0);
            }
          }
          ham += sumBytes(acc);
          for (let w = chunks << 2; w < words; w++) ham += <i32>popcnt<u32>(load<u32>(q + (<usize>w << 2)) ^ load<u32>(v + (<usize>w << 2)));
          if (ham < best) best = ham;
        }
        total += best;
      }
    }
    store<i32>(out + (<usize>(doc - docStart) << 2), total);
  }
}

@inline function sumBytes(acc: v128): i32 {
  const s = i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(acc));
  return i32x4.extract_lane(s, 0) + i32x4.extract_lane(s, 1) + i32x4.extract_lane(s, 2) + i32x4.extract_lane(s, 3);
}

// ---------------------------------------------------------------------------------------------
// This CPU's f32x4 peak (for the benchmark's "share of peak"): twelve independent chains of
// multiply then add (fused where the relaxed build runs), enough in flight to cover the latency.

/** 96 floating-point operations per iteration (12 chains x 4 lanes x mul + add); returns a lane. */
export function peakF32x4(iterations: i32): f32 {
  const a = f32x4.splat(0.999999);
  const b = f32x4.splat(0.000001);
  let c0 = f32x4.splat(1), c1 = f32x4.splat(2), c2 = f32x4.splat(3), c3 = f32x4.splat(4);
  let c4 = f32x4.splat(5), c5 = f32x4.splat(6), c6 = f32x4.splat(7), c7 = f32x4.splat(8);
  let c8 = f32x4.splat(9), c9 = f32x4.splat(10), c10 = f32x4.splat(11), c11 = f32x4.splat(12);
  for (let i = 0; i < iterations; i++) {
    c0 = madd(c0, a, b); c1 = madd(c1, a, b);
    c2 = madd(c2, a, b); c3 = madd(c3, a, b);
    c4 = madd(c4, a, b); c5 = madd(c5, a, b);
    c6 = madd(c6, a, b); c7 = madd(c7, a, b);
    c8 = madd(c8, a, b); c9 = madd(c9, a, b);
    c10 = madd(c10, a, b); c11 = madd(c11, a, b);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)), f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11))));
  return f32x4.extract_lane(s, 0);
}
