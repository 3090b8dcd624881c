/**
 * ZIP archives built byte by byte for tests (stored or deflated members), with the size each
 * entry declares overridable: lying directories and decompression bombs without committed blobs.
 */
import { Deflate } from 'fflate';
import { deflateRawSync } from 'node:zlib';

const enc = new TextEncoder();

/** A ZIP archive (stored or deflated members), with the sizes the central directory declares overridable. */
export function zip(members: { name: string; data: Uint8Array; deflate?: boolean; declaredSize?: number; compressed?: Uint8Array }[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    // `compressed`: a body deflated elsewhere (streamed, for members too large to hold), `data` its first bytes only.
    const body = m.compressed ?? (m.deflate ? new Uint8Array(deflateRawSync(m.data)) : m.data);
    const name = enc.encode(m.name);
    const size = m.declaredSize ?? m.data.length;
    const local = new Uint8Array(30 + name.length + body.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(8, m.deflate ? 8 : 0, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    local.set(body, 30 + name.length);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(10, m.deflate ? 8 : 0, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const dirSize = centrals.reduce((s, c) => s + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, members.length, true);
  ev.setUint16(10, members.length, true);
  ev.setUint32(12, dirSize, true);
  ev.setUint32(16, offset, true);
  const parts = [...locals, ...centrals, eocd];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

/**
 * A .npz of about 1 MB whose one member, doc_embeddings.npy, holds 2,097,152 x 128 float32 zeros
 * (1 GiB once inflated), deflated as a stream (never held whole), with no doc_offsets beside it:
 * valid data in a structure that cannot be a corpus.
 */
export function noOffsetsNpz(): Uint8Array {
  // doc_embeddings: 2,097,152 x 128 float32 zeros (1 GiB), deflated as a stream (never held whole).
  const rows = 2_097_152;
  const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, 128), }`.padEnd(117, ' ') + '\n';
  const head = new Uint8Array(10 + header.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(head.buffer).setUint16(8, header.length, true);
  head.set(new TextEncoder().encode(header), 10);
  const parts: Uint8Array[] = [];
  const deflater = new Deflate({ level: 1 }, (chunk) => parts.push(chunk));
  deflater.push(head);
  const zeros = new Uint8Array(2 ** 20);
  for (let i = 0; i < 1024; i++) deflater.push(zeros, i === 1023);
  const compressed = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  parts.reduce((at, p) => (compressed.set(p, at), at + p.length), 0);
  return zip([{ name: 'doc_embeddings.npy', data: head, compressed, deflate: true, declaredSize: head.length + 2 ** 30 }]);
}
