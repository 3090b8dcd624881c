/**
 * Image preprocessing from a Hugging Face `preprocessor_config.json`: which region of the source
 * becomes the model's square input (CLIP: resize the shortest edge, centre crop; SigLIP: resize
 * the whole image), multi-crop tiling (a global view plus k x k tiles), and the rescale +
 * normalise step into CHW float32 `pixel_values`.
 */

export interface PreprocessorConfig {
  size?: { shortest_edge?: number; height?: number; width?: number } | number;
  crop_size?: { height: number; width: number } | number;
  do_center_crop?: boolean;
  do_resize?: boolean;
  do_rescale?: boolean;
  rescale_factor?: number;
  do_normalize?: boolean;
  image_mean?: number[];
  image_std?: number[];
}

/** A region of the source image, in source pixels. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Side of the square model input. */
export function inputSize(prep: PreprocessorConfig): number {
  if (prep.do_center_crop && prep.crop_size !== undefined) {
    return typeof prep.crop_size === 'number' ? prep.crop_size : prep.crop_size.height;
  }
  const s = prep.size;
  if (typeof s === 'number') return s;
  const side = s?.height ?? s?.shortest_edge;
  if (!side) throw new Error('preprocessor_config.json has no usable size');
  return side;
}

/** The part of a `region` the model sees once resized to `inputSize` x `inputSize`. */
export function modelView(region: Rect, prep: PreprocessorConfig): Rect {
  if (!prep.do_center_crop) return region; // resize the whole region (aspect not kept), as SigLIP does
  const side = Math.min(region.w, region.h);
  return { x: region.x + (region.w - side) / 2, y: region.y + (region.h - side) / 2, w: side, h: side };
}

/** Views of one image: index 0 is the global view; with k > 1, then k x k tiles in row-major order. */
export function viewRects(width: number, height: number, prep: PreprocessorConfig, k = 1): Rect[] {
  const views = [modelView({ x: 0, y: 0, w: width, h: height }, prep)];
  if (k > 1) {
    for (let r = 0; r < k; r++) {
      for (let c = 0; c < k; c++) {
        const tile = { x: (c * width) / k, y: (r * height) / k, w: width / k, h: height / k };
        views.push(modelView(tile, prep));
      }
    }
  }
  return views;
}

/**
 * Writes one S x S RGBA image as normalised CHW floats into `out` at `offset` (3 * S * S values).
 */
export function rgbaToPixelValues(rgba: Uint8ClampedArray | Uint8Array, S: number, prep: PreprocessorConfig, out: Float32Array, offset = 0): void {
  if (rgba.length !== S * S * 4) throw new Error(`expected ${S}x${S} RGBA pixels, got ${rgba.length / 4} pixels`);
  const scale = prep.do_rescale === false ? 1 : (prep.rescale_factor ?? 1 / 255);
  const mean = prep.do_normalize === false ? [0, 0, 0] : (prep.image_mean ?? [0.5, 0.5, 0.5]);
  const std = prep.do_normalize === false ? [1, 1, 1] : (prep.image_std ?? [0.5, 0.5, 0.5]);
  const plane = S * S;
  for (let c = 0; c < 3; c++) {
    const base = offset + c * plane;
    const m = mean[c];
    const inv = 1 / std[c];
    for (let i = 0; i < plane; i++) out[base + i] = (rgba[i * 4 + c] * scale - m) * inv;
  }
}

/**
 * Bilinear resampling of `rect` of an RGBA image to S x S, in plain JavaScript (used where no
 * canvas exists, e.g. Node tests; the page resizes with createImageBitmap instead).
 */
export function resampleRGBA(src: Uint8ClampedArray | Uint8Array, width: number, height: number, rect: Rect, S: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(S * S * 4);
  for (let y = 0; y < S; y++) {
    const sy = Math.min(height - 1, Math.max(0, rect.y + ((y + 0.5) * rect.h) / S - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(height - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < S; x++) {
      const sx = Math.min(width - 1, Math.max(0, rect.x + ((x + 0.5) * rect.w) / S - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(width - 1, x0 + 1);
      const fx = sx - x0;
      for (let c = 0; c < 4; c++) {
        const a = src[(y0 * width + x0) * 4 + c] * (1 - fx) + src[(y0 * width + x1) * 4 + c] * fx;
        const b = src[(y1 * width + x0) * 4 + c] * (1 - fx) + src[(y1 * width + x1) * 4 + c] * fx;
        out[(y * S + x) * 4 + c] = a * (1 - fy) + b * fy;
      }
    }
  }
  return out;
}
