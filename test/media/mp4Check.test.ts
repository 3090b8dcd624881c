import { describe, expect, it } from 'vitest';
import { checkMp4Structure } from '../../src/media/mp4Check.ts';

/** A box: 32-bit size, 4-character type, payload. */
function box(type: string, ...payload: Uint8Array[]): Uint8Array {
  const size = 8 + payload.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, size);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  let at = 8;
  for (const p of payload) (out.set(p, at), (at += p.length));
  return out;
}
const u32s = (...v: number[]) => {
  const out = new Uint8Array(4 * v.length);
  v.forEach((x, i) => new DataView(out.buffer).setUint32(4 * i, x));
  return out;
};
const file = (...boxes: Uint8Array[]) => {
  const all = new Uint8Array(boxes.reduce((s, b) => s + b.length, 0));
  let at = 0;
  for (const b of boxes) (all.set(b, at), (at += b.length));
  return all.buffer;
};
const ftyp = box('ftyp', new TextEncoder().encode('isom'), u32s(0));
// version/flags 0, then the counts and entries.
const stbl = (stsz: Uint8Array) => box('moov', box('trak', box('mdia', box('minf', box('stbl', stsz, box('stts', u32s(0, 1, 3, 512)))))));
const fragment = (flags: number, count: number, entries: number[]) => box('moof', box('traf', box('trun', u32s(flags, count, ...entries))));

describe('MP4 structure checked from box headers', () => {
  it('a well-formed sample table passes (3 samples, sizes listed)', () => {
    expect(() => checkMp4Structure(file(ftyp, stbl(box('stsz', u32s(0, 0, 3, 100, 200, 300)))))).not.toThrow();
    expect(() => checkMp4Structure(file(ftyp, fragment(0x200, 2, [100, 200])))).not.toThrow();
  });

  it('a trun of 10^9 samples with no per-sample bytes is refused by the sample limit', () => {
    expect(() => checkMp4Structure(file(ftyp, fragment(0, 1e9, [])))).toThrow('the file declares 1,000,000,000 samples (in its trun box), over the limit of 1,000,000');
  });

  it('a trun that declares more entries than its bytes hold is refused', () => {
    // flags 0x200: a 4-byte size per sample; 1,000 declared, bytes for 10.
    expect(() => checkMp4Structure(file(ftyp, fragment(0x200, 1000, Array(10).fill(7))))).toThrow('the trun box declares 1,000 samples but holds bytes for 10');
  });

  it('a moov whose stsz declares 10^9 samples of one size is refused', () => {
    expect(() => checkMp4Structure(file(ftyp, stbl(box('stsz', u32s(0, 512, 1e9)))))).toThrow('the file declares 1,000,000,000 samples (in its stsz box), over the limit of 1,000,000');
  });

  it('a box that runs past its parent is refused', () => {
    const bad = box('moov', box('trak'));
    new DataView(bad.buffer).setUint32(8, 4096); // the trak says 4096 bytes inside a 16-byte moov
    expect(() => checkMp4Structure(file(ftyp, bad))).toThrow('the trak box at byte 24 declares 4096 bytes, past the end of its parent') // 16 bytes of ftyp, 8 of the moov header;
  });
});
