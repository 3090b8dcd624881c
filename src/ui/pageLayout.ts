/**
 * Where a document's vectors lie on its page, as the model saw it: the global view (the whole
 * picture, or its centre square for a centre-cropping model) and each of the k x k tiles, each cut
 * into the model's patch grid, in the picture's own pixels; and how a canvas area holds the page at
 * its aspect ratio, the tiles panel beside a smaller global-view panel. Pure geometry, unit-tested.
 */
import type { MultiVector } from '../core/multivector.ts';
import { viewRects, type Rect } from '../embed/preprocess.ts';

/** k of a document embedded as a global view plus k x k tiles (1 when it has no tiles, or rows x cols ones). */
export function tileGrid(doc: MultiVector): number {
  if (doc.grid?.tiles) return 1;
  let most = -1;
  const tile = doc.positions?.tile;
  if (tile) for (let i = 0; i < doc.n; i++) most = Math.max(most, tile[i]);
  return most < 0 ? 1 : Math.max(1, Math.round(Math.sqrt(most + 1)));
}

/** Whether the document has tiles beside its global view (k x k, or rows x cols as ColModernVBERT splits). */
export function isTiled(doc: MultiVector): boolean {
  return !!doc.grid?.tiles || tileGrid(doc) > 1;
}

/**
 * The picture rectangle each view covers: index 0 the global view, then the tiles row by row.
 * Rows x cols tiles (doc.grid.tiles) cover the whole picture in equal parts: the Idefics3
 * processor resizes the picture to whole tiles, so each tile is that share of the original.
 */
export function viewsOnPicture(doc: MultiVector, width: number, height: number, centerCrop: boolean): Rect[] {
  const t = doc.grid?.tiles;
  if (!t) return viewRects(width, height, { do_center_crop: centerCrop }, tileGrid(doc));
  const views: Rect[] = [{ x: 0, y: 0, w: width, h: height }];
  for (let r = 0; r < t.rows; r++) for (let c = 0; c < t.cols; c++) views.push({ x: (c * width) / t.cols, y: (r * height) / t.rows, w: width / t.cols, h: height / t.rows });
  return views;
}

export interface Panel {
  /** 'tiles' holds every tile's patches; 'global' the whole-picture view's. */
  kind: 'tiles' | 'global';
  /** Where the picture is drawn on the canvas. */
  box: Rect;
}

/** Share of the width the tiles panel takes when there is one (the global view takes the rest). */
const TILES_SHARE = 0.7;
const GAP = 6;

/** The panels of a page in a canvas area, each keeping the picture's aspect ratio, top-aligned. */
export function layoutPanels(area: Rect, width: number, height: number, tiled: boolean): Panel[] {
  const fit = (x: number, w: number, h: number): Rect => {
    const s = Math.min(w / width, h / height);
    return { x, y: area.y, w: width * s, h: height * s };
  };
  if (!tiled) {
    const box = fit(area.x, area.w, area.h);
    return [{ kind: 'global', box: { ...box, x: area.x + (area.w - box.w) / 2 } }];
  }
  const left = fit(area.x, area.w * TILES_SHARE - GAP / 2, area.h);
  const right = fit(left.x + left.w + GAP, area.w - left.w - GAP, area.h);
  return [
    { kind: 'tiles', box: left },
    { kind: 'global', box: right },
  ];
}

/** The canvas height that shows a page of this aspect at `canvasWidth` (with or without tiles). */
export function pageHeight(canvasWidth: number, width: number, height: number, tiled: boolean): number {
  const w = tiled ? canvasWidth * TILES_SHARE - GAP / 2 : canvasWidth;
  return Math.ceil((w * height) / width);
}

/** A patch's rectangle on the canvas: its view's rectangle on the picture, cut into the grid, scaled into the panel. */
export function patchRect(view: Rect, rows: number, cols: number, r: number, c: number, box: Rect, width: number): Rect {
  const s = box.w / width;
  const w = view.w / cols;
  const h = view.h / rows;
  return { x: box.x + (view.x + c * w) * s, y: box.y + (view.y + r * h) * s, w: w * s, h: h * s };
}
