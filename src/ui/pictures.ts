/**
 * The pictures of a document to draw patches on: the image file itself, or up to 9 of a video's
 * frames (the demo clips are redrawn from their scene; other videos show the grid without
 * pixels). Shared by the side-by-side panels and the similarity maps.
 */
import { clipScene, renderScene } from '../demo/scenes.ts';
import type { MultiVector } from '../core/multivector.ts';
import type { EmbeddedCorpus } from './corpusStore.ts';

export interface Picture {
  /** -1 for a still image, else the frame index. */
  frame: number;
  image?: ImageBitmap;
}

export async function pictures(corpus: EmbeddedCorpus, doc: MultiVector, most = 9): Promise<Picture[]> {
  const frames = doc.grid?.frames;
  if (!frames) {
    const blob = corpus.source(doc.id);
    return [{ frame: -1, image: blob ? await createImageBitmap(blob, { imageOrientation: 'from-image' }) : undefined }];
  }
  const clip = corpus.demo()?.clips.find((c) => c.id === doc.id);
  const count = Math.min(most, frames);
  const pick = Array.from({ length: count }, (_, i) => Math.round((i * (frames - 1)) / Math.max(1, count - 1)));
  return Promise.all(
    [...new Set(pick)].map(async (f) => {
      if (!clip) return { frame: f };
      const size = 64;
      const rgba = renderScene(clipScene(clip, f, frames), size) as Uint8ClampedArray<ArrayBuffer>;
      return { frame: f, image: await createImageBitmap(new ImageData(rgba, size, size)) };
    }),
  );
}
