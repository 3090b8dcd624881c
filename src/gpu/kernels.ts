/**
 * WGSL compute kernels. Vectors are read as vec4 (rows padded with zeros to a multiple of 4
 * values, which leaves every dot product unchanged); fp16 storage is read as pairs of u32 words
 * unpacked with unpack2x16float, which is core WGSL, so no shader-f16 feature is needed.
 */

/** Query tokens one dispatch can hold in workgroup memory; larger batches are split. */
export const MAX_QUERY_TOKENS = 1024;
/** vec4s of stored vectors staged in workgroup memory per tile (8 KiB). */
export const TILE_VEC4 = 512;
export const MAX_DIMENSION = TILE_VEC4 * 4;
/** Documents one top-k workgroup scans, and the largest k the GPU selects (beyond: CPU). */
export const TOPK_SEGMENT = 1024;
export const MAX_GPU_K = 128;

/**
 * MaxSim: one workgroup per document. The document's vectors are staged tile by tile in
 * workgroup memory; each thread keeps the running max of some query tokens (of every query in
 * the batch); at the end each query's maxima are summed into scores[query * docs + doc].
 */
export function maxSimKernel(element: 'f32' | 'f16'): string {
  const binding = element === 'f32' ? 'array<vec4<f32>>' : 'array<vec2<u32>>';
  const load = element === 'f32' ? 'vectors[i]' : 'vec4<f32>(unpack2x16float(vectors[i].x), unpack2x16float(vectors[i].y))';
  return /* wgsl */ `
struct Params {
  d4: u32,        // vec4s per vector
  docs: u32,      // documents in this chunk
  queries: u32,   // queries in the batch
  qTokens: u32,   // query tokens in the batch
  gridX: u32,     // workgroups per row of the 2-D dispatch
  _pad0: u32, _pad1: u32, _pad2: u32,
};
@group(0) @binding(0) var<storage, read> vectors: ${binding};
@group(0) @binding(1) var<storage, read> offsets: array<u32>;
@group(0) @binding(2) var<storage, read> query: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> qOffsets: array<u32>;
@group(0) @binding(4) var<storage, read_write> scores: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

const WG: u32 = 64u;
var<workgroup> tile: array<vec4<f32>, ${TILE_VEC4}>;
var<workgroup> tokenMax: array<f32, ${MAX_QUERY_TOKENS}>;
var<workgroup> bounds: vec2<u32>;

fn load(i: u32) -> vec4<f32> { return ${load}; }

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let doc = wg.y * p.gridX + wg.x;
  if (doc >= p.docs) { return; }
  if (lid == 0u) { bounds = vec2<u32>(offsets[doc], offsets[doc + 1u]); }
  let b = workgroupUniformLoad(&bounds);
  let d4 = p.d4;
  let rowsPerTile = ${TILE_VEC4}u / d4;
  // -infinity, as the CPU: an empty document scores -inf and sorts last. (Built at run time from a
  // uniform that is 0: WGSL rejects infinities in constant expressions.)
  let negInf = bitcast<f32>(0xff800000u | p._pad0);
  for (var t = lid; t < p.qTokens; t += WG) { tokenMax[t] = negInf; }
  for (var r0 = b.x; r0 < b.y; r0 += rowsPerTile) {
    let rows = min(rowsPerTile, b.y - r0);
    workgroupBarrier();
    for (var i = lid; i < rows * d4; i += WG) { tile[i] = load(r0 * d4 + i); }
    workgroupBarrier();
    for (var t = lid; t < p.qTokens; t += WG) {
      var best = tokenMax[t];
      for (var r = 0u; r < rows; r++) {
        var s = 0.0;
        for (var k = 0u; k < d4; k++) { s += dot(query[t * d4 + k], tile[r * d4 + k]); }
        best = max(best, s);
      }
      tokenMax[t] = best;
    }
  }
  workgroupBarrier();
  for (var q = lid; q < p.queries; q += WG) {
    var total = 0.0;
    for (var t = qOffsets[q]; t < qOffsets[q + 1u]; t++) { total += tokenMax[t]; }
    scores[q * p.docs + doc] = total;
  }
}
`;
}

/**
 * Top-k per query over one chunk's scores: each workgroup takes a segment of TOPK_SEGMENT
 * documents of one query and selects its k best by k rounds of a parallel argmax (ties: lower
 * document index, as the CPU's topK). The CPU merges segments x k candidates per query.
 */
export const TOPK_KERNEL = /* wgsl */ `
struct Params {
  docs: u32,      // documents in the chunk
  k: u32,
  segments: u32,  // segments per query
  _pad: u32,
};
@group(0) @binding(0) var<storage, read> scores: array<f32>;
@group(0) @binding(1) var<storage, read_write> candDoc: array<u32>;
@group(0) @binding(2) var<storage, read_write> candScore: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

const WG: u32 = 256u;
const PER: u32 = ${TOPK_SEGMENT / 256}u;
const NONE: u32 = 0xffffffffu;
var<workgroup> vals: array<f32, ${TOPK_SEGMENT}>;
var<workgroup> taken: array<u32, ${TOPK_SEGMENT}>;
var<workgroup> redV: array<f32, 256>;
var<workgroup> redI: array<u32, 256>;

// (v, i) ranks before (w, j): no candidate j, or a higher score, or an equal score and a lower index.
// -inf scores (empty documents) still rank, last, as on the CPU.
fn better(v: f32, i: u32, w: f32, j: u32) -> bool {
  return i != NONE && (j == NONE || v > w || (v == w && i < j));
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let segment = wg.x;
  let q = wg.y;
  let first = segment * ${TOPK_SEGMENT}u;
  for (var e = 0u; e < PER; e++) {
    let local = lid * PER + e;
    let doc = first + local;
    vals[local] = select(0.0, scores[q * p.docs + doc], doc < p.docs);
    taken[local] = select(1u, 0u, doc < p.docs);
  }
  for (var round = 0u; round < p.k; round++) {
    workgroupBarrier();
    var bv = 0.0;
    var bi = NONE;
    for (var e = 0u; e < PER; e++) {
      let local = lid * PER + e;
      if (taken[local] == 0u && better(vals[local], local, bv, bi)) { bv = vals[local]; bi = local; }
    }
    redV[lid] = bv;
    redI[lid] = bi;
    for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
      workgroupBarrier();
      if (lid < stride && better(redV[lid + stride], redI[lid + stride], redV[lid], redI[lid])) {
        redV[lid] = redV[lid + stride];
        redI[lid] = redI[lid + stride];
      }
    }
    workgroupBarrier();
    if (lid == 0u) {
      let out = (q * p.segments + segment) * p.k + round;
      let winner = redI[0];
      candDoc[out] = select(first + winner, NONE, winner == NONE);
      candScore[out] = redV[0];
      if (winner != NONE) { taken[winner] = 1u; }
    }
  }
}
`;

/**
 * The k-means (and AGC-style) assignment step for many documents at once: every token finds the
 * most similar centroid of its own document (largest dot product; ties: the lower index).
 */
export const ASSIGN_KERNEL = /* wgsl */ `
struct Params {
  d4: u32,
  points: u32,
  gridX: u32,
  _pad: u32,
};
@group(0) @binding(0) var<storage, read> points: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> pointDoc: array<u32>;
@group(0) @binding(2) var<storage, read> centroids: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> centroidOffsets: array<u32>;
@group(0) @binding(4) var<storage, read_write> assignment: array<u32>;
@group(0) @binding(5) var<storage, read_write> similarity: array<f32>;
@group(0) @binding(6) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * p.gridX * 64u + gid.x;
  if (i >= p.points) { return; }
  let doc = pointDoc[i];
  let c0 = centroidOffsets[doc];
  let c1 = centroidOffsets[doc + 1u];
  var best = -3.4e38;
  var arg = 0u;
  for (var c = c0; c < c1; c++) {
    var s = 0.0;
    for (var k = 0u; k < p.d4; k++) { s += dot(points[i * p.d4 + k], centroids[c * p.d4 + k]); }
    if (s > best) { best = s; arg = c - c0; }
  }
  assignment[i] = arg;
  similarity[i] = best;
}
`;
