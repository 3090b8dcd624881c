/**
 * NumPy .npz archives: a ZIP of .npy files, stored (np.savez) or deflated (np.savez_compressed).
 * The central directory is read here (with ZIP64 sizes and offsets, which NumPy always writes in
 * local headers), every read bounds-checked; deflated members are inflated with fflate's streaming
 * inflater under a running count, synchronously, the same in the browser and in Node.
 */
import { TensorFileError } from './safetensors.ts';
import { Inflate } from 'fflate';
import { readNpy, readNpyHeader, type NpyArray, type NpyHeader } from './npy.ts';
import { LIMITS } from './limits.ts';

interface Entry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

function centralDirectory(bytes: Uint8Array, fileName: string): Entry[] {
  const raw = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Every read is bounds-checked: a damaged or hostile archive gets a message naming the file.
  const view = new Proxy(raw, {
    get(target, prop) {
      const f = Reflect.get(target, prop) as unknown;
      if (typeof f !== 'function') return f;
      return (offset: number, ...rest: unknown[]) => {
        if (!Number.isSafeInteger(offset) || offset < 0 || offset >= target.byteLength)
          throw new TensorFileError(`${fileName}: the ZIP directory points outside the file (offset ${offset} of ${target.byteLength} bytes): damaged or truncated`);
        try {
          return (f as (...a: unknown[]) => unknown).call(target, offset, ...rest);
        } catch {
          throw new TensorFileError(`${fileName}: the ZIP directory points outside the file (offset ${offset} of ${target.byteLength} bytes): damaged or truncated`);
        }
      };
    },
  });
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new TensorFileError(`${fileName}: not a .npz (ZIP) archive, or truncated (no end-of-archive record)`);
  let count = view.getUint16(eocd + 10, true);
  let dirOffset = view.getUint32(eocd + 16, true);
  if (dirOffset === 0xffffffff || count === 0xffff) {
    // ZIP64 end of central directory locator, just before the EOCD record.
    const loc = eocd - 20;
    if (loc < 0 || view.getUint32(loc, true) !== 0x07064b50) throw new TensorFileError(`${fileName}: ZIP64 archive without its locator`);
    const z = Number(view.getBigUint64(loc + 8, true));
    count = Number(view.getBigUint64(z + 32, true));
    dirOffset = Number(view.getBigUint64(z + 48, true));
  }
  const entries: Entry[] = [];
  let p = dirOffset;
  for (let e = 0; e < count; e++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50) throw new TensorFileError(`${fileName}: damaged ZIP central directory`);
    const method = view.getUint16(p + 10, true);
    let compressedSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let localOffset = view.getUint32(p + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extended information: the 0xFFFFFFFF fields, in order size, compressed, offset.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = view.getUint16(x, true);
      const len = view.getUint16(x + 2, true);
      if (id === 0x0001) {
        let q = x + 4;
        if (size === 0xffffffff) (size = Number(view.getBigUint64(q, true))), (q += 8);
        if (compressedSize === 0xffffffff) (compressedSize = Number(view.getBigUint64(q, true))), (q += 8);
        if (localOffset === 0xffffffff) localOffset = Number(view.getBigUint64(q, true));
      }
      x += 4 + len;
    }
    if (entries.some((x) => x.name === name)) throw new TensorFileError(`${fileName}: the archive holds "${name}" twice; refusing to guess which one is meant`);
    entries.push({ name, method, compressedSize, size, localOffset });
    p = xEnd + commentLen;
  }
  return entries;
}

/**
 * Inflates one member (fflate's streaming inflater, synchronous) to exactly the size its
 * directory entry declares, with a running count: a member that inflates past that size (a
 * decompression bomb, or a lying directory) is stopped there, one that falls short is damaged.
 * Chunks are kept as they come: memory follows the real data, never a size the entry merely claims.
 * (fflate's own unzipSync is not used for this: it inflates into a buffer of the declared size and
 * silently drops whatever inflates past it, so a lying directory would import cut data without a word.)
 */
function inflate(data: Uint8Array, declared: number, name: string, stopAt = Infinity): Uint8Array {
  // Inflated straight into one buffer of the declared size (the count stops anything past it):
  // a valid member costs its size once, not twice (chunks, then their concatenation).
  const out = new Uint8Array(Math.min(declared, stopAt));
  let filled = 0;
  const over = new TensorFileError(`${name}: inflates past the ${declared.toLocaleString('en')} bytes its archive entry declares; refusing it (damaged, or a decompression bomb)`);
  const enough = {};
  const inflater = new Inflate((chunk) => {
    if (filled + chunk.length > declared) throw over;
    out.set(chunk.subarray(0, Math.min(chunk.length, out.length - filled)), filled);
    filled += chunk.length;
    if (filled >= stopAt) throw enough;
  });
  try {
    // fflate inflates everything one push gives it before calling back, so the input goes in small
    // pieces: one piece inflates to at most about 1,032 times its size (deflate's limit), 4 MiB here.
    const piece = 4096;
    for (let at = 0; at < data.length || at === 0; at += piece) inflater.push(data.subarray(at, at + piece), at + piece >= data.length);
  } catch (err) {
    if (err === enough) return out;
    if (err === over) throw over;
    throw new TensorFileError(`${name}: compressed data is damaged (${(err as Error).message})`);
  }
  if (filled !== declared && stopAt === Infinity) throw new TensorFileError(`${name}: inflates to ${filled} bytes, its archive entry declares ${declared}: damaged`);
  return out.subarray(0, Math.min(filled, out.length));
}

interface Member {
  name: string;
  raw: Uint8Array;
  method: number;
  size: number;
}

/** The archive's .npy members: where their bytes are and what their entries declare (nothing inflated). */
function members(bytes: Uint8Array, fileName: string): Member[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Member[] = [];
  for (const e of centralDirectory(bytes, fileName)) {
    if (!e.name.endsWith('.npy')) continue;
    const name = e.name.slice(0, -4);
    if (e.localOffset + 30 > bytes.length || view.getUint32(e.localOffset, true) !== 0x04034b50)
      throw new TensorFileError(`${name}: the archive member is damaged or the file is truncated`);
    const start = e.localOffset + 30 + view.getUint16(e.localOffset + 26, true) + view.getUint16(e.localOffset + 28, true);
    if (start + e.compressedSize > bytes.length) throw new TensorFileError(`${name}: data runs past the end of ${fileName}: the file is truncated`);
    if (e.size > LIMITS.memberBytes)
      throw new TensorFileError(`${name}: the archive declares ${e.size.toLocaleString('en')} bytes for it, over the limit of ${LIMITS.memberBytes.toLocaleString('en')} bytes per array`);
    if (e.method !== 0 && e.method !== 8) throw new TensorFileError(`${name}: ZIP compression method ${e.method} is not supported (np.savez and np.savez_compressed are)`);
    out.push({ name, raw: bytes.subarray(start, start + e.compressedSize), method: e.method, size: e.size });
  }
  return out;
}

/** A member's .npy header from its first bytes alone (a deflated member is inflated only that far). */
function memberHeader(m: Member): NpyHeader {
  const first = (n: number) => (m.method === 0 ? m.raw.subarray(0, n) : inflate(m.raw, m.size, m.name, Math.min(n, m.size)));
  try {
    const lead = first(12);
    const length = lead.length >= 10 && lead[6] === 1 ? lead[8] | (lead[9] << 8) : lead.length >= 12 ? new DataView(lead.buffer, lead.byteOffset).getUint32(8, true) : 0;
    return readNpyHeader(first(Math.min(m.size, 12 + length)), m.name);
  } catch (err) {
    throw err instanceof TensorFileError ? err : new TensorFileError((err as Error).message);
  }
}

/** What each member declares, read before any data: its shape and dtype from its .npy header. */
export type NpzHeaders = Map<string, NpyHeader>;

/**
 * Every array of the archive by name (without ".npy"). The members' .npy headers are read first
 * (the first bytes of each member); `check` sees them all before any data is inflated, so an
 * archive of the wrong structure is refused for the price of its headers.
 */
export async function readNpz(bytes: Uint8Array, fileName = 'file.npz', check?: (headers: NpzHeaders) => void): Promise<Map<string, NpyArray>> {
  const list = members(bytes, fileName);
  if (check) check(new Map(list.map((m) => [m.name, memberHeader(m)])));
  const out = new Map<string, NpyArray>();
  for (const m of list) {
    const member = m.method === 0 ? m.raw : inflate(m.raw, m.size, m.name);
    try {
      out.set(m.name, readNpy(member, m.name));
    } catch (err) {
      throw new TensorFileError((err as Error).message);
    }
  }
  return out;
}
