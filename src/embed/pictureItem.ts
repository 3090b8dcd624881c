/**
 * One picture, video or set of page-sampled frames in the embedding worker: read from the stored
 * embeddings when the same file was embedded with the same model and settings, else decoded
 * (images by the browser, MP4/MOV and WebM in this worker or a worker of its own), drawn at the
 * model's input size view by view, and embedded as one document. A video this worker cannot decode
 * is handed back to the page to sample.
 */
import type { MultiVector } from '../core/multivector.ts';
import { decodeMp4Frames, WebCodecsUnavailable, type DecodedFrame } from '../media/videoDecode.ts';
import { isEbml } from '../media/webmDecode.ts';
import type { EmbedBatch } from './batch.ts';
import { documentFromViews, type ViewMeta } from './document.ts';
import type { Embedder } from './embedder.ts';
import { inputSize, rgbaToPixelValues, viewRects, type Rect } from './preprocess.ts';
import { sha256 } from './store.ts';
import type { EmbedItem, EmbedOptions, EmbedResult } from './workerTypes.ts';

export interface View {
  bitmap: ImageBitmap;
  rect: Rect;
  meta: ViewMeta;
}

/** Draws each view at the model's input size and embeds them all as one document. */
export function bitmapEmbedder(e: Embedder): (id: string, views: View[]) => Promise<MultiVector> {
  const S = inputSize(e.bundle.preprocessor);
  const ctx = new OffscreenCanvas(S, S).getContext('2d', { willReadFrequently: true })!;
  return async (id, views) => {
    const pix = new Float32Array(views.length * 3 * S * S);
    views.forEach((v, i) => {
      ctx.clearRect(0, 0, S, S);
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(v.bitmap, v.rect.x, v.rect.y, v.rect.w, v.rect.h, 0, 0, S, S);
      rgbaToPixelValues(ctx.getImageData(0, 0, S, S).data, S, e.bundle.preprocessor, pix, i * 3 * S * S);
    });
    return documentFromViews(id, await e.embedViews(pix, views.length), views.map((v) => v.meta), e.saliencySource);
  };
}

/** Decodes a WebM (the worker passes one that runs in a worker of its own, src/clients/webmClient.ts). */
export type WebmDecoder = (buffer: ArrayBuffer, n: number, fps: number | undefined) => Promise<DecodedFrame[]>;

/** What a picture item is embedded with. */
export interface PictureTools {
  e: Embedder;
  embed: (id: string, views: View[]) => Promise<MultiVector>;
  webm: WebmDecoder;
}

/** The item's frames, decoded here (WebM by `webm`); WebCodecsUnavailable when the page must sample it. */
async function decodeVideo(video: NonNullable<EmbedItem['video']>, webm: WebmDecoder): Promise<DecodedFrame[]> {
  if (video.blob.size === 0) throw new Error('the file is empty (0 bytes)');
  const buffer = await video.blob.arrayBuffer();
  // By content, not name: WebM and Matroska start with an EBML header, MP4 and MOV with boxes.
  return isEbml(new Uint8Array(buffer, 0, Math.min(4, buffer.byteLength)))
    ? webm(buffer, video.frames, video.fps)
    : decodeMp4Frames(buffer, video.frames, video.fps);
}

/** The views of an image: the whole picture plus the tiles asked for. */
async function imageViews(item: EmbedItem, e: Embedder, tiles: number): Promise<View[]> {
  const blob = item.blob!;
  if (blob.size === 0) throw new Error('the file is empty (0 bytes)');
  let bitmap: ImageBitmap;
  try {
    bitmap = item.rgba ? await createImageBitmap(new ImageData(item.rgba.data, item.rgba.width, item.rgba.height)) : await createImageBitmap(blob, { imageOrientation: 'from-image' });
  } catch {
    throw new Error(`the browser cannot decode it as an image${blob.type ? ` (${blob.type})` : ''}`);
  }
  return viewRects(bitmap.width, bitmap.height, e.bundle.preprocessor, tiles).map((rect, i) => ({ bitmap, rect, meta: { tile: i - 1, frame: -1, time: NaN } }));
}

/** The stored-embedding key of a picture or video, and the document stored under it (if any). */
async function recallPicture(item: EmbedItem, options: EmbedOptions, batch: EmbedBatch): Promise<{ key?: string; doc?: MultiVector }> {
  const file = item.blob ?? item.video?.blob ?? item.source;
  if (!file || file.size === 0) return {};
  try {
    const frames = item.video?.frames ?? item.frames?.length ?? 0;
    const key = batch.storeKey([await sha256(file)], [`tiles=${item.blob ? options.tiles : 1}`, `frames=${frames}`, `fps=${item.video?.fps ?? item.fps ?? ''}`]);
    return { key, doc: await batch.recall(key, item.name) };
  } catch (err) {
    batch.storeError ??= (err as Error).message; // storage unavailable (private mode, quota): embed without it
    return {};
  }
}

/** Embeds one picture or video item into the batch (errors reported there); the item is counted as done. */
export async function embedPictureItem(item: EmbedItem, options: EmbedOptions, { e, embed, webm }: PictureTools, batch: EmbedBatch): Promise<void> {
  const t0 = performance.now();
  const { key, doc: storedDoc } = await recallPicture(item, options, batch);
  const views: View[] = [];
  try {
    if (storedDoc) {
      batch.accept({ ...storedDoc, id: item.name });
      batch.decoders[item.name] = 'stored';
      batch.fromStore();
      return;
    }
    let frames = item.frames;
    let decoder: EmbedResult['decoders'][string] = frames ? 'video-element' : 'image';
    if (item.video) {
      try {
        frames = await decodeVideo(item.video, webm);
        decoder = 'webcodecs-worker';
      } catch (err) {
        if (!(err instanceof WebCodecsUnavailable)) throw err;
        batch.needsPageDecode.push({ name: item.name, reason: err.message });
        return;
      }
    }
    if (frames) {
      if (frames.length === 0) throw new Error('no frames could be decoded');
      frames.forEach((f, i) => views.push({ bitmap: f.bitmap, rect: viewRects(f.bitmap.width, f.bitmap.height, e.bundle.preprocessor, 1)[0], meta: { tile: -1, frame: i, time: f.time } }));
    } else if (item.blob) {
      views.push(...(await imageViews(item, e, options.tiles)));
    } else {
      throw new Error('nothing to embed');
    }
    const doc = await embed(item.name, views);
    batch.accept(doc);
    batch.decoders[item.name] = decoder;
    await batch.keep(key, doc, decoder);
  } catch (err) {
    batch.fail(item.name, (err as Error).message);
  } finally {
    // Every bitmap of the item, on success and on error: decoded frames are large.
    for (const b of new Set([...views.map((v) => v.bitmap), ...(item.frames ?? []).map((f) => f.bitmap)])) b.close();
    batch.done(item.name, performance.now() - t0);
  }
}
