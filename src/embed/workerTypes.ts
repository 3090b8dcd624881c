/**
 * What the embedding worker (workers/embed.worker.ts) takes and returns: load requests and their
 * progress, items to embed and their results, the streaming index's settings. Its own module so
 * the page and the client import the shapes without the worker's code.
 */
import type { StorageType } from '../core/storage/stored.ts';
import type { MultiVector } from '../core/multivector.ts';
import type { Dtype, SelfCheckReport } from './embedder.ts';
import type { DownloadProgress, ModelSource } from './registry.ts';

export type DeviceChoice = 'auto' | 'webgpu' | 'wasm';

export interface DeviceProbe {
  webgpu: boolean;
  shaderF16: boolean;
  /** Why WebGPU cannot be used, when it cannot. */
  reason?: string;
  adapter?: string;
}

export type LoadProgress =
  | { step: 'download'; progress: DownloadProgress }
  | { step: 'compile'; device: 'webgpu' | 'wasm'; dtype: Dtype }
  | { step: 'fallback'; reason: string };

export interface LoadRequest {
  modelId: string;
  source: ModelSource;
  device: DeviceChoice;
  dtype?: Dtype;
  /** Set by the client when this load is the WASM retry of a failed WebGPU load. */
  fallbackReason?: string;
}

export interface LoadedModel {
  modelId: string;
  label: string;
  device: 'webgpu' | 'wasm';
  dtype: Dtype;
  fallbackReason?: string;
  selfCheck: SelfCheckReport;
  saliency: string;
  dim: number;
  grid: number;
  inputSize: number;
  /** The model sees the centre square (CLIP) rather than the whole picture squashed (SigLIP). */
  centerCrop: boolean;
  /** What the model embeds: pictures (CLIP, SigLIP), text (ColBERT), or pictures and PDF pages as prompts of image tokens (ColModernVBERT). */
  modality: 'image' | 'text' | 'page';
  /** ColModernVBERT's processor: tile side, tokens per tile, the largest tile setting, and the graph file read. */
  colvision?: { imageSize: number; seqLen: number; maxTiles: number; graph: string };
  /** ColBERT settings, for text models. */
  colbert?: { queryLength: number; documentLength: number; projection: string };
  loadMs: number;
}

export interface EmbedItem {
  name: string;
  /** An image file, or already decoded frames (video sampled on the page). */
  blob?: Blob;
  frames?: { bitmap: ImageBitmap; time: number }[];
  /** A video to demux and decode here (MP4/MOV with mp4box, WebM/Matroska with mediabunny; WebCodecs): frames count or rate. */
  video?: { blob: Blob; frames: number; fps?: number };
  /** A PDF: every page becomes a document "<name>#page=N", rendered here (src/embed/pdf.ts). */
  pdf?: Blob;
  /** A text file (.txt, .md, or JSONL when `jsonl`): its passages become documents (src/embed/textDocs.ts). */
  text?: Blob;
  jsonl?: boolean;
  /** The original file of page-decoded frames, so their embedding can be stored by content. */
  source?: Blob;
  /** The frame rate page-decoded frames were sampled at (part of the stored key). */
  fps?: number;
  /**
   * The image's pixels when the page already has them (the generated demo scenes): used instead
   * of decoding `blob`, which is still what is stored and keyed. Measured: createImageBitmap of a
   * 64 x 64 PNG took 100-250 ms in this worker in headless Chromium, the model 2 ms.
   */
  rgba?: { data: Uint8ClampedArray<ArrayBuffer>; width: number; height: number };
}

export interface EmbedOptions {
  /** k for multi-crop tiling: a global view plus k x k tiles (1 = global view only). */
  tiles: number;
  /** PDF pages: rendered with the longer side `size` pixels, then tiled with `tiles` (3 unless set). */
  pdf?: { size: number; tiles: number };
}

/** PDF defaults: a page of 1,024 px tiled 3 x 3 plus the whole page (10 views). */
export const PDF_DEFAULTS = { size: 1024, tiles: 3 };


export type EmbedProgress =
  | { step: 'item'; done: number; total: number; name: string; ms: number }
  /** A PDF was opened: the total grows by its pages less one. */
  | { step: 'total'; total: number }
  | { step: 'error'; name: string; message: string };

export interface EmbedResult {
  /** Full-length documents (all of them, unless a streaming index that keeps only m vectors is on). */
  docs: MultiVector[];
  /** Documents added to the streaming index: tokens in, vectors stored. */
  indexed: { id: string; n: number; stored: number }[];
  stream?: StreamInfo;
  errors: { name: string; message: string }[];
  /** Videos this worker could not decode (no WebCodecs, WebM, ...): the page samples them instead. */
  needsPageDecode: { name: string; reason: string }[];
  /** How each document's pixels were decoded. */
  decoders: Record<string, 'image' | 'webcodecs-worker' | 'video-element' | 'stored' | 'pdf.js-worker' | 'text'>;
  /** Things the user should know that are not errors (e.g. passages cut at the model's document length). */
  notes: string[];
  /** What the page shows for documents it has no file of its own for (PDF pages): a JPEG of the rendered page. */
  pictures: Record<string, Blob>;
  /** Documents read from the stored embeddings instead of being embedded again. */
  fromStore: number;
  /** Why embeddings could not be stored, if they could not. */
  storeError?: string;
  /** Stored embeddings that were not served (another format version, or damaged) and were embedded again. */
  storeNotes: string[];
  cancelled: boolean;
  msPerItem: number;
}

export interface StreamSettings {
  method: string;
  budget: number;
  storage: StorageType;
  /** Also return the full-length vectors to the page (needed to compare methods). */
  keepFull: boolean;
  seed: number;
}

export interface StreamInfo extends StreamSettings {
  documents: number;
  vectors: number;
  tokensIn: number;
  bytes: number;
  bytesPerDoc: number;
}
