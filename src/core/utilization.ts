/**
 * Token utilisation (paper section 6.5): which stored vectors ever win a MaxSim match.
 *
 * A stored vector is active if it wins the argmax for at least one query token of a relevant
 * (query, document) pair. Matches are traced back to pixels through the compressed document's
 * assignments: a win of a vector pooled from g tokens credits each of those tokens' positions with
 * weight 1/g. Match strength at a position is the weighted sum of winning similarities divided by
 * the weighted number of matches there. Evenness is the coefficient of variation (sigma/mu x 100)
 * and the Gini coefficient of match counts, over stored vectors and over positions; lower means
 * more evenly used.
 */
import type { Judgments } from './metrics.ts';
import type { CompressedDoc, TokenPositions } from './multivector.ts';
import { maxSimBlock, packCorpus, type CorpusLayout, type VectorSet } from './maxsim.ts';

export interface PositionMap {
  /** Number of cells along each axis (frames: rows = 1, cols = frame count). */
  rows: number;
  cols: number;
  /** Weighted number of matches per cell, row-major. */
  count: Float64Array;
  /** Mean winning similarity per cell (NaN where nothing matched). */
  strength: Float64Array;
}

export interface UtilizationReport {
  storedVectors: number;
  activeVectors: number;
  activeFraction: number;
  /** Query-token matches counted (query tokens x relevant pairs). */
  matches: number;
  vectorCV: number;
  vectorGini: number;
  /**
   * Match counts over the patch grid (summed over frames), if tokens have rows/cols. When every
   * positioned document was embedded as a global view plus the same k x k tiles, the grid is the
   * page's: k x k times finer, each tile's patches in their place, a global-view patch spread over
   * the k x k cells it covers (`tiles` is k). The same for pages of rows x cols tiles
   * (ColModernVBERT's splitting, doc.grid.tiles) when every page has the same (`tileShape`; `tiles`
   * only when square); otherwise the view's grid, summed over tiles, and no grid at all for pages
   * of rows x cols tiles whose shapes differ.
   */
  grid?: PositionMap & { tiles?: number; tileShape?: { rows: number; cols: number } };
  /** Match counts per video frame, if tokens have frame indices. */
  frames?: PositionMap;
  /** CV and Gini of the grid's (else the frames') cell counts; NaN if there are no positions. */
  positionCV: number;
  positionGini: number;
}

export interface UtilizationInput {
  /** The stored vectors' layout, and their values packed (`data`) unless `rows` gives each document's. */
  corpus: CorpusLayout;
  /** Document i's stored rows (offsets[i+1] - offsets[i] of them), for a corpus not packed into one array. */
  rows?: (doc: number) => Float32Array;
  /** Compressed documents in corpus order (for assignments). */
  compressed: readonly CompressedDoc[];
  /** Positions of the uncompressed tokens, in corpus order (undefined when unknown). */
  positions: readonly (TokenPositions | undefined)[];
  /** Each document's tiles when they are rows x cols (MultiVector.grid.tiles); k x k ones are read from the positions. */
  tileShapes?: readonly ({ rows: number; cols: number } | undefined)[];
  queries: readonly VectorSet[];
  qrels: ReadonlyMap<string, Judgments>;
}

/** The patch grid and frame axis the documents' positions span (undefined where none has any). */
function positionMaps(positions: UtilizationInput['positions'], tileShapes: UtilizationInput['tileShapes']) {
  let gridRows = 0;
  let gridCols = 0;
  let frameCount = 0;
  // Each positioned document's tiles, as "rows x cols" ("1x1" without tiles; "?" when unknown).
  const shapes = new Set<string>();
  positions.forEach((p, d) => {
    if (p?.row && p.col) {
      let most = -1;
      for (let i = 0; i < p.row.length; i++) {
        gridRows = Math.max(gridRows, p.row[i] + 1);
        gridCols = Math.max(gridCols, p.col[i] + 1);
        most = Math.max(most, p.tile?.[i] ?? -1);
      }
      const given = tileShapes?.[d];
      const k = Math.round(Math.sqrt(most + 1));
      shapes.add(given ? `${given.rows}x${given.cols}` : most < 0 ? '1x1' : k * k === most + 1 ? `${k}x${k}` : '?');
    }
    if (p?.frame) for (const f of p.frame) frameCount = Math.max(frameCount, f + 1);
  });
  // One tile shape for every positioned document: the page's grid (1 x 1: the view's own).
  const [R, C] = shapes.size === 1 && !shapes.has('?') ? [...shapes][0].split('x').map(Number) : [1, 1];
  // Pages tiled rows x cols in different shapes have no one page grid: no heat map rather than their tiles stacked on one another.
  const unknown = shapes.has('?') || (shapes.size > 1 && [...shapes].some((x) => { const [a, b] = x.split('x'); return a !== b; }));
  const tiled = R * C > 1;
  const grid = gridRows > 0 && !unknown ? { ...emptyMap(gridRows * R, gridCols * C), ...(tiled && R === C ? { tiles: R } : {}), ...(tiled ? { tileShape: { rows: R, cols: C } } : {}) } : undefined;
  const frames = frameCount > 0 ? emptyMap(1, frameCount) : undefined;
  return { grid, frames, gridSim: grid && new Float64Array(grid.count.length), frameSim: frames && new Float64Array(frames.count.length), view: { rows: gridRows, cols: gridCols, R, C } };
}

/** The cells of the page grid token t covers and its share of each (a global-view patch covers R x C). */
function cellsOf(p: TokenPositions, t: number, view: { rows: number; cols: number; R: number; C: number }): [number, number][] {
  const { rows, cols, R, C } = view;
  const width = cols * C;
  const tile = p.tile?.[t] ?? -1;
  const [r, c] = [p.row![t], p.col![t]];
  if (R * C === 1) return [[r * width + c, 1]];
  if (tile >= 0) return [[(Math.floor(tile / C) * rows + r) * width + (tile % C) * cols + c, 1]];
  const out: [number, number][] = [];
  for (let a = 0; a < R; a++) for (let b = 0; b < C; b++) out.push([(r * R + a) * width + c * C + b, 1 / (R * C)]);
  return out;
}

export function tokenUtilization(input: UtilizationInput): UtilizationReport {
  const { corpus, compressed, positions, queries } = input;
  const docIndex = new Map(corpus.ids.map((id, i) => [id, i]));
  const stored = corpus.offsets[corpus.ids.length];
  const wins = new Float64Array(stored);
  const { grid, frames, gridSim, frameSim, view } = positionMaps(positions, input.tileShapes);
  // Members of each stored vector (built lazily per document).
  const members = new Map<number, Int32Array[]>();
  let matches = 0;
  /** A win of stored row `arg` with similarity `best`, shared equally by the tokens pooled into it. */
  const spread = (toks: Int32Array, p: TokenPositions | undefined, best: number) => {
    const w = 1 / toks.length;
    for (const t of toks) {
      if (grid && gridSim && p?.row && p.col && p.row[t] >= 0 && p.col[t] >= 0) {
        if (view.R * view.C === 1) {
          // The common case (no tiles): one cell, no list made per token.
          const cell = p.row[t] * grid.cols + p.col[t];
          grid.count[cell] += w;
          gridSim[cell] += w * best;
        } else for (const [cell, share] of cellsOf(p, t, view)) {
          grid.count[cell] += w * share;
          gridSim[cell] += w * share * best;
        }
      }
      if (frames && frameSim && p?.frame && p.frame[t] >= 0) {
        frames.count[p.frame[t]] += w;
        frameSim[p.frame[t]] += w * best;
      }
    }
  };
  for (const q of queries) {
    for (const { di, start, end, data, base } of relevantBlocks(input, q, docIndex)) {
      const groups = members.get(di) ?? membersOf(compressed[di], end - start);
      members.set(di, groups);
      // Every query token's best stored row of the document at once (the search's own MaxSim step,
      // in the WebAssembly kernels where the corpus lives in their memory).
      const best = new Float64Array(q.n);
      const arg = new Int32Array(q.n);
      maxSimBlock(q.data, q.n, data, base, base + end - start, corpus.d, best, arg);
      for (let i = 0; i < q.n; i++) {
        const row = arg[i] - base;
        wins[start + row]++;
        matches++;
        spread(groups[row], positions[di], best[i]);
      }
    }
  }
  if (grid && gridSim) finishStrength(grid, gridSim);
  if (frames && frameSim) finishStrength(frames, frameSim);
  let active = 0;
  for (const w of wins) if (w > 0) active++;
  const positional = grid ?? frames;
  return {
    storedVectors: stored,
    activeVectors: active,
    activeFraction: stored > 0 ? active / stored : 0,
    matches,
    vectorCV: coefficientOfVariation(wins),
    vectorGini: gini(wins),
    grid,
    frames,
    positionCV: positional ? coefficientOfVariation(positional.count) : NaN,
    positionGini: positional ? gini(positional.count) : NaN,
  };
}

/**
 * The documents judged relevant to q that hold vectors: their index, their rows in the corpus
 * (start..end) and where those rows are (rows base..base + end - start of data). Without a packed
 * corpus, the query's documents are packed together (a few documents, not the corpus), so
 * products are taken by the same kernels, with the same rounding, as on a packed corpus.
 */
function relevantBlocks(input: UtilizationInput, q: VectorSet, docIndex: Map<string, number>) {
  const { corpus } = input;
  const found: { di: number; start: number; end: number }[] = [];
  for (const [docId, grade] of input.qrels.get(q.id) ?? []) {
    const di = docIndex.get(docId);
    if (grade <= 0 || di === undefined) continue;
    const [start, end] = [corpus.offsets[di], corpus.offsets[di + 1]];
    if (end > start) found.push({ di, start, end });
  }
  const rows = input.rows;
  if (!rows) return found.map((f) => ({ ...f, data: corpus.data!, base: f.start }));
  const local = packCorpus(found.map((f) => ({ id: String(f.di), n: f.end - f.start, d: corpus.d, data: rows(f.di) })));
  return found.map((f, k) => ({ ...f, data: local.data, base: local.offsets[k] }));
}

function membersOf(doc: CompressedDoc, k: number): Int32Array[] {
  const lists: number[][] = Array.from({ length: k }, () => []);
  doc.assignments.forEach((a, t) => {
    if (a >= 0) lists[a].push(t);
  });
  return lists.map((l) => Int32Array.from(l));
}

function emptyMap(rows: number, cols: number): PositionMap {
  return { rows, cols, count: new Float64Array(rows * cols), strength: new Float64Array(rows * cols) };
}

function finishStrength(map: PositionMap, simSum: Float64Array): void {
  for (let i = 0; i < map.count.length; i++) map.strength[i] = map.count[i] > 0 ? simSum[i] / map.count[i] : NaN;
}

/** sigma / mu x 100 (population standard deviation); NaN for an empty or all-zero list. */
export function coefficientOfVariation(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i] / n;
  if (mean === 0) return NaN;
  let v = 0;
  for (let i = 0; i < n; i++) v += (values[i] - mean) ** 2 / n;
  return (Math.sqrt(v) / mean) * 100;
}

/**
 * Gini coefficient of non-negative values: 0 when all are equal, (n-1)/n when one holds
 * everything. G = sum_i (2i - n - 1) x_(i) / (n sum x) over values sorted ascending (i from 1).
 */
export function gini(values: ArrayLike<number>): number {
  const n = values.length;
  const sorted = Float64Array.from(values).sort();
  let total = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    total += sorted[i];
    weighted += (2 * (i + 1) - n - 1) * sorted[i];
  }
  return total > 0 ? weighted / (n * total) : NaN;
}
