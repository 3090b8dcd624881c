import type { MethodSpec } from './methodSpec.ts';
import { getMethod } from './methods/registry.ts';
import { type CompressedDoc, DocumentError, type MultiVector, validateDocument } from './multivector.ts';
import { documentSeed, mulberry32 } from './rng.ts';
import { pooledSimilaritySaliency } from './saliency.ts';

export interface CompressOptions {
  /** Run seed; each document derives its own from it and its id. */
  seed?: number;
  /** Dimension every document of the corpus must have. */
  expectedD?: number;
  /** This document's work shared across budgets of one method and options (MethodContext.memo). */
  memo?: Map<string, unknown>;
  /** The document was validated already (the grid checks every document once, not once per cell). */
  validated?: boolean;
}

export interface CompressResult extends CompressedDoc {
  /** Saliency used, when the method reads it: the document's own source or the fallback. */
  saliencySource?: string;
}

/**
 * Compresses one document to at most m vectors with the given method. Validates the document
 * (errors name it), returns the tokens unchanged when m >= n, supplies pooled-similarity saliency
 * to methods that need saliency when the document has none, and drops output vectors no token
 * maps to (so a stored vector always stands for some tokens).
 */
export function compressDocument(doc: MultiVector, spec: MethodSpec, m: number, opts: CompressOptions = {}): CompressResult {
  if (!opts.validated) validateDocument(doc, opts.expectedD);
  if (!Number.isInteger(m) || m < 1) throw new DocumentError(doc.id, `budget m must be an integer >= 1, got ${m}`);
  const method = getMethod(spec.method);
  let input = doc;
  let saliencySource: string | undefined;
  if (method.usesSaliency) {
    if (doc.saliency) {
      saliencySource = doc.saliencySource ?? 'given';
    } else {
      // Computed once per document for every budget (O(n^2 d)), as the method's own shared work.
      let pooled = opts.memo?.get('saliency:pooled-similarity') as Float32Array | undefined;
      if (!pooled) {
        pooled = pooledSimilaritySaliency(doc);
        opts.memo?.set('saliency:pooled-similarity', pooled);
      }
      input = { ...doc, saliency: pooled };
      saliencySource = 'pooled-similarity';
    }
  }
  const base = { id: doc.id, d: doc.d, sourceTokens: doc.n, saliencySource };
  if (m >= doc.n || method.id === 'none') {
    const assignments = new Int32Array(doc.n);
    for (let i = 0; i < doc.n; i++) assignments[i] = i;
    return { ...base, n: doc.n, data: doc.data.slice(), assignments };
  }
  const rng = mulberry32(documentSeed(opts.seed ?? 0, doc.id));
  const out = method.compress(input, m, spec.options, { rng, memo: opts.memo });
  const kept = dropEmpty(out.data, out.k, doc.d, out.assignments);
  return { ...base, n: kept.k, data: kept.data, assignments: kept.assignments };
}

/** Removes output vectors that no input token is assigned to, renumbering the rest in order. */
export function dropEmpty(data: Float32Array, k: number, d: number, assignments: Int32Array) {
  const used = new Uint8Array(k);
  for (const a of assignments) if (a >= 0) used[a] = 1;
  let count = 0;
  const remap = new Int32Array(k).fill(-1);
  for (let c = 0; c < k; c++) if (used[c]) remap[c] = count++;
  if (count === k) return { data, k, assignments };
  const out = new Float32Array(count * d);
  for (let c = 0; c < k; c++) if (remap[c] >= 0) out.set(data.subarray(c * d, c * d + d), remap[c] * d);
  return { data: out, k: count, assignments: assignments.map((a) => (a >= 0 ? remap[a] : -1)) };
}
