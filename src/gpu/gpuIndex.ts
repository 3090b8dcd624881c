/**
 * A stored index (fp32 or fp16) on the GPU, searched with the MaxSim and top-k kernels.
 *
 * The index is split into chunks of whole documents so that no buffer exceeds the device's
 * storage binding limit (or a smaller limit given for testing); each chunk is scored and its
 * top-k candidates selected on the GPU, and the CPU merges chunks. Query batches are split to fit
 * the kernel's workgroup memory. Any failure raises GpuUnavailableError (device lost, out of
 * memory) so the caller can fall back to the CPU path.
 */
import type { Hit } from '../core/maxsim.ts';
import { STORAGE, STORAGE_TYPES } from '../core/storage/registry.ts';
import type { StoredCorpus } from '../core/storage/stored.ts';
import { checked, grid, GpuUnavailableError, pipeline, readBack, storageBuffer, uniformBuffer, type GpuContext } from './device.ts';
import { MAX_DIMENSION, MAX_GPU_K, MAX_QUERY_TOKENS, maxSimKernel, TOPK_KERNEL, TOPK_SEGMENT } from './kernels.ts';

export interface GpuQuery {
  n: number;
  data: Float32Array;
}

interface Chunk {
  docBase: number;
  docs: number;
  vectors: GPUBuffer;
  offsets: GPUBuffer;
  bytes: number;
}

/** Queries per dispatch (also bounds the scores buffer of a chunk). */
const MAX_BATCH_QUERIES = 64;

/** Why a stored index cannot be searched on the GPU, or undefined when it can. */
export function gpuUnsupported(stored: Pick<StoredCorpus, 'storage' | 'd'>): string | undefined {
  const element = STORAGE[stored.storage].kernel;
  if (element !== 'f32' && element !== 'f16') return `the GPU kernels read ${STORAGE_TYPES.filter((s) => ['f32', 'f16'].includes(STORAGE[s].kernel)).join(' and ')} indexes; ${stored.storage} is searched on the CPU`;
  if (stored.d > MAX_DIMENSION) return `d = ${stored.d} exceeds the kernel's ${MAX_DIMENSION}`;
  return undefined;
}

/** Rows padded with zeros to d4 x 4 values (a no-op view when d is a multiple of 4). */
function padRows<T extends Float32Array | Uint16Array>(src: T, rows: number, d: number, d4: number): T {
  if (d === d4 * 4) return src;
  const out = new (src.constructor as new (n: number) => T)(rows * d4 * 4);
  for (let r = 0; r < rows; r++) out.set(src.subarray(r * d, r * d + d) as never, r * d4 * 4);
  return out;
}

export class GpuIndex {
  private constructor(
    readonly ctx: GpuContext,
    readonly stored: StoredCorpus,
    private chunks: Chunk[],
    readonly d4: number,
  ) {}

  /** Bytes held on the GPU by the index. */
  get gpuBytes(): number {
    return this.chunks.reduce((s, c) => s + c.bytes, 0);
  }

  get chunkCount(): number {
    return this.chunks.length;
  }

  static async upload(ctx: GpuContext, stored: StoredCorpus, opts: { maxBindingBytes?: number } = {}): Promise<GpuIndex> {
    const why = gpuUnsupported(stored);
    if (why) throw new GpuUnavailableError(why);
    const { device } = ctx;
    const d4 = Math.ceil(stored.d / 4);
    const element = STORAGE[stored.storage].kernel;
    const rowBytes = d4 * (element === 'f32' ? 16 : 8);
    const limit = Math.floor(Math.min(ctx.maxBinding, opts.maxBindingBytes ?? Infinity) / 16) * 16;
    const docsLimit = Math.floor(limit / (4 * MAX_BATCH_QUERIES));
    if (docsLimit < 1) throw new GpuUnavailableError(`a GPU buffer limit of ${limit} bytes cannot hold the scores of one document for ${MAX_BATCH_QUERIES} queries`);
    const { offsets } = stored;
    const n = stored.ids.length;
    const chunks: Chunk[] = [];
    try {
      for (let start = 0; start < n; ) {
        let end = start;
        while (end < n && end - start < docsLimit && (offsets[end + 1] - offsets[start]) * rowBytes <= limit) end++;
        if (end === start) throw new GpuUnavailableError(`document "${stored.ids[start]}" alone exceeds the GPU binding limit of ${limit} bytes`);
        const r0 = offsets[start];
        const r1 = offsets[end];
        const rel = Uint32Array.from(offsets.subarray(start, end + 1), (o) => o - r0);
        const slice = element === 'f32'
          ? padRows((stored.vectors as Float32Array).subarray(r0 * stored.d, r1 * stored.d), r1 - r0, stored.d, d4)
          : padRows((stored.vectors as Uint16Array).subarray(r0 * stored.d, r1 * stored.d), r1 - r0, stored.d, d4);
        const chunk: Chunk = { docBase: start, docs: end - start, bytes: slice.byteLength + rel.byteLength } as Chunk;
        chunks.push(chunk); // destroyed on failure below, whatever was created
        await checked(ctx, 'uploading the index', () => {
          chunk.vectors = storageBuffer(device, slice, `vectors ${start}..${end}`);
          chunk.offsets = storageBuffer(device, rel, `offsets ${start}..${end}`);
        });
        start = end;
      }
    } catch (err) {
      for (const c of chunks) (c.vectors?.destroy(), c.offsets?.destroy());
      throw err;
    }
    return new GpuIndex(ctx, stored, chunks, d4);
  }

  destroy(): void {
    for (const c of this.chunks) (c.vectors.destroy(), c.offsets.destroy());
    this.chunks = [];
  }

  /**
   * The k best documents for every query (best first; equal scores: lower index first), and with
   * `withScores` every document's score. Queries are fp32, qn x d each.
   */
  async search(queries: readonly GpuQuery[], k: number, withScores = false): Promise<{ top: Hit[][]; scores?: Float32Array[] }> {
    const { d } = this.stored;
    for (const q of queries) {
      if (q.data.length !== q.n * d) throw new Error(`a query holds ${q.data.length} values, expected ${q.n} x ${d}`);
      if (q.n > MAX_QUERY_TOKENS) throw new GpuUnavailableError(`a query of ${q.n} tokens exceeds the kernel's ${MAX_QUERY_TOKENS}`);
    }
    const top: Hit[][] = [];
    const scores: Float32Array[] = [];
    for (let i = 0; i < queries.length; ) {
      let tokens = 0;
      let j = i;
      while (j < queries.length && j - i < MAX_BATCH_QUERIES && tokens + queries[j].n <= MAX_QUERY_TOKENS) tokens += queries[j++].n;
      const batch = await this.searchBatch(queries.slice(i, j), k, withScores);
      top.push(...batch.top);
      if (batch.scores) scores.push(...batch.scores);
      i = j;
    }
    return withScores ? { top, scores } : { top };
  }

  private async searchBatch(queries: readonly GpuQuery[], k: number, withScores: boolean) {
    const { ctx, d4 } = this;
    const { device } = ctx;
    if (ctx.lost) throw new GpuUnavailableError(`the GPU device was lost (${ctx.lost})`);
    const totalDocs = this.stored.ids.length;
    const { qTokens, qData, qOffsets } = packQueries(queries, this.stored.d, d4);
    const kk = Math.min(k, totalDocs);
    const gpuTopK = kk <= MAX_GPU_K;
    const candidates: Hit[][] = queries.map(() => []);
    const allScores = withScores || !gpuTopK ? queries.map(() => new Float32Array(totalDocs)) : undefined;
    const simPipe = await pipeline(device, `maxsim-${this.stored.storage}`, () => maxSimKernel(STORAGE[this.stored.storage].kernel as 'f32' | 'f16'));
    const topPipe = await pipeline(device, 'topk', () => TOPK_KERNEL);
    const temp: GPUBuffer[] = [];
    try {
      const [queryBuf, qOffBuf] = await checked(ctx, 'uploading the queries', () => {
        temp.push(storageBuffer(device, qData, 'queries'), storageBuffer(device, qOffsets, 'query offsets'));
        return temp;
      });
      for (const chunk of this.chunks) {
        const [gx, gy] = grid(device, chunk.docs);
        const segments = Math.ceil(chunk.docs / TOPK_SEGMENT);
        const scoreBytes = queries.length * chunk.docs * 4;
        const { scoreBuf, candDoc, candScore, encoder } = await checked(ctx, 'scoring', () => {
          const scoreBuf = device.createBuffer({ size: Math.max(16, scoreBytes), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
          const params = uniformBuffer(device, [d4, chunk.docs, queries.length, qTokens, gx], 'maxsim params');
          temp.push(scoreBuf, params);
          const encoder = device.createCommandEncoder();
          const pass = encoder.beginComputePass();
          pass.setPipeline(simPipe);
          pass.setBindGroup(0, device.createBindGroup({
            layout: simPipe.getBindGroupLayout(0),
            entries: [chunk.vectors, chunk.offsets, queryBuf, qOffBuf, scoreBuf, params].map((buffer, binding) => ({ binding, resource: { buffer } })),
          }));
          pass.dispatchWorkgroups(gx, gy);
          let candDoc: GPUBuffer | undefined;
          let candScore: GPUBuffer | undefined;
          if (gpuTopK) {
            const count = queries.length * segments * kk;
            candDoc = device.createBuffer({ size: Math.max(16, count * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
            candScore = device.createBuffer({ size: Math.max(16, count * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
            const tparams = uniformBuffer(device, [chunk.docs, kk, segments], 'topk params');
            temp.push(candDoc, candScore, tparams);
            pass.setPipeline(topPipe);
            pass.setBindGroup(0, device.createBindGroup({
              layout: topPipe.getBindGroupLayout(0),
              entries: [scoreBuf, candDoc, candScore, tparams].map((buffer, binding) => ({ binding, resource: { buffer } })),
            }));
            pass.dispatchWorkgroups(segments, queries.length);
          }
          pass.end();
          return { scoreBuf, candDoc, candScore, encoder };
        });
        if (gpuTopK) {
          const count = queries.length * segments * kk;
          const docs = new Uint32Array(await readBack(ctx, candDoc!, count * 4, encoder));
          const vals = new Float32Array(await readBack(ctx, candScore!, count * 4));
          collectCandidates(candidates, docs, vals, segments * kk, chunk.docBase);
        }
        if (allScores) {
          const s = new Float32Array(await readBack(ctx, scoreBuf, scoreBytes, gpuTopK ? undefined : encoder));
          queries.forEach((_, q) => allScores[q].set(s.subarray(q * chunk.docs, (q + 1) * chunk.docs), chunk.docBase));
        }
      }
    } finally {
      for (const b of temp) b.destroy();
    }
    const order = (a: Hit, b: Hit) => b.score - a.score || a.doc - b.doc;
    const top = gpuTopK
      ? candidates.map((c) => c.sort(order).slice(0, kk))
      : allScores!.map((s) => Array.from(s, (score, doc) => ({ doc, score })).sort(order).slice(0, kk));
    return { top, scores: withScores ? allScores : undefined };
  }
}

/** The batch's query tokens, each row padded to whole vec4s, and where each query starts. */
function packQueries(queries: readonly GpuQuery[], d: number, d4: number): { qTokens: number; qData: Float32Array; qOffsets: Uint32Array } {
  const qTokens = queries.reduce((s, q) => s + q.n, 0);
  const qData = new Float32Array(qTokens * d4 * 4);
  const qOffsets = new Uint32Array(queries.length + 1);
  let t = 0;
  queries.forEach((q, i) => {
    for (let r = 0; r < q.n; r++) qData.set(q.data.subarray(r * d, r * d + d), (t + r) * d4 * 4);
    t += q.n;
    qOffsets[i + 1] = t;
  });
  return { qTokens, qData, qOffsets };
}

/** A chunk's top-k candidates per query (per segment, `perQuery` slots each; empty slots are 0xffffffff). */
function collectCandidates(candidates: Hit[][], docs: Uint32Array, vals: Float32Array, perQuery: number, docBase: number): void {
  candidates.forEach((list, q) => {
    for (let c = q * perQuery; c < (q + 1) * perQuery; c++) if (docs[c] !== 0xffffffff) list.push({ doc: docBase + docs[c], score: vals[c] });
  });
}
