import { describe, expect, it } from 'vitest';
import type { MultiVector } from '../../src/core/multivector.ts';
import { layoutPanels, pageHeight, patchRect, tileGrid, viewsOnPicture } from '../../src/ui/pageLayout.ts';

/** A document of a global view plus k x k tiles, each g x g patches (tile -1 first, as the embedder orders them). */
function tiledDoc(k: number, g: number): MultiVector {
  const views = k > 1 ? 1 + k * k : 1;
  const n = views * g * g;
  const tile = new Int16Array(n);
  const row = new Int16Array(n);
  const col = new Int16Array(n);
  for (let v = 0; v < views; v++)
    for (let r = 0; r < g; r++)
      for (let c = 0; c < g; c++) {
        const i = (v * g + r) * g + c;
        [tile[i], row[i], col[i]] = [v - 1, r, c];
      }
  return { id: 'page', n, d: 1, data: new Float32Array(n), grid: { rows: g, cols: g }, positions: { tile, row, col } };
}

describe('a page as the model saw it', () => {
  it('reads the tile grid from the tokens', () => {
    expect(tileGrid(tiledDoc(3, 8))).toBe(3);
    expect(tileGrid(tiledDoc(1, 8))).toBe(1);
    expect(tileGrid({ id: 'x', n: 2, d: 1, data: new Float32Array(2) })).toBe(1);
  });

  it('places the global view and the tiles on a portrait page (A4 at 595 x 842)', () => {
    const doc = tiledDoc(3, 8);
    // Squashed whole (SigLIP-like): the global view is the page, each tile a third of each side.
    const whole = viewsOnPicture(doc, 595, 842, false);
    expect(whole).toHaveLength(10);
    expect(whole[0]).toEqual({ x: 0, y: 0, w: 595, h: 842 });
    expect(whole[1]).toEqual({ x: 0, y: 0, w: 595 / 3, h: 842 / 3 });
    expect(whole[9]).toEqual({ x: (2 * 595) / 3, y: (2 * 842) / 3, w: 595 / 3, h: 842 / 3 });
    // Centre crop (CLIP-like): the global view is the centre square, so the top of the page (its title) is outside it.
    const crop = viewsOnPicture(doc, 595, 842, true);
    expect(crop[0]).toEqual({ x: 0, y: (842 - 595) / 2, w: 595, h: 595 });
    expect(crop[0].y).toBeGreaterThan(100);
    // ...but the tiles of the top row start at the top of the page.
    expect(crop[1].y).toBeCloseTo((842 / 3 - 595 / 3) / 2, 9);
    expect(crop[1].y).toBeLessThan(crop[0].y);
  });

  it('keeps the aspect ratio in the canvas: tiles panel then the global view, top-aligned', () => {
    const [tiles, global] = layoutPanels({ x: 0, y: 0, w: 600, h: 10_000 }, 595, 842, true);
    expect(tiles.kind).toBe('tiles');
    expect(tiles.box.w).toBeCloseTo(600 * 0.7 - 3, 9);
    expect(tiles.box.h / tiles.box.w).toBeCloseTo(842 / 595, 9);
    expect(global.kind).toBe('global');
    expect(global.box.x).toBeCloseTo(tiles.box.w + 6, 9);
    expect(global.box.x + global.box.w).toBeCloseTo(600, 9);
    expect(global.box.h / global.box.w).toBeCloseTo(842 / 595, 9);
    expect(pageHeight(600, 595, 842, true)).toBe(Math.ceil((417 * 842) / 595));
    // No tiles: one panel, centred, height-bound when the area is short.
    const [one] = layoutPanels({ x: 10, y: 5, w: 400, h: 200 }, 100, 200, false);
    expect(one.box).toEqual({ x: 10 + (400 - 100) / 2, y: 5, w: 100, h: 200 });
  });

  it("puts a patch where its tile's grid puts it", () => {
    // Tile (row 1, col 2) of a 3 x 3 split of a 300 x 600 page, 4 x 4 patches, drawn at half size.
    const view = { x: 200, y: 200, w: 100, h: 200 };
    expect(patchRect(view, 4, 4, 3, 1, { x: 10, y: 20, w: 150, h: 300 }, 300)).toEqual({ x: 10 + (200 + 25) / 2, y: 20 + (200 + 150) / 2, w: 12.5, h: 25 });
  });
});

describe("the similarity maps' colour range", () => {
  it('is 0 to 1 when absolute, the values\' own range otherwise, widened when they barely differ', async () => {
    const { mapDomain, MIN_SPAN } = await import('../../src/ui/maps/draw.ts');
    expect(mapDomain([0.1, 0.4], 'abs')).toEqual([0, 1]);
    expect(mapDomain([0.1, 0.4, 0.25], 'doc')).toEqual([0.1, 0.4]);
    // A page that matches nothing (every value about 0) is one flat colour, not noise painted hot and cold.
    const [lo, hi] = mapDomain([-1e-9, 1e-9], 'doc');
    expect(hi - lo).toBeCloseTo(MIN_SPAN, 12);
    expect((lo + hi) / 2).toBeCloseTo(0, 12);
  });
});
