/**
 * The late-interaction document: n stored vectors of dimension d, one per token, with enough
 * per-token metadata to trace every vector back to pixels (which image, tile or frame, which patch
 * row and column, and when in the video).
 *
 * Metadata is stored as parallel typed arrays (struct of arrays) rather than one object per
 * token: a 100,000-document corpus then stays compact and every array is transferable between a
 * worker and the page without copying. -1 (or NaN for time) means "not applicable".
 */

export interface TokenPositions {
  /** Index of the view the token came from: -1 for a global view, 0.. for multi-crop tiles. */
  tile?: Int16Array;
  /** Frame index within a video (0-based), -1 for images. */
  frame?: Int32Array;
  /** Timestamp of the token's frame in seconds, NaN for images. */
  time?: Float32Array;
  /** Patch row within the view's grid, -1 for special tokens (CLS, pooled, text). */
  row?: Int16Array;
  /** Patch column within the view's grid, -1 for special tokens. */
  col?: Int16Array;
}

/** Shape of the patch grid a document's positioned tokens live on. */
export interface GridShape {
  rows: number;
  cols: number;
  /** Number of frames for video documents. */
  frames?: number;
  /**
   * The page's tiles, rows x cols, when they need not be square (ColModernVBERT's Idefics3
   * splitting); without it, a document with tiles has k x k of them (src/ui/pageLayout.ts).
   */
  tiles?: { rows: number; cols: number };
}

export interface MultiVector {
  /** Stable identifier (file name, or a generated id); appears in every error about the document. */
  id: string;
  /** Number of vectors (tokens). */
  n: number;
  /** Dimension of every vector. */
  d: number;
  /** n x d, row-major. */
  data: Float32Array;
  /** Per-token positions, each array of length n. */
  positions?: TokenPositions;
  grid?: GridShape;
  /** Per-token saliency (n values, >= 0), e.g. last-layer attention from CLS; used by AGC. */
  saliency?: Float32Array;
  /** Where saliency came from, e.g. "cls-attention", "pooled-similarity", "planted". */
  saliencySource?: string;
  /**
   * What each token is, where it is not a patch: a visual late-interaction page keeps its prompt's
   * text tokens (row -1) beside its image tokens ('' here).
   */
  tokenLabels?: string[];
  /** Text documents: the passage, and each token's text and character span in it (-1: a special token). */
  text?: TokenText;
}

export interface TokenText {
  passage: string;
  tokens: string[];
  start: Int32Array;
  end: Int32Array;
}

/** A document after compression: k <= m vectors and the cluster of every input token. */
export interface CompressedDoc {
  id: string;
  /** Number of stored vectors (at most the budget). */
  n: number;
  d: number;
  data: Float32Array;
  /**
   * For every input token, the stored vector it was pooled into, or -1 if it was dropped
   * (selection methods drop the tokens they do not keep).
   */
  assignments: Int32Array;
  /** Number of tokens of the uncompressed document. */
  sourceTokens: number;
}

/** Error about one document's input, always naming the document. */
export class DocumentError extends Error {
  constructor(
    readonly docId: string,
    message: string,
  ) {
    super(`document "${docId}": ${message}`);
    this.name = 'DocumentError';
  }
}

/**
 * Rejects documents the methods cannot handle: empty, a data length that is not n x d, a
 * dimension other than `expectedD`, NaN or infinite values, all-zero vectors (no direction, so no
 * cosine), and bad saliency. Returns silently when the document is usable.
 */
export function validateDocument(doc: MultiVector, expectedD?: number): void {
  const { id, n, d, data } = doc;
  if (!Number.isInteger(n) || n < 1) throw new DocumentError(id, `has ${n} tokens; at least 1 is needed`);
  if (!Number.isInteger(d) || d < 1) throw new DocumentError(id, `has dimension ${d}; at least 1 is needed`);
  if (expectedD !== undefined && d !== expectedD)
    throw new DocumentError(id, `has dimension ${d} but the corpus has dimension ${expectedD}`);
  if (data.length !== n * d)
    throw new DocumentError(id, `holds ${data.length} values, expected n x d = ${n} x ${d} = ${n * d}`);
  for (let i = 0; i < n; i++) {
    let sq = 0;
    for (let k = 0; k < d; k++) {
      const v = data[i * d + k];
      if (!Number.isFinite(v)) throw new DocumentError(id, `token ${i} has a non-finite value (${v}) at dimension ${k}`);
      sq += v * v;
    }
    if (sq === 0) throw new DocumentError(id, `token ${i} is the zero vector (it has no direction to compare)`);
  }
  if (doc.saliency) validateSaliency(doc);
  if (doc.positions) {
    for (const [key, arr] of Object.entries(doc.positions)) {
      if (arr && arr.length !== n) throw new DocumentError(id, `positions.${key} has ${arr.length} entries, expected ${n}`);
    }
  }
}

export function validateSaliency(doc: MultiVector): void {
  const s = doc.saliency;
  if (!s) return;
  if (s.length !== doc.n) throw new DocumentError(doc.id, `saliency has ${s.length} values, expected one per token (${doc.n})`);
  for (let i = 0; i < s.length; i++) {
    if (!Number.isFinite(s[i]) || s[i] < 0)
      throw new DocumentError(doc.id, `saliency of token ${i} is ${s[i]}; saliency must be finite and >= 0`);
  }
}
