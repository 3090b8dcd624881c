import type { MultiVector } from '../multivector.ts';
import type { Rng } from '../rng.ts';

/** One user-settable option of a method, documented where it is declared. */
export type OptionSpec =
  | { key: string; label: string; description: string; type: 'enum'; choices: readonly string[] }
  | { key: string; label: string; description: string; type: 'boolean' }
  | { key: string; label: string; description: string; type: 'integer'; min: number; max: number }
  | { key: string; label: string; description: string; type: 'number'; min: number; max: number };

export type OptionValue = string | number | boolean;
export type MethodOptions = Record<string, OptionValue>;

/** What a method returns: k <= m pooled or selected vectors and the fate of every input token. */
export interface MethodOutput {
  /** k x d, row-major. */
  data: Float32Array;
  /** Number of output vectors. */
  k: number;
  /** For each input token, the output vector it went into, or -1 if it was dropped. */
  assignments: Int32Array;
}

export interface MethodContext {
  /** Seeded per document (see rng.documentSeed), so results do not depend on document order. */
  rng: Rng;
  /**
   * Work that does not depend on m, kept for the same document, method and options at the next
   * budget (the grid runs every budget of a method in a row): H-Pool keeps Ward's linkage here and
   * only cuts it again. Absent when nothing is shared; a method must give the same output either way.
   */
  memo?: Map<string, unknown>;
}

/**
 * The contract every compression method implements. Methods receive a validated document with
 * n > m >= 1 (the engine handles m >= n and validation once for all of them).
 */
export interface CompressionMethod {
  /** Stable id used in URLs, the CLI and result files. */
  id: string;
  /** Short name for tables and chart legends. */
  label: string;
  /** One paragraph: what the algorithm does and where it comes from. */
  description: string;
  options: readonly OptionSpec[];
  defaults: Readonly<MethodOptions>;
  /** True if the method reads doc.saliency (the engine supplies a fallback when it is missing). */
  usesSaliency: boolean;
  /** True if random choices are part of the method (so the seed matters). */
  usesSeed: boolean;
  compress(doc: MultiVector, m: number, options: MethodOptions, ctx: MethodContext): MethodOutput;
}
