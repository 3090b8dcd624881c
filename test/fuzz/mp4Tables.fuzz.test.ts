/**
 * MP4 sample tables generated with any counts, flags and byte lengths (`npm run fuzz` runs 3,000
 * cases, `npm test` 150): checkMp4Structure accepts exactly the files whose every table holds the
 * bytes its count needs and whose samples stay within the limit, computed here from the generator's
 * own numbers, and refuses the rest with a VideoFileError, never another error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/core/limits.ts';
import { checkMp4Structure } from '../../src/media/mp4Check.ts';
import { VideoFileError } from '../../src/media/videoErrors.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

function box(type: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  new DataView(out.buffer).setUint32(0, out.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(payload, 8);
  return out;
}
const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
};
const words = (...v: number[]) => {
  const out = new Uint8Array(4 * v.length);
  v.forEach((x, i) => new DataView(out.buffer).setUint32(4 * i, x >>> 0));
  return out;
};

/** One table: its type, the count it declares, and how many entries' bytes it really holds. */
const table = fc.oneof(
  fc.record({ type: fc.constant('trun'), flags: fc.constantFrom(0, 0x1, 0x4, 0x100, 0x200, 0x201, 0x700, 0xf05), count: fc.oneof(fc.nat(40), fc.constantFrom(1e6, 1e6 + 1, 1e9, 2 ** 32 - 1)), held: fc.nat(40) }),
  fc.record({ type: fc.constant('stsz'), flags: fc.constantFrom(0, 512), count: fc.oneof(fc.nat(40), fc.constantFrom(1e6, 1e6 + 1, 1e9)), held: fc.nat(40) }),
  fc.record({ type: fc.constantFrom('stts', 'ctts', 'stsc', 'stco', 'co64', 'stss'), flags: fc.constant(0), count: fc.oneof(fc.nat(40), fc.constant(1e9)), held: fc.nat(40) }),
);
type Table = { type: string; flags: number; count: number; held: number };

const ENTRY: Record<string, number> = { stts: 8, ctts: 8, stsc: 12, stco: 4, co64: 8, stss: 4 };
/** Bytes per entry and the header before the entries, as the format (ISO/IEC 14496-12) lays them out. */
function layout(t: Table): { entry: number; header: number[] } {
  if (t.type === 'trun') {
    const entry = [0x100, 0x200, 0x400, 0x800].filter((f) => t.flags & f).length * 4;
    return { entry, header: [t.flags, t.count, ...(t.flags & 0x1 ? [0] : []), ...(t.flags & 0x4 ? [0] : [])] };
  }
  // stsz: flags here stand for the constant sample size (0: a size per sample follows).
  if (t.type === 'stsz') return { entry: t.flags === 0 ? 4 : 0, header: [0, t.flags, t.count] };
  return { entry: ENTRY[t.type], header: [0, t.count] };
}

function tableBox(t: Table): Uint8Array {
  const { entry, header } = layout(t);
  return box(t.type, concat([words(...header), new Uint8Array(t.held * entry)]));
}

/** What the format allows: every table's entries fit its bytes, and the samples (trun, stsz) stay within the limit. */
function acceptable(tables: Table[]): boolean {
  let samples = 0;
  for (const t of tables) {
    const { entry } = layout(t);
    if (entry > 0 && t.count > t.held) return false;
    if (t.type === 'trun' || t.type === 'stsz') samples += t.count;
    if (samples > LIMITS.videoSamples) return false;
  }
  return true;
}

describe('fuzzing MP4 sample tables', () => {
  it('accepted exactly when every table holds its entries and the samples are within the limit; else a VideoFileError', () => {
    fc.assert(
      fc.property(fc.array(table, { minLength: 1, maxLength: 5 }), fc.boolean(), (tables, fragmented) => {
        const inner = concat(tables.map(tableBox));
        const body = fragmented ? box('moof', box('traf', inner)) : box('moov', box('trak', box('mdia', box('minf', box('stbl', inner)))));
        const file = concat([box('ftyp', new TextEncoder().encode('isom\0\0\0\0')), body]);
        let accepted: boolean;
        try {
          checkMp4Structure(file.buffer);
          accepted = true;
        } catch (e) {
          if (!(e instanceof VideoFileError)) throw e;
          accepted = false;
        }
        expect(accepted).toBe(acceptable(tables));
      }),
      { numRuns: RUNS, seed: 11 },
    );
  });
});
