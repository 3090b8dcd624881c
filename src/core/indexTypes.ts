/** The shapes shared by the importer and the exported-index reader (indexImport.ts). */
import type { NpyArray } from './npy.ts';

/** What an exported index says about itself (exportIndex.ts writes it). */
export interface IndexManifest {
  format: 'mvc-index';
  formatVersion: 1;
  engineVersion: string;
  model: string;
  method: string;
  options: Record<string, unknown>;
  budget: number | null;
  seed: number;
  storage: string;
  dimension: number;
  documents: number;
  vectors: number;
  created: string;
  /** Residual indexes (res2, res1) only: how to read the residual_* arrays. */
  residual?: { bits: 1 | 2; centroids: number; renormalise: boolean; bytes: number };
  /** Present when MUVERA's encodings were exported with the index (doc_fde, muvera_*). */
  muvera?: { kSim: number; reps: number; dProj: number; seed: number; dimension: number; source: string };
}

/** A file's arrays by name, and its metadata (safetensors' __metadata__; empty for .npz). */
export interface NamedArrays {
  arrays: Map<string, NpyArray>;
  metadata: Record<string, string>;
}

/** One side (documents or queries) of an imported file, gathered into rows. */
export interface Side {
  prefix: string;
  count: number;
  d: number;
  layout: 'ragged' | 'padded';
  dtype: string;
  /** Document i: its rows in `data` (ragged: contiguous; padded: kept rows gathered). */
  parts: { id: string; n: number; data: Float32Array; start: number; kept?: Int32Array }[];
}
