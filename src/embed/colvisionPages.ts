/**
 * Pictures and PDF pages through ColModernVBERT in the embedding worker: the tile grid from the
 * model's processor (colvisionBundle.ts), each view drawn from the original bitmap straight to
 * S x S (rows x cols equal shares of the picture, then the whole picture as the global view: one
 * resampling), normalised with the processor's mean and std, and embedded as one document. Stored
 * embeddings are keyed by the file, the model's bytes (the batch's key) and the tile setting.
 */
import type { MultiVector } from '../core/multivector.ts';
import type { EmbedBatch } from './batch.ts';
import type { ColVisionEmbedder } from './colvision.ts';
import { maxTileSetting, tileGrid } from './colvisionBundle.ts';
import { rgbaToPixelValues, type Rect } from './preprocess.ts';
import { sha256 } from './store.ts';
import type { EmbedItem } from './workerTypes.ts';

export const VIDEO_NEEDS_PICTURE_MODEL = 'ColModernVBERT embeds pictures and PDF pages, not videos; load CLIP, SigLIP or the teaching model for videos';

/** The tile setting used: the one asked for, within 1 .. the processor's maximum. */
export const clampTiles = (e: ColVisionEmbedder, k: number) => Math.min(maxTileSetting(e.bundle), Math.max(1, Math.round(Number.isFinite(k) ? k : 1)));

/** Draws a bitmap's views at the tile setting and embeds them as one document. */
export function pageDrawer(e: ColVisionEmbedder): (id: string, bitmap: ImageBitmap, k: number) => Promise<MultiVector> {
  const b = e.bundle;
  const S = b.imageSize;
  const ctx = new OffscreenCanvas(S, S).getContext('2d', { willReadFrequently: true })!;
  const prep = { do_rescale: true, rescale_factor: b.rescale, do_normalize: true, image_mean: b.mean, image_std: b.std };
  return async (id, bitmap, k) => {
    const W = bitmap.width;
    const H = bitmap.height;
    const { rows, cols } = tileGrid(b, W, H, clampTiles(e, k));
    const rects: Rect[] = [];
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) rects.push({ x: (c * W) / cols, y: (r * H) / rows, w: W / cols, h: H / rows });
    rects.push({ x: 0, y: 0, w: W, h: H });
    const pixels = new Float32Array(rects.length * 3 * S * S);
    rects.forEach((v, i) => {
      ctx.clearRect(0, 0, S, S);
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(bitmap, v.x, v.y, v.w, v.h, 0, 0, S, S);
      rgbaToPixelValues(ctx.getImageData(0, 0, S, S).data, S, prep, pixels, i * 3 * S * S);
    });
    const [doc] = await e.embedPages([{ id, pixels, rows, cols }]);
    return doc;
  };
}

/** Embeds one picture item (a video is refused by name); the item is counted as done. */
export async function embedColVisionPicture(item: EmbedItem, k: number, e: ColVisionEmbedder, draw: ReturnType<typeof pageDrawer>, batch: EmbedBatch): Promise<void> {
  const t0 = performance.now();
  let bitmap: ImageBitmap | undefined;
  try {
    if (item.video || item.frames) throw new Error(VIDEO_NEEDS_PICTURE_MODEL);
    const blob = item.blob;
    if (!blob) throw new Error('nothing to embed');
    if (blob.size === 0) throw new Error('the file is empty (0 bytes)');
    const tiles = clampTiles(e, k);
    let key: string | undefined;
    try {
      key = batch.storeKey([await sha256(blob)], [`colvision-tiles=${tiles}`]);
      const stored = await batch.recall(key, item.name);
      if (stored) {
        batch.accept({ ...stored, id: item.name });
        batch.decoders[item.name] = 'stored';
        batch.fromStore();
        return;
      }
    } catch (err) {
      batch.storeError ??= (err as Error).message;
    }
    try {
      bitmap = item.rgba ? await createImageBitmap(new ImageData(item.rgba.data, item.rgba.width, item.rgba.height)) : await createImageBitmap(blob, { imageOrientation: 'from-image' });
    } catch {
      throw new Error(`the browser cannot decode it as an image${blob.type ? ` (${blob.type})` : ''}`);
    }
    const doc = await draw(item.name, bitmap, tiles);
    batch.accept(doc);
    batch.decoders[item.name] = 'image';
    await batch.keep(key, doc, 'image');
  } catch (err) {
    batch.fail(item.name, (err as Error).message);
  } finally {
    bitmap?.close();
    item.frames?.forEach((f) => f.bitmap.close());
    batch.done(item.name, performance.now() - t0);
  }
}
