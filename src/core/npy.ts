/**
 * NumPy .npy files (format versions 1.0, 2.0 and 3.0), read and written from bytes so the same
 * code runs in the browser and in Node. Reads little-endian float32, float16, float64, int32,
 * int64, uint8 and bool arrays in C order (floats come back as Float32Array, integers as
 * Int32Array); writes float32 and int32. Spec: numpy.lib.format.
 */
import { float16ToFloat32 } from './float16.ts';
import { checkedCount } from './limits.ts';

export interface NpyArray {
  shape: number[];
  /** The dtype as stored in the file, e.g. "<f4". */
  dtype: string;
  data: Float32Array | Int32Array;
  /** Unicode ("<U") and byte ("|S") string arrays: the values, and data is empty. */
  strings?: string[];
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

export class NpyError extends Error {
  override name = 'NpyError';
}

/** What a .npy header says: the dtype, the shape, the element count and where the data starts. */
export interface NpyHeader {
  descr: string;
  shape: number[];
  count: number;
  /** Byte offset of the data after the header. */
  body: number;
}

/** Reads and checks the header alone (the first bytes of the file): nothing of the data is touched. */
export function readNpyHeader(bytes: Uint8Array, name = 'array'): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw new NpyError(`${name}: not a NumPy .npy file (missing the \\x93NUMPY magic)`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let offset: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    offset = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyError(`${name}: truncated .npy header`);
    headerLen = view.getUint32(8, true);
    offset = 12;
  } else {
    throw new NpyError(`${name}: unsupported .npy format version ${major}.${bytes[7]}`);
  }
  if (offset + headerLen > bytes.length) throw new NpyError(`${name}: truncated .npy header`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(offset, offset + headerLen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new NpyError(`${name}: malformed .npy header: ${header.trim()}`);
  if (fortran === 'True') throw new NpyError(`${name}: Fortran-order arrays are not supported; save with np.ascontiguousarray`);
  const shape = parseShape(shapeText, name);
  try {
    return { descr, shape, count: checkedCount(name, shape), body: offset + headerLen };
  } catch (err) {
    throw new NpyError((err as Error).message);
  }
}

/** The shape tuple's dimensions; Python 2 wrote long integers with an L suffix ("(2L,)"), which NumPy still reads. */
function parseShape(text: string, name: string): number[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const v = /^\d+L?$/.test(s) ? Number(s.replace(/L$/, '')) : NaN;
      if (!Number.isSafeInteger(v)) throw new NpyError(`${name}: the shape has a dimension "${s}"; dimensions must be whole numbers >= 0`);
      return v;
    });
}

/** Fixed-width strings: <U (UTF-32) or |S (bytes), each ending at its first NUL. */
function readStrings(bytes: Uint8Array, h: NpyHeader, kind: string, chars: number, name: string): string[] {
  const width = chars * (kind === '<U' ? 4 : 1);
  const { body, count } = h;
  if (bytes.length - body < count * width) throw new NpyError(`${name}: truncated data: ${count} strings of ${width} bytes need ${count * width} bytes, file has ${bytes.length - body}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset + body, count * width);
  const strings: string[] = [];
  for (let i = 0; i < count; i++) {
    let text = '';
    if (kind === '<U') {
      for (let c = 0; c < width / 4; c++) {
        const cp = dv.getUint32(i * width + c * 4, true);
        if (cp === 0) break;
        text += String.fromCodePoint(cp);
      }
    } else {
      const raw = bytes.subarray(body + i * width, body + (i + 1) * width);
      const end = raw.indexOf(0);
      text = new TextDecoder().decode(end < 0 ? raw : raw.subarray(0, end));
    }
    strings.push(text);
  }
  return strings;
}

/** Each numeric dtype: its bytes per element, whether it is read into floats, and its loop (one per type, so each stays monomorphic on large arrays). */
const NUMERIC: Record<string, { size: number; float: boolean; fill(dv: DataView, out: Float32Array | Int32Array, name: string): void }> = {
  '<f4': { size: 4, float: true, fill: (dv, out) => { for (let i = 0; i < out.length; i++) out[i] = dv.getFloat32(i * 4, true); } },
  '<f2': { size: 2, float: true, fill: (dv, out) => { for (let i = 0; i < out.length; i++) out[i] = float16ToFloat32(dv.getUint16(i * 2, true)); } },
  '<f8': { size: 8, float: true, fill: (dv, out) => { for (let i = 0; i < out.length; i++) out[i] = dv.getFloat64(i * 8, true); } },
  '<i4': { size: 4, float: false, fill: (dv, out) => { for (let i = 0; i < out.length; i++) out[i] = dv.getInt32(i * 4, true); } },
  '<i8': {
    size: 8,
    float: false,
    fill(dv, out, name) {
      for (let i = 0; i < out.length; i++) {
        const v = dv.getBigInt64(i * 8, true);
        if (v > 2147483647n || v < -2147483648n) throw new NpyError(`${name}: int64 value ${v} at index ${i} does not fit in int32`);
        out[i] = Number(v);
      }
    },
  },
  '|i1': { size: 1, float: false, fill: (dv, out) => { for (let i = 0; i < out.length; i++) out[i] = dv.getInt8(i); } },
  '|u1': { size: 1, float: false, fill: (dv, out) => { for (let i = 0; i < out.length; i++) out[i] = dv.getUint8(i); } },
  '|b1': { size: 1, float: false, fill: (dv, out) => { for (let i = 0; i < out.length; i++) out[i] = dv.getUint8(i); } },
};

export function readNpy(bytes: Uint8Array, name = 'array'): NpyArray {
  const h = readNpyHeader(bytes, name);
  const { descr, shape, count, body } = h;
  const str = /^(<U|\|S)(\d+)$/.exec(descr);
  if (str) return { shape, dtype: descr, data: new Int32Array(0), strings: readStrings(bytes, h, str[1], Number(str[2]), name) };
  if (descr === '|O') throw new NpyError(`${name}: object arrays (pickled Python objects) cannot be read; save strings with np.array(ids, dtype=str)`);
  const type = NUMERIC[descr];
  if (type === undefined) throw new NpyError(`${name}: dtype ${descr} is not supported (use little-endian float32, float16, float64, int32 or int64)`);
  if (bytes.length - body < count * type.size)
    throw new NpyError(`${name}: truncated data: shape (${shape.join(', ')}) needs ${count * type.size} bytes, file has ${bytes.length - body}`);
  // Little-endian float32 on a little-endian machine, aligned (NumPy pads headers to 64 bytes): the
  // bytes are the array already, so it is a view, not a copy (a 1 GiB member costs 1 GiB, not 2).
  if (descr === '<f4' && LITTLE_ENDIAN && (bytes.byteOffset + body) % 4 === 0) return { shape, dtype: descr, data: new Float32Array(bytes.buffer, bytes.byteOffset + body, count) };
  const dv = new DataView(bytes.buffer, bytes.byteOffset + body, count * type.size);
  const data = type.float ? new Float32Array(count) : new Int32Array(count);
  type.fill(dv, data, name);
  return { shape, dtype: descr, data };
}

/** A version 1.0 .npy file of a float32 ("<f4") or int32 ("<i4") array in C order. */
export function writeNpy(data: Float32Array | Int32Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new NpyError(`shape (${shape.join(', ')}) holds ${count} values, data has ${data.length}`);
  const descr = data instanceof Float32Array ? '<f4' : '<i4';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad with spaces so the data starts at a multiple of 64 bytes, newline-terminated (the spec).
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const dv = new DataView(out.buffer, total);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) dv.setFloat32(i * 4, data[i], true);
    else dv.setInt32(i * 4, data[i], true);
  }
  return out;
}
