import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../src/demo/png.ts';

describe('encodePng', () => {
  it('writes chunks with valid CRCs and an IDAT that inflates to the filtered scanlines', () => {
    const w = 300; // > 65,535 bytes of scanlines: several stored blocks
    const h = 70;
    const rgba = Uint8Array.from({ length: w * h * 4 }, (_, i) => (i * 37) & 0xff);
    const png = encodePng(rgba, w, h);
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer);
    const chunks: Record<string, Uint8Array> = {};
    for (let o = 8; o < png.length; ) {
      const len = view.getUint32(o);
      const type = String.fromCharCode(...png.subarray(o + 4, o + 8));
      expect(view.getUint32(o + 8 + len)).toBe(crc32(png.subarray(o + 4, o + 8 + len)));
      chunks[type] = png.subarray(o + 8, o + 8 + len);
      o += 12 + len;
    }
    expect(Object.keys(chunks)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(new DataView(chunks.IHDR.buffer, chunks.IHDR.byteOffset).getUint32(0)).toBe(w);
    const raw = inflateSync(chunks.IDAT);
    expect(raw.length).toBe(h * (1 + w * 4));
    for (const y of [0, 33, h - 1]) {
      expect(raw[y * (1 + w * 4)]).toBe(0);
      expect(Array.from(raw.subarray(y * (1 + w * 4) + 1, (y + 1) * (1 + w * 4)))).toEqual(Array.from(rgba.subarray(y * w * 4, (y + 1) * w * 4)));
    }
  });
});
