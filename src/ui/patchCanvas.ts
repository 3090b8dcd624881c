/**
 * Drawing a document's patch grid over its picture: the picture as the model saw it (centre crop
 * or whole), the grid, clusters as colours, borders between clusters, outlined patches. Used by
 * the teaching view and the side-by-side panels.
 */
import * as d3 from 'd3';
import type { MultiVector } from '../core/multivector.ts';

export const clusterColour = (c: number, k: number) => (k <= 10 ? d3.schemeTableau10[c % 10] : d3.interpolateRainbow((c * 0.618) % 1));

export interface PatchArea {
  /** Where on the canvas to draw (default: the whole canvas). */
  x: number;
  y: number;
  size: number;
  /** Which tokens belong to this picture (default: the global view, tile -1). */
  tokens?: (i: number) => boolean;
}

export class PatchCanvas {
  readonly S: number;
  readonly ox: number;
  readonly oy: number;
  readonly rows: number;
  readonly cols: number;
  readonly cw: number;
  readonly ch: number;
  /** Tokens of the global view (tiles are other crops of the picture). */
  readonly tokens: number[];
  private readonly src: { x: number; y: number; w: number; h: number };

  constructor(
    readonly ctx: CanvasRenderingContext2D,
    readonly doc: MultiVector,
    readonly image: ImageBitmap | undefined,
    centerCrop: boolean,
    area?: PatchArea,
  ) {
    this.S = area?.size ?? ctx.canvas.width;
    this.ox = area?.x ?? 0;
    this.oy = area?.y ?? 0;
    this.rows = doc.grid?.rows ?? 1;
    this.cols = doc.grid?.cols ?? doc.n;
    this.cw = this.S / this.cols;
    this.ch = this.S / this.rows;
    const keep = area?.tokens ?? ((i: number) => (doc.positions?.tile?.[i] ?? -1) === -1);
    this.tokens = Array.from({ length: doc.n }, (_, i) => i).filter(keep);
    const w = image?.width ?? 1;
    const h = image?.height ?? 1;
    const side = Math.min(w, h);
    this.src = centerCrop ? { x: (w - side) / 2, y: (h - side) / 2, w: side, h: side } : { x: 0, y: 0, w, h };
  }

  cell(i: number): { x: number; y: number; r: number; c: number } {
    const r = this.doc.positions?.row?.[i] ?? 0;
    const c = this.doc.positions?.col?.[i] ?? i;
    return { x: this.ox + c * this.cw, y: this.oy + r * this.ch, r, c };
  }

  /** The picture and the grid, optionally washed out towards white. */
  base(dim = 0): void {
    const { ctx, S, ox, oy } = this;
    ctx.clearRect(ox, oy, S, S);
    if (this.image) ctx.drawImage(this.image, this.src.x, this.src.y, this.src.w, this.src.h, ox, oy, S, S);
    else {
      ctx.fillStyle = '#fff';
      ctx.fillRect(ox, oy, S, S);
    }
    if (dim > 0) {
      ctx.fillStyle = `rgba(255,255,255,${dim})`;
      ctx.fillRect(ox, oy, S, S);
    }
    ctx.strokeStyle = 'rgba(0,0,0,0.25)';
    ctx.lineWidth = 1;
    for (let r = 1; r < this.rows; r++) ctx.strokeRect(ox, oy + r * this.ch, S, 0);
    for (let k = 1; k < this.cols; k++) ctx.strokeRect(ox + k * this.cw, oy, 0, S);
  }

  fill(labels: ArrayLike<number>, k: number, alpha: number): void {
    const { ctx } = this;
    ctx.globalAlpha = alpha;
    for (const i of this.tokens) {
      if (labels[i] < 0) continue;
      const { x, y } = this.cell(i);
      ctx.fillStyle = clusterColour(labels[i], k);
      ctx.fillRect(x, y, this.cw, this.ch);
    }
    ctx.globalAlpha = 1;
  }

  /** Dark lines between neighbouring patches of different clusters. */
  borders(labels: ArrayLike<number>): void {
    const { ctx } = this;
    const at = new Map(this.tokens.map((i) => [`${this.cell(i).r},${this.cell(i).c}`, labels[i]]));
    ctx.strokeStyle = '#111';
    ctx.lineWidth = 2.5;
    for (const i of this.tokens) {
      const { x, y, r, c } = this.cell(i);
      const right = at.get(`${r},${c + 1}`);
      const below = at.get(`${r + 1},${c}`);
      if (right !== undefined && right !== labels[i]) ctx.strokeRect(x + this.cw, y, 0, this.ch);
      if (below !== undefined && below !== labels[i]) ctx.strokeRect(x, y + this.ch, this.cw, 0);
    }
  }

  outline(i: number, colour: string, width: number, inset = 2): void {
    const { x, y } = this.cell(i);
    this.ctx.strokeStyle = colour;
    this.ctx.lineWidth = width;
    this.ctx.strokeRect(x + inset, y + inset, this.cw - 2 * inset, this.ch - 2 * inset);
  }

  label(i: number, text: string): void {
    const { x, y } = this.cell(i);
    this.ctx.fillStyle = '#000';
    this.ctx.font = `${Math.max(10, Math.min(this.cw, this.ch) * 0.45)}px system-ui`;
    this.ctx.fillText(text, x + 5, y + this.ch * 0.6);
  }
}
