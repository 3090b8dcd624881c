/**
 * Two-stage search: a sign-bit (binary) prefilter picks candidate documents, exact MaxSim on the
 * stored vectors re-ranks them, as ColBERT engines do (Vespa's binarised ColBERT ranks by Hamming
 * MaxSim first). The prefilter keeps one bit per value (d / 8 bytes per stored vector, 1/16 of
 * fp16) and scores a document by the sum over query tokens of the smallest Hamming distance to
 * its vectors, which orders documents exactly as binary MaxSim does. The C documents with the
 * smallest sums (ties: all of the boundary value's documents up to C, in index order) go to the
 * exact stage.
 */
import { binarize, decodeRows, kernelView, minHamming, scoreStored, STORAGE, type StoredCorpus } from '../core/storage/stored.ts';
import { ELEMENT_BYTES, ELEMENT_CODE, kernelMaxSimDocs } from '../kernels/ops.ts';
import { allocCorpus, KernelSpace, QUERY_LANES } from '../kernels/space.ts';
import type { Hit } from '../core/maxsim.ts';

export class BinaryPrefilter {
  private constructor(
    readonly stored: StoredCorpus,
    readonly bits: Uint32Array,
    readonly offsets: Int32Array,
    readonly words: number,
    /** Scratch in the same kernel space: query bits and one sum per document. */
    private readonly scratch: { qbits: number; sums: number } | undefined,
    readonly buildMs: number,
  ) {}

  /** Sign bits of every stored vector (read from the stored form: fp32, fp16 or int8). */
  static build(stored: StoredCorpus): BinaryPrefilter {
    const t0 = performance.now();
    const { d } = stored;
    const docs = stored.ids.length;
    const rows = stored.offsets[docs];
    const words = Math.ceil(d / 32);
    const BLOCK = 4096;
    const scratchBytes = 4 * (QUERY_LANES * words + docs);
    // extra: query bits, one sum per document, and a block of stored rows to binarise
    const placed = allocCorpus({ vectors: [Uint32Array, rows * words], offsets: docs + 1, extraBytes: scratchBytes + BLOCK * d * 4 }, d, 0);
    placed.offsets.set(stored.offsets.subarray(0, docs + 1));
    const space = KernelSpace.of(placed.vectors);
    const element = STORAGE[stored.storage].kernel;
    if (element === 'bits') {
      placed.vectors.set(stored.vectors as Uint32Array);
    } else if (space && element !== 'none') {
      // blocks of the stored vectors copied into this space and binarised there by the kernel
      const code = ELEMENT_CODE[element];
      const bytesPer = ELEMENT_BYTES[element];
      const src = stored.vectors as Float32Array | Uint16Array | Int8Array;
      const tmp = placed.extra! + scratchBytes;
      for (let r = 0; r < rows; r += BLOCK) {
        const count = Math.min(BLOCK, rows - r);
        new Uint8Array(space.memory.buffer, tmp, count * d * bytesPer).set(new Uint8Array(src.buffer, src.byteOffset + r * d * bytesPer, count * d * bytesPer));
        space.k.signBits(tmp, code, count, d, placed.vectors.byteOffset + r * words * 4, words);
      }
    } else {
      BinaryPrefilter.fillFromDecoded(stored, placed.vectors, words);
    }
    const scratch = placed.extra !== undefined ? { qbits: placed.extra, sums: placed.extra + 4 * QUERY_LANES * words } : undefined;
    return new BinaryPrefilter(stored, placed.vectors, placed.offsets, words, scratch, performance.now() - t0);
  }

  private static fillFromDecoded(stored: StoredCorpus, out: Uint32Array, words: number): void {
    const { d } = stored;
    const rows = stored.offsets[stored.ids.length];
    const block = new Float32Array(4096 * d);
    for (let r = 0; r < rows; r += 4096) {
      const count = Math.min(4096, rows - r);
      decodeRows(stored, r, r + count, block);
      out.set(binarize(block, count, d), r * words);
    }
  }

  /** Bytes the prefilter adds (sign bits and offsets). */
  get bytes(): number {
    return this.bits.byteLength + this.offsets.byteLength;
  }

  /**
   * Per document, the sum over query tokens of the smallest Hamming distance between the
   * token's sign bits and the document's (smaller is better); qn (32 words + 1) for an empty one.
   */
  hammingSums(query: Float32Array, qn: number): Int32Array {
    const docs = this.stored.ids.length;
    const { d } = this.stored;
    const qbits = binarize(query, qn, d);
    const space = KernelSpace.of(this.bits);
    if (space && this.scratch && qn <= QUERY_LANES) {
      space.i32(this.scratch.qbits, qbits.length).set(qbits);
      space.k.hammingMin(this.scratch.qbits, qn, this.bits.byteOffset, this.offsets.byteOffset, 0, docs, this.words, this.scratch.sums);
      return space.i32(this.scratch.sums, docs).slice();
    }
    const out = new Int32Array(docs);
    const { words, bits, offsets } = this;
    for (let doc = 0; doc < docs; doc++) {
      if (offsets[doc + 1] === offsets[doc]) {
        out[doc] = qn * (words * 32 + 1);
        continue;
      }
      let total = 0;
      for (let i = 0; i < qn; i++) total += minHamming(qbits, i, bits, offsets[doc], offsets[doc + 1], words);
      out[doc] = total;
    }
    return out;
  }

  /** The C documents with the smallest Hamming sums, in index order (a counting selection). */
  candidates(query: Float32Array, qn: number, c: number): Int32Array {
    const sums = this.hammingSums(query, qn);
    return smallestC(sums, c);
  }

  /** Two-stage search: candidates by Hamming, then exact MaxSim on the stored vectors; top k, best first. */
  search(query: Float32Array, qn: number, k: number, c: number): { hits: Hit[]; candidates: number } {
    const cand = this.candidates(query, qn, Math.max(c, k));
    let scores = kernelMaxSimDocs(query, qn, kernelView(this.stored), cand);
    if (!scores) {
      const all = scoreStored(query, qn, this.stored);
      scores = Float32Array.from(cand, (doc) => all[doc]);
    }
    const order = Array.from(cand.keys()).sort((a, b) => scores![b] - scores![a] || cand[a] - cand[b]);
    return { hits: order.slice(0, k).map((i) => ({ doc: cand[i], score: scores![i] })), candidates: cand.length };
  }
}

/** Indices of the c smallest values (ties at the boundary: lower index first), ascending index order. */
export function smallestC(values: Int32Array, c: number): Int32Array {
  const n = values.length;
  if (c >= n) return Int32Array.from({ length: n }, (_, i) => i);
  let max = 0;
  for (let i = 0; i < n; i++) if (values[i] > max) max = values[i];
  const counts = new Int32Array(max + 2);
  for (let i = 0; i < n; i++) counts[values[i]]++;
  let threshold = 0;
  let below = 0;
  while (below + counts[threshold] < c) below += counts[threshold++];
  // every value < threshold, and the first (c - below) equal to it
  let room = c - below;
  const out = new Int32Array(c);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v < threshold || (v === threshold && room-- > 0)) out[o++] = i;
  }
  return out;
}
