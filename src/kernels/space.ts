/**
 * The WebAssembly SIMD kernels (kernels/simd.ts) and the memory they work in.
 *
 * A kernel can only read its own instance's linear memory, so the data it works on must live
 * there. Two kinds of space:
 *   - a corpus space: one instance whose memory is sized once for an index (vectors, scales,
 *     offsets) plus a scratch area for one query; it never grows, so the typed arrays the rest of
 *     the code holds (PackedCorpus.data, StoredCorpus.vectors) are views that stay valid. packCorpus,
 *     storeCorpus, decodeCorpus and IndexBuilder allocate there, and MaxSim then runs in place:
 *     no copy of the corpus per query (nor once).
 *   - the scratch space: one growable instance per thread for per-call work on small inputs (a
 *     document's tokens for AGC's assignment, H-Pool's Gram matrix). Views into it are made after
 *     every allocation of a call and dropped before the next call, because growing detaches them.
 *
 * Where WebAssembly SIMD is missing (or `setKernels(false)` is called, as the benchmarks and
 * tests do to time and check the reference), every caller keeps its TypeScript code path.
 */
import { plainWasm, relaxedWasm, sharedRelaxedWasm, sharedWasm } from './wasm.generated.ts';

export interface KernelExports {
  reset(best: number, arg: number, w: number): void;
  maxsim(qT: number, w: number, data: number, rows: number, d: number, best: number, arg: number, rowBase: number): void;
  scoreDocs(
    qT: number, w: number, qn: number, storage: number, data: number, scales: number, offsets: number,
    docStart: number, docEnd: number, d: number, best: number, arg: number, block: number, scores: number, winners: number,
  ): void;
  decodeHalf(src: number, dst: number, count: number): void;
  decodeInt8(src: number, scales: number, dst: number, rows: number, d: number): void;
  transposeF32(src: number, n: number, d: number, dst: number, w: number): void;
  transposeF64(src: number, n: number, d: number, dst: number, w: number): void;
  crossF64(aT: number, w: number, b: number, nb: number, d: number, out: number, upper: number): void;
  crossF32(aT: number, w: number, b: number, nb: number, d: number, out: number): void;
  normalizeRows(src: number, dst: number, n: number, d: number): void;
  poolRows(x: number, n: number, d: number, group: number, weights: number, acc: number, wsum: number, sizes: number): void;
  scatterArgmax(fresh: number, w: number, cols: number, count: number, cache: number, n: number, m: number, assignment: number, similarity: number): void;
  signBits(src: number, storage: number, count: number, d: number, dst: number, words: number): void;
  hammingMin(qbits: number, qn: number, bits: number, offsets: number, docStart: number, docEnd: number, words: number, out: number): void;
  peakF32x4(iterations: number): number;
}

const PAGE = 65536;
/** Memory below this is never handed out (0 means "no pointer" to the kernels). */
const BASE = 1024;
const MAX_PAGES = 65536; // 4 GiB, wasm32's limit

const modules: { plain?: WebAssembly.Module | null; shared?: WebAssembly.Module | null } = {};
let unavailable = '';
/** Whether the compiled kernels use relaxed SIMD's fused multiply-add (the engine validated them). */
let fused = false;
let relaxedAllowed = true;

function bytesOf(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function compiled(kind: 'plain' | 'shared'): WebAssembly.Module | null {
  if (modules[kind] !== undefined) return modules[kind]!;
  try {
    if (typeof WebAssembly === 'undefined') throw new Error('no WebAssembly in this context');
    // The relaxed-SIMD build where the engine validates it (fused multiply-add), else the plain
    // one. Validating our own module is the feature test: it fails exactly where 128-bit SIMD
    // (or relaxed SIMD, or for the shared build threads) is missing.
    const relaxed = relaxedAllowed ? bytesOf(kind === 'plain' ? relaxedWasm : sharedRelaxedWasm) : null;
    const useRelaxed = !!relaxed && WebAssembly.validate(relaxed as BufferSource);
    const bytes = useRelaxed ? relaxed! : bytesOf(kind === 'plain' ? plainWasm : sharedWasm);
    if (!WebAssembly.validate(bytes as BufferSource)) throw new Error(kind === 'plain' ? 'this engine has no WebAssembly SIMD' : 'this engine has no WebAssembly threads');
    modules[kind] = new WebAssembly.Module(bytes as BufferSource);
    if (kind === 'plain') fused = useRelaxed;
  } catch (e) {
    modules[kind] = null;
    if (kind === 'plain') unavailable = e instanceof Error ? e.message : String(e);
  }
  return modules[kind]!;
}

/**
 * Uses (or not) the relaxed-SIMD build where the engine has it; takes effect for spaces made
 * afterwards. The tests and benchmarks compare both on engines that validate it.
 */
export function setRelaxedSimd(on: boolean): void {
  relaxedAllowed = on;
  modules.plain = undefined;
  modules.shared = undefined;
  scratchSpace = undefined;
}

let enabled = true;

/** Turns the kernels off (or back on) in this thread: the TypeScript reference then runs. */
export function setKernels(on: boolean): void {
  enabled = on;
}

export function kernelsEnabled(): boolean {
  return enabled && compiled('plain') !== null;
}

/**
 * Whether indexes can live in shared memory for a pool of workers: WebAssembly threads and
 * SharedArrayBuffer (a page must be cross-origin isolated for it).
 */
export function sharedKernelsAvailable(): boolean {
  if (!kernelsEnabled() || typeof SharedArrayBuffer === 'undefined') return false;
  if (typeof globalThis.crossOriginIsolated === 'boolean' && !globalThis.crossOriginIsolated) return false;
  return compiled('shared') !== null;
}

/** One line for status displays and benchmark reports. */
export function kernelStatus(): string {
  if (!enabled) return 'TypeScript reference (kernels turned off)';
  return compiled('plain') ? `WebAssembly SIMD (f32x4${fused ? ', relaxed-SIMD fused multiply-add' : ''})` : `TypeScript reference (${unavailable})`;
}

/** Which space (if any) an ArrayBuffer belongs to. */
const owner = new WeakMap<ArrayBufferLike, KernelSpace>();

const align = (x: number) => (x + 15) & ~15;

export class KernelSpace {
  private top = BASE;
  readonly k: KernelExports;

  private constructor(readonly memory: WebAssembly.Memory, readonly growable: boolean, instance: WebAssembly.Instance, readonly shared = false) {
    this.k = instance.exports as unknown as KernelExports;
    if (!growable) owner.set(memory.buffer, this);
  }

  /**
   * A space of at least `bytes` (beyond the reserved low memory), or null when the kernels are
   * off or the memory cannot be had (over 4 GiB, or refused): callers then use plain arrays.
   */
  static create(bytes: number, options: { growable?: boolean; shared?: boolean } = {}): KernelSpace | null {
    if (!kernelsEnabled()) return null;
    const pages = Math.ceil((BASE + bytes + 16 * 64) / PAGE);
    if (pages > MAX_PAGES) return null;
    if (options.shared && !options.growable && sharedKernelsAvailable()) {
      try {
        // A shared memory cannot move, so it is made at its final size (maximum = initial).
        const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
        return new KernelSpace(memory, false, new WebAssembly.Instance(compiled('shared')!, { env: { memory } }), true);
      } catch {
        /* no shared memory here after all: an unshared space below */
      }
    }
    try {
      const memory = new WebAssembly.Memory({ initial: pages });
      return new KernelSpace(memory, !!options.growable, new WebAssembly.Instance(compiled('plain')!, { env: { memory } }));
    } catch {
      return null;
    }
  }

  /** The kernels over a shared memory made elsewhere (a pool worker's view of an index). */
  static attach(memory: WebAssembly.Memory): KernelSpace {
    const module = compiled('shared');
    if (!module) throw new Error(`WebAssembly SIMD kernels with threads are not available here (${unavailable || 'no shared memory'})`);
    return new KernelSpace(memory, false, new WebAssembly.Instance(module, { env: { memory } }), true);
  }

  /** The space holding this array (allocated by a fixed space), if any. */
  static of(array: ArrayBufferView | undefined): KernelSpace | undefined {
    return array ? owner.get(array.buffer) : undefined;
  }

  /** Reserves `bytes` (16-byte aligned) and returns its address. */
  alloc(bytes: number): number {
    const at = align(this.top);
    const end = at + bytes;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      if (!this.growable) throw new Error(`kernel space: ${end} bytes needed, ${have} reserved`);
      const pages = Math.ceil((end - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) throw new RangeError('kernel scratch space would exceed 4 GiB');
      this.memory.grow(Math.max(pages, Math.ceil(have / PAGE / 4)));
    }
    this.top = end;
    return at;
  }

  /** The allocation mark, to hand back scratch with `release` when a call ends. */
  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    this.top = mark;
  }

  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }

  f64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, length);
  }

  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, length);
  }

  /** A typed array of `length` elements of `ctor` living in this space. */
  array<T extends ArrayBufferView>(ctor: { new (buffer: ArrayBufferLike, offset: number, length: number): T; BYTES_PER_ELEMENT: number }, length: number): T {
    return new ctor(this.memory.buffer, this.alloc(length * ctor.BYTES_PER_ELEMENT), length);
  }
}

let scratchSpace: KernelSpace | null | undefined;

/** This thread's growable scratch space, or null when the kernels are off. */
export function scratch(): KernelSpace | null {
  if (!kernelsEnabled()) return null;
  if (scratchSpace === undefined) scratchSpace = KernelSpace.create(4 << 20, { growable: true });
  return scratchSpace;
}

/** Query lanes (tokens) a corpus space's scratch holds; longer queries run in pieces. */
export const QUERY_LANES = 256;
/** Documents scored per kernel call (the f64 score area of a corpus space's scratch). */
export const SCORE_DOCS = 8192;
/** Winner indices per kernel call (documents x query lanes). */
export const WINNER_SLOTS = 65536;

/** Where a corpus space keeps one query's working set. */
export interface QueryScratch {
  qT: number;
  best: number;
  arg: number;
  /** Room for maxRows decoded rows (fp16, int8). */
  block: number;
  blockRows: number;
  scores: number;
  winners: number;
}

const scratchBytes = (d: number, maxRows: number) => 4 * (QUERY_LANES * d + 2 * QUERY_LANES + maxRows * d + WINNER_SLOTS) + 8 * SCORE_DOCS + 6 * 16;

const queryScratch = new WeakMap<KernelSpace, QueryScratch[]>();
const poolResults = new WeakMap<KernelSpace, number>();

/** Where the pool workers of a shared corpus space write one float64 score per document. */
export function poolResultsOf(space: KernelSpace): number | undefined {
  return poolResults.get(space);
}

/** The query scratch reserved in a corpus space for thread `thread` (0: this one), if any. */
export function queryScratchOf(space: KernelSpace, thread = 0): QueryScratch | undefined {
  return queryScratch.get(space)?.[thread];
}

/** Every thread's query scratch of a corpus space (to hand to pool workers). */
export function queryScratches(space: KernelSpace): QueryScratch[] {
  return queryScratch.get(space) ?? [];
}

/** A typed-array constructor the corpus allocators accept. */
type Ctor<T> = { new (buffer: ArrayBufferLike, offset: number, length: number): T; new (length: number): T; BYTES_PER_ELEMENT: number };

/**
 * Allocates the arrays of one index together in a fixed corpus space with a query scratch area
 * for d-dimensional queries and documents of up to maxRows rows; plain arrays when the kernels
 * are off or the space cannot be had.
 */
export function allocCorpus<V extends ArrayBufferView>(
  parts: { vectors: [Ctor<V>, number]; offsets: number; scales?: number; extraBytes?: number },
  d: number,
  maxRows: number,
  options: { threads?: number } = {},
): { vectors: V; offsets: Int32Array; scales?: Float32Array; extra?: number } {
  const [vctor, vlen] = parts.vectors;
  // A pool of workers: shared memory, one scratch per worker plus this thread's, and one float64
  // score per document that the workers fill for their share of the documents.
  const threads = Math.max(1, options.threads ?? 1);
  const pooled = threads > 1 && sharedKernelsAvailable();
  const slots = pooled ? threads + 1 : 1;
  const results = pooled ? 8 * Math.max(0, parts.offsets - 1) + 16 : 0;
  const bytes = align(vlen * vctor.BYTES_PER_ELEMENT) + align(parts.offsets * 4) + align((parts.scales ?? 0) * 4) + align(parts.extraBytes ?? 0) + slots * scratchBytes(d, maxRows) + results;
  const space = kernelsEnabled() && d > 0 ? KernelSpace.create(bytes, { shared: pooled }) : null;
  if (!space) return { vectors: new vctor(vlen), offsets: new Int32Array(parts.offsets), ...(parts.scales !== undefined ? { scales: new Float32Array(parts.scales) } : {}) };
  const out = {
    vectors: space.array(vctor, vlen),
    offsets: space.array(Int32Array, parts.offsets),
    ...(parts.scales !== undefined ? { scales: space.array(Float32Array, parts.scales) } : {}),
    ...(parts.extraBytes ? { extra: space.alloc(parts.extraBytes) } : {}),
  };
  queryScratch.set(
    space,
    Array.from({ length: space.shared ? slots : 1 }, () => ({
      qT: space.alloc(4 * QUERY_LANES * d),
      best: space.alloc(4 * QUERY_LANES),
      arg: space.alloc(4 * QUERY_LANES),
      block: space.alloc(4 * maxRows * d),
      blockRows: maxRows,
      scores: space.alloc(8 * SCORE_DOCS),
      winners: space.alloc(4 * WINNER_SLOTS),
    })),
  );
  if (space.shared) poolResults.set(space, space.alloc(8 * Math.max(0, parts.offsets - 1)));
  return out;
}
