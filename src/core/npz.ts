/**
 * NumPy .npz archives: a ZIP of .npy files, stored (np.savez) or deflated (np.savez_compressed).
 * The central directory is read (with ZIP64 sizes and offsets, which NumPy always writes in local
 * headers), and deflated members are inflated with the platform's DecompressionStream, so the
 * same code runs in the browser and in Node.
 */
import { readNpy, type NpyArray } from './npy.ts';
import { TensorFileError } from './safetensors.ts';

interface Entry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

function centralDirectory(bytes: Uint8Array, fileName: string): Entry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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
    entries.push({ name, method, compressedSize, size, localOffset });
    p = xEnd + commentLen;
  }
  return entries;
}

async function inflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as BlobPart]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Every array of the archive by name (without ".npy"). */
export async function readNpz(bytes: Uint8Array, fileName = 'file.npz'): Promise<Map<string, NpyArray>> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<string, NpyArray>();
  for (const e of centralDirectory(bytes, fileName)) {
    if (!e.name.endsWith('.npy')) continue;
    const name = e.name.slice(0, -4);
    if (e.localOffset + 30 > bytes.length || view.getUint32(e.localOffset, true) !== 0x04034b50)
      throw new TensorFileError(`${name}: the archive member is damaged or the file is truncated`);
    const start = e.localOffset + 30 + view.getUint16(e.localOffset + 26, true) + view.getUint16(e.localOffset + 28, true);
    if (start + e.compressedSize > bytes.length) throw new TensorFileError(`${name}: data runs past the end of ${fileName}: the file is truncated`);
    const raw = bytes.subarray(start, start + e.compressedSize);
    let member: Uint8Array;
    if (e.method === 0) member = raw;
    else if (e.method === 8) {
      try {
        member = await inflate(raw);
      } catch {
        throw new TensorFileError(`${name}: compressed data is damaged`);
      }
    } else throw new TensorFileError(`${name}: ZIP compression method ${e.method} is not supported (np.savez and np.savez_compressed are)`);
    try {
      out.set(name, readNpy(member, name));
    } catch (err) {
      throw new TensorFileError((err as Error).message);
    }
  }
  return out;
}
