/**
 * One storage type's contract: everything the engine, export, import, the kernels, the scale page
 * and the pickers need to know about it. Each type is one module of this folder; registry.ts lists
 * them in a record keyed by the type, so a type without a module is a compile error.
 */
import type { KernelElement } from '../../kernels/ops.ts';

export type StoredVectors = Float32Array | Uint16Array | Int8Array | Uint32Array;

/** An exported array as the importer read it (floats widened to Float32Array, integers as they are). */
export interface FileArray {
  dtype: string;
  shape: number[];
  data: Float32Array | Int32Array | Int8Array | Uint8Array | Float64Array | Int16Array | Uint16Array | Uint32Array | BigInt64Array;
}

export interface StorageCodec<Id extends string = string> {
  /** The id in URLs, CLI options, manifests and file names. */
  readonly id: Id;
  /** Name in pickers and chart legends. */
  readonly label: string;
  /** What one vector costs, for pickers and tooltips. */
  readonly help: string;
  /** Line style on the quality-against-bytes chart (an SVG dash pattern; false: solid). */
  readonly dash: string | false;
  /** Values stored per vector of dimension d (binary: 32-bit words). */
  width(d: number): number;
  /** Bytes one vector of dimension d takes (payload plus its scale, if any). */
  bytesPerVector(d: number): number;
  /** The typed array the vectors are held in. */
  readonly array: Float32ArrayConstructor | Uint16ArrayConstructor | Int8ArrayConstructor | Uint32ArrayConstructor;
  /** safetensors dtype of the exported vectors. */
  readonly dtype: 'F32' | 'F16' | 'I8' | 'U32';
  /** One fp32 scale per vector (int8). */
  readonly scaled: boolean;
  /** How the WebAssembly kernels read the vectors ('none': no kernel does; the TypeScript reference scores them). */
  readonly kernel: KernelElement;
  /** Qdrant's multivector datatype, when Qdrant can score this type (it scores dot products). */
  readonly qdrant?: 'float32' | 'float16';
  /** Encodes `count` rows of d values (a view where nothing needs converting). */
  encode(data: Float32Array, count: number, d: number): { vectors: StoredVectors; scales?: Float32Array };
  /** Rows start..end-1 decoded into `out` (from offset 0) as the fp32 values the type keeps. */
  decodeRows(vectors: StoredVectors, scales: Float32Array | undefined, d: number, start: number, end: number, out: Float32Array): void;
  /** The query as this type scores it, when not as given (binary: signs scaled by 1/d). */
  query?(query: Float32Array, qn: number, d: number): Float32Array;
  /** The vectors of an exported index as read from its file; `scales` is doc_scales (int8). */
  fromFile(emb: FileArray, scales: FileArray | undefined, name: string): { vectors: StoredVectors; scales?: Float32Array };
}
