import { normalizeRowInPlace, poolByGroup } from '../linalg.ts';
import type { MultiVector } from '../multivector.ts';
import type { CompressionMethod } from './types.ts';

/**
 * Uniform (adaptive average) pooling: the position-aware baseline that uses no content at all.
 * - Images (every token has a patch row and column on one grid): the grid is split into a x b
 *   nearly equal cells, with a * b <= m chosen as large as possible and the cell shape closest to
 *   square, as torch's adaptive_avg_pool2d splits a grid.
 * - Video (tokens also carry a frame index): first over time, into t = min(frames, m) segments of
 *   consecutive frames, then over space, each segment's grid into at most floor(m / t) cells.
 * - Anything else: the token sequence is cut into m nearly equal consecutive runs.
 * Every cell becomes the mean of its tokens. Because a x b need not equal m, an image may get
 * slightly fewer than m vectors (30 for m = 32 on a 7 x 7 grid); index bytes count what is stored.
 */
export const uniformPool: CompressionMethod = {
  id: 'uniform',
  label: 'Uniform pool',
  description:
    'Adaptive average pooling by position only: over the patch grid for images, over time then space for ' +
    'video, over the token sequence otherwise. The cheapest merge; a floor for content-aware methods.',
  options: [
    {
      key: 'cells',
      label: 'Cells',
      type: 'enum',
      choices: ['grid', 'rows'],
      description:
        "grid: near-square tiles of the patch grid (k x k spatial pooling); rows: bands of whole patch rows (Qdrant's row mean pooling for ColPali: one vector per row when m equals the rows).",
    },
    {
      key: 'normalize',
      label: 'Normalise means',
      type: 'boolean',
      description: 'L2-normalise each pooled mean.',
    },
  ],
  defaults: { cells: 'grid', normalize: false },
  usesSaliency: false,
  usesSeed: false,
  compress(doc, m, options) {
    const { cell, k } = uniformCells(doc, m, options.cells === 'rows');
    const { pooled } = poolByGroup(doc.data, doc.n, doc.d, cell, k);
    if (options.normalize === true) for (let c = 0; c < k; c++) normalizeRowInPlace(pooled, c, doc.d);
    return { data: pooled, k, assignments: cell };
  },
};

/** Start of bin i when `length` items are split into `bins` adaptive bins (torch's floor rule). */
export function binOf(index: number, length: number, bins: number): number {
  return Math.min(bins - 1, Math.floor((index * bins) / length));
}

/** The a x b split of a rows x cols grid with a * b <= m, largest first, then closest to square cells. */
export function gridSplit(rows: number, cols: number, m: number): [number, number] {
  let best: [number, number] = [1, 1];
  let bestScore = -Infinity;
  for (let a = 1; a <= Math.min(rows, m); a++) {
    const b = Math.min(cols, Math.floor(m / a));
    if (b < 1) continue;
    const aspect = Math.abs(Math.log(rows / a / (cols / b)));
    const score = a * b * 1000 - aspect;
    if (score > bestScore) {
      bestScore = score;
      best = [a, b];
    }
  }
  return best;
}

function uniformCells(doc: MultiVector, m: number, rowsOnly = false): { cell: Int32Array; k: number } {
  const { n } = doc;
  const p = doc.positions;
  const cell = new Int32Array(n);
  const positioned = p?.row && p.col && every(p.row, (r) => r >= 0) && every(p.col, (c) => c >= 0);
  if (positioned && p?.row && p.col) {
    const rows = doc.grid?.rows ?? max(p.row) + 1;
    const cols = doc.grid?.cols ?? max(p.col) + 1;
    const hasFrames = p.frame && every(p.frame, (f) => f >= 0);
    const frames = hasFrames && p.frame ? (doc.grid?.frames ?? max(p.frame) + 1) : 1;
    const t = Math.min(frames, m);
    const perSegment = Math.max(1, Math.floor(m / t));
    const [a, b] = rowsOnly ? [Math.min(rows, perSegment), 1] : gridSplit(rows, cols, perSegment);
    for (let i = 0; i < n; i++) {
      const seg = hasFrames && p.frame ? binOf(p.frame[i], frames, t) : 0;
      cell[i] = (seg * a + binOf(p.row[i], rows, a)) * b + binOf(p.col[i], cols, b);
    }
    return compact(cell);
  }
  for (let i = 0; i < n; i++) cell[i] = binOf(i, n, m);
  return compact(cell);
}

/** Renumbers cell ids to 0..k-1 in order of first use (cells no token falls in disappear). */
function compact(cell: Int32Array): { cell: Int32Array; k: number } {
  const map = new Map<number, number>();
  for (let i = 0; i < cell.length; i++) {
    let v = map.get(cell[i]);
    if (v === undefined) map.set(cell[i], (v = map.size));
    cell[i] = v;
  }
  return { cell, k: map.size };
}

function every(a: ArrayLike<number>, f: (v: number) => boolean): boolean {
  for (let i = 0; i < a.length; i++) if (!f(a[i])) return false;
  return true;
}

function max(a: ArrayLike<number>): number {
  let v = -Infinity;
  for (let i = 0; i < a.length; i++) v = Math.max(v, a[i]);
  return v;
}
