/**
 * An MP4/MOV file's structure checked from its box headers before mp4box reads it: the sample
 * tables may not declare more entries than their bytes hold, nor more samples in all than
 * LIMITS.videoSamples. A 9 KB file whose `trun` declares 10^9 samples made mp4box allocate over
 * 3 GB; it is now refused in microseconds, the box and the figure named.
 */
import { LIMITS } from '../core/limits.ts';
import { VideoFileError } from './videoErrors.ts';

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'moof', 'traf', 'mvex', 'edts', 'dinf']);

/** Bytes per `trun` sample entry: 4 for each of duration, size, flags and composition offset present. */
const trunEntryBytes = (flags: number) => [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length * 4;

interface Box {
  type: string;
  /** Offset of the box's payload (after the header) and of its end. */
  body: number;
  end: number;
}

function* boxes(view: DataView, from: number, to: number): Generator<Box> {
  for (let at = from; at + 8 <= to; ) {
    let size = view.getUint32(at);
    const type = String.fromCharCode(view.getUint8(at + 4), view.getUint8(at + 5), view.getUint8(at + 6), view.getUint8(at + 7));
    let body = at + 8;
    if (size === 1) {
      if (at + 16 > to) throw new VideoFileError(`the ${type} box at byte ${at} is cut off`);
      size = Number(view.getBigUint64(at + 8));
      body = at + 16;
    } else if (size === 0) size = to - at; // to the end of its parent
    if (size < body - at || at + size > to) throw new VideoFileError(`the ${type} box at byte ${at} declares ${size} bytes, past the end of its parent`);
    yield { type, body, end: at + size };
    at += size;
  }
}

/** Entries a table box declares, checked against its bytes; returns the samples it adds (0 for tables of other things). */
function tableSamples(view: DataView, box: Box): number {
  const u32 = (o: number) => (box.body + o + 4 <= box.end ? view.getUint32(box.body + o) : NaN);
  const fits = (count: number, at: number, each: number, what: string) => {
    if (!Number.isFinite(count)) throw new VideoFileError(`the ${box.type} box is cut off`);
    if (each > 0 && count * each > box.end - (box.body + at)) throw new VideoFileError(`the ${box.type} box declares ${count.toLocaleString('en')} ${what} but holds bytes for ${Math.floor((box.end - box.body - at) / each).toLocaleString('en')}`);
  };
  switch (box.type) {
    case 'trun': {
      const flags = u32(0) & 0xffffff;
      const count = u32(4);
      const header = 8 + (flags & 0x1 ? 4 : 0) + (flags & 0x4 ? 4 : 0);
      fits(count, header, trunEntryBytes(flags), 'samples');
      return count;
    }
    case 'stsz': {
      const count = u32(8);
      fits(count, 12, u32(4) === 0 ? 4 : 0, 'sample sizes');
      return count;
    }
    case 'stts':
    case 'ctts':
    case 'stsc':
    case 'stco':
    case 'co64':
    case 'stss': {
      const each = { stts: 8, ctts: 8, stsc: 12, stco: 4, co64: 8, stss: 4 }[box.type];
      fits(u32(4), 8, each, 'entries');
      return 0;
    }
  }
  return 0;
}

/** Walks the boxes (containers to a depth of 8) and checks every sample table; throws VideoFileError. */
export function checkMp4Structure(buffer: ArrayBuffer): void {
  const view = new DataView(buffer);
  let samples = 0;
  const walk = (from: number, to: number, depth: number) => {
    for (const box of boxes(view, from, to)) {
      if (CONTAINERS.has(box.type) && depth < 8) walk(box.body, box.end, depth + 1);
      samples += tableSamples(view, box);
      if (samples > LIMITS.videoSamples)
        throw new VideoFileError(`the file declares ${samples.toLocaleString('en')} samples (in its ${box.type} box), over the limit of ${LIMITS.videoSamples.toLocaleString('en')}`);
    }
  };
  walk(0, buffer.byteLength, 0);
}
