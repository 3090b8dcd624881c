/**
 * Turns the embeddings of an item's views (tiles of an image, or frames of a video) into one
 * late-interaction document of the engine, with every token's tile, frame, time, row and column,
 * and per-token saliency (attention, or similarity with the pooled embedding where the graph
 * exposes no attention; the source is recorded on the document).
 */
import type { MultiVector } from '../core/multivector.ts';
import type { ViewEmbeddings } from './embedder.ts';

export interface ViewMeta {
  /** -1 for the global view, 0.. for tiles. */
  tile: number;
  /** Frame index for video, -1 for images. */
  frame: number;
  /** Timestamp in seconds for video, NaN for images. */
  time: number;
}

export function documentFromViews(id: string, e: ViewEmbeddings, meta: ViewMeta[], attentionSource: string): MultiVector {
  if (meta.length !== e.views) throw new Error(`document "${id}": ${meta.length} view descriptions for ${e.views} views`);
  const n = e.views * e.patches;
  const tile = new Int16Array(n);
  const frame = new Int32Array(n);
  const time = new Float32Array(n);
  const row = new Int16Array(n);
  const col = new Int16Array(n);
  for (let v = 0; v < e.views; v++) {
    for (let p = 0; p < e.patches; p++) {
      const i = v * e.patches + p;
      tile[i] = meta[v].tile;
      frame[i] = meta[v].frame;
      time[i] = meta[v].time;
      row[i] = Math.floor(p / e.grid.cols);
      col[i] = p % e.grid.cols;
    }
  }
  let saliency: Float32Array;
  let saliencySource: string;
  if (e.saliency) {
    saliency = e.saliency;
    saliencySource = attentionSource;
  } else {
    // Fallback: cosine of each patch vector with its view's pooled embedding, clipped at 0.
    saliency = new Float32Array(n);
    for (let v = 0; v < e.views; v++) {
      for (let p = 0; p < e.patches; p++) {
        const i = v * e.patches + p;
        let s = 0;
        for (let j = 0; j < e.d; j++) s += e.vectors[i * e.d + j] * e.pooled[v * e.d + j];
        saliency[i] = Math.max(0, s);
      }
    }
    saliencySource = 'pooled-similarity';
  }
  const isVideo = meta.some((m) => m.frame >= 0);
  return {
    id,
    n,
    d: e.d,
    data: e.vectors,
    positions: { tile, frame, time, row, col },
    grid: { rows: e.grid.rows, cols: e.grid.cols, ...(isVideo ? { frames: meta.length } : {}) },
    saliency,
    saliencySource,
  };
}
