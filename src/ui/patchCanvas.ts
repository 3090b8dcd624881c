/**
 * Drawing a document's patches over its picture as the model saw it: the whole page at its aspect
 * ratio, every tile's patches where the tile lies on the page, and the global view's patches in a
 * panel of its own (pageLayout.ts has the geometry); parts a centre-cropping model never saw are
 * washed out. Clusters as colours, borders between clusters, outlined patches. Used by the
 * similarity maps, the side-by-side panels and the teaching view.
 */
import * as d3 from 'd3';
import type { MultiVector } from '../core/multivector.ts';
import type { Rect } from '../embed/preprocess.ts';
import { isTiled, layoutPanels, pageHeight, patchRect, viewsOnPicture, type Panel } from './pageLayout.ts';

export const clusterColour = (c: number, k: number) => (k <= 10 ? d3.schemeTableau10[c % 10] : d3.interpolateRainbow((c * 0.618) % 1));

export interface PatchArea {
  /** Where on the canvas to draw (default: the whole canvas). */
  x: number;
  y: number;
  w: number;
  h: number;
  /** Which positioned tokens belong to this picture (default: every one; a video frame passes its own). */
  tokens?: (i: number) => boolean;
}

export interface Cell extends Rect {
  r: number;
  c: number;
  tile: number;
}

/** The canvas height a document's picture needs at `width` (square when the picture is unknown). */
export function canvasHeightFor(doc: MultiVector, image: ImageBitmap | undefined, width: number): number {
  const tiled = isTiled(doc);
  return pageHeight(width, image?.width ?? 1, image?.height ?? 1, tiled) + (tiled ? 14 : 0);
}

export class PatchCanvas {
  /** The patch grid of every view. */
  readonly rows: number;
  readonly cols: number;
  /** Positioned tokens drawn (global view and tiles). */
  readonly tokens: number[];
  private readonly width: number;
  private readonly height: number;
  private readonly views: Rect[];
  private readonly panels: Panel[];
  private readonly area: Rect;

  constructor(
    readonly ctx: CanvasRenderingContext2D,
    readonly doc: MultiVector,
    readonly image: ImageBitmap | undefined,
    centerCrop: boolean,
    area?: PatchArea,
  ) {
    this.area = area ?? { x: 0, y: 0, w: ctx.canvas.width, h: ctx.canvas.height };
    this.rows = doc.grid?.rows ?? 1;
    this.cols = doc.grid?.cols ?? doc.n;
    this.width = image?.width ?? 1;
    this.height = image?.height ?? 1;
    this.views = viewsOnPicture(doc, this.width, this.height, centerCrop && !!image);
    const tiled = this.views.length > 1;
    // Room for each panel's caption under it.
    this.panels = layoutPanels({ ...this.area, h: this.area.h - (tiled ? 14 : 0) }, this.width, this.height, tiled);
    const positioned = (i: number) => (doc.positions?.row?.[i] ?? 0) >= 0;
    const keep = area?.tokens ?? (() => true);
    this.tokens = Array.from({ length: doc.n }, (_, i) => i).filter((i) => positioned(i) && keep(i) && this.viewOf(i) !== undefined);
  }

  /** Tiles the document was embedded as, beside its global view (0: the global view alone). */
  get tiles(): number {
    return this.views.length - 1;
  }

  private tileOf(i: number): number {
    return this.doc.positions?.tile?.[i] ?? -1;
  }

  private viewOf(i: number): Rect | undefined {
    return this.views[this.tileOf(i) + 1];
  }

  cell(i: number): Cell {
    const r = this.doc.positions?.row?.[i] ?? 0;
    const c = this.doc.positions?.col?.[i] ?? i;
    const tile = this.tileOf(i);
    const panel = this.panels.find((p) => p.kind === (tile >= 0 ? 'tiles' : 'global'))!;
    return { ...patchRect(this.viewOf(i)!, this.rows, this.cols, r, c, panel.box, this.width), r, c, tile };
  }

  /** The picture in every panel (what the model did not see washed out), the grids, optionally dimmed. */
  base(dim = 0): void {
    const { ctx, area } = this;
    ctx.clearRect(area.x, area.y, area.w, area.h);
    for (const panel of this.panels) {
      const { box } = panel;
      const views = panel.kind === 'global' ? [this.views[0]] : this.views.slice(1);
      if (this.image) {
        ctx.drawImage(this.image, box.x, box.y, box.w, box.h);
        ctx.fillStyle = 'rgba(255,255,255,0.6)';
        ctx.fillRect(box.x, box.y, box.w, box.h);
        const s = box.w / this.width;
        for (const v of views) ctx.drawImage(this.image, v.x, v.y, v.w, v.h, box.x + v.x * s, box.y + v.y * s, v.w * s, v.h * s);
      } else {
        ctx.fillStyle = '#fff';
        ctx.fillRect(box.x, box.y, box.w, box.h);
      }
      if (dim > 0) {
        ctx.fillStyle = `rgba(255,255,255,${dim})`;
        ctx.fillRect(box.x, box.y, box.w, box.h);
      }
      for (const v of views) this.grid(v, box);
      if (this.panels.length > 1) {
        ctx.fillStyle = '#333';
        ctx.font = '11px system-ui';
        ctx.fillText(panel.kind === 'tiles' ? `${this.views.length - 1} tiles` : 'global view', box.x, box.y + box.h + 11);
      }
    }
  }

  private grid(v: Rect, box: Rect): void {
    const { ctx } = this;
    const first = patchRect(v, this.rows, this.cols, 0, 0, box, this.width);
    const x0 = first.x;
    const y0 = first.y;
    ctx.strokeStyle = 'rgba(0,0,0,0.25)';
    ctx.lineWidth = 1;
    for (let r = 1; r < this.rows; r++) ctx.strokeRect(x0, y0 + r * first.h, first.w * this.cols, 0);
    for (let k = 1; k < this.cols; k++) ctx.strokeRect(x0 + k * first.w, y0, 0, first.h * this.rows);
    ctx.strokeStyle = 'rgba(0,0,0,0.55)';
    ctx.strokeRect(x0, y0, first.w * this.cols, first.h * this.rows);
  }

  /** Fills a patch with a colour at `alpha`. */
  paint(i: number, colour: string, alpha = 1): void {
    const { x, y, w, h } = this.cell(i);
    this.ctx.globalAlpha = alpha;
    this.ctx.fillStyle = colour;
    this.ctx.fillRect(x, y, w, h);
    this.ctx.globalAlpha = 1;
  }

  fill(labels: ArrayLike<number>, k: number, alpha: number): void {
    for (const i of this.tokens) if (labels[i] >= 0) this.paint(i, clusterColour(labels[i], k), alpha);
  }

  /** Dark lines between neighbouring patches (of one view) of different clusters. */
  borders(labels: ArrayLike<number>): void {
    const { ctx } = this;
    const key = (t: number, r: number, c: number) => `${t},${r},${c}`;
    const at = new Map(this.tokens.map((i) => {
      const { tile, r, c } = this.cell(i);
      return [key(tile, r, c), labels[i]];
    }));
    ctx.strokeStyle = '#111';
    ctx.lineWidth = 2.5;
    for (const i of this.tokens) {
      const { x, y, w, h, r, c, tile } = this.cell(i);
      const right = at.get(key(tile, r, c + 1));
      const below = at.get(key(tile, r + 1, c));
      if (right !== undefined && right !== labels[i]) ctx.strokeRect(x + w, y, 0, h);
      if (below !== undefined && below !== labels[i]) ctx.strokeRect(x, y + h, w, 0);
    }
  }

  outline(i: number, colour: string, width: number, inset = 2): void {
    const { x, y, w, h } = this.cell(i);
    const pad = Math.min(inset, w / 4, h / 4);
    this.ctx.strokeStyle = colour;
    this.ctx.lineWidth = Math.min(width, Math.max(1, w / 4));
    this.ctx.strokeRect(x + pad, y + pad, w - 2 * pad, h - 2 * pad);
  }

  label(i: number, text: string): void {
    const { x, y, w, h } = this.cell(i);
    this.ctx.fillStyle = '#000';
    this.ctx.font = `${Math.max(9, Math.min(w, h) * 0.45)}px system-ui`;
    this.ctx.fillText(text, x + Math.min(5, w / 5), y + h * 0.6);
  }
}
