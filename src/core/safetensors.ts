/**
 * safetensors (https://github.com/huggingface/safetensors): an 8-byte little-endian header length
 * N, N bytes of JSON ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string:
 * string}}), then the raw little-endian tensor bytes. Read from bytes (browser and Node alike);
 * floats come back as Float32Array (F16 and BF16 widened exactly, F64 narrowed), integers as
 * Int32Array. Written for the index export.
 */
import { float16ToFloat32 } from './float16.ts';
import { checkedCount } from './limits.ts';
import type { NpyArray } from './npy.ts';

export class TensorFileError extends Error {
  override name = 'TensorFileError';
}

export interface TensorFile {
  tensors: Map<string, NpyArray>;
  metadata: Record<string, string>;
}

const SIZES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, U16: 2, U32: 4, BOOL: 1 };

export function readSafetensors(bytes: Uint8Array, fileName = 'file'): TensorFile {
  if (bytes.length < 8) throw new TensorFileError(`${fileName}: too short to be a safetensors file (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > bytes.length - 8 || headerLen > 100_000_000)
    throw new TensorFileError(`${fileName}: header length ${headerLen} exceeds the file (${bytes.length} bytes): not a safetensors file, or truncated`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen)));
  } catch {
    throw new TensorFileError(`${fileName}: the header is not JSON: not a safetensors file`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new TensorFileError(`${fileName}: the header is not a JSON object`);
  const repeated = repeatedTopLevelKey(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen)));
  if (repeated !== undefined) throw new TensorFileError(`${fileName}: the header names "${repeated}" twice; refusing to guess which one is meant`);
  const base = 8 + headerLen;
  const dataBytes = bytes.length - base;
  const tensors = new Map<string, NpyArray>();
  let metadata: Record<string, string> = {};
  // The whole header is checked before any tensor is decoded (allocated): types, ranges, overlaps.
  const planned: { name: string; dtype: string; shape: number[]; begin: number; end: number; count: number }[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof info !== 'object' || info === null || Array.isArray(info) || Object.values(info).some((v) => typeof v !== 'string'))
        throw new TensorFileError(`${fileName}: __metadata__ must be an object of strings`);
      metadata = info as Record<string, string>;
      continue;
    }
    const t = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!t || typeof t.dtype !== 'string' || !Array.isArray(t.shape) || !Array.isArray(t.data_offsets))
      throw new TensorFileError(`${fileName}: tensor "${name}" has no dtype, shape or data_offsets`);
    const size = SIZES[t.dtype];
    if (!size) throw new TensorFileError(`${name}: dtype ${t.dtype} is not supported (use F32, F16, BF16, F64 or an integer type)`);
    let count: number;
    try {
      count = checkedCount(`${fileName}: ${name}`, t.shape);
    } catch (err) {
      throw new TensorFileError((err as Error).message);
    }
    const offsets = t.data_offsets;
    if (offsets.length !== 2 || !offsets.every((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0))
      throw new TensorFileError(`${fileName}: ${name}: data_offsets must be two whole numbers >= 0, got ${JSON.stringify(offsets)}`);
    const [begin, end] = offsets as [number, number];
    if (begin > end) throw new TensorFileError(`${fileName}: ${name}: data_offsets [${begin}, ${end}] end before they begin`);
    if (end - begin !== count * size)
      throw new TensorFileError(`${name}: shape (${t.shape.join(', ')}) of ${t.dtype} needs ${count * size} bytes, data_offsets give ${end - begin}`);
    if (end > dataBytes)
      throw new TensorFileError(`${fileName}: ${name}: data ends at byte ${base + end} but the file has ${bytes.length}: the file is truncated`);
    planned.push({ name, dtype: t.dtype, shape: t.shape as number[], begin, end, count });
  }
  const sorted = [...planned].sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i].begin < sorted[i - 1].end && sorted[i].end > sorted[i].begin)
      throw new TensorFileError(`${fileName}: tensors ${sorted[i - 1].name} and ${sorted[i].name} overlap (bytes ${sorted[i].begin} to ${Math.min(sorted[i].end, sorted[i - 1].end)})`);
  for (const p of planned) {
    const dv = new DataView(bytes.buffer, bytes.byteOffset + base + p.begin, p.end - p.begin);
    tensors.set(p.name, { shape: p.shape, dtype: p.dtype, data: decode(dv, p.dtype, p.count, p.name) });
  }
  return { tensors, metadata };
}

/**
 * The first key that appears twice at the top level of a JSON object text (JSON.parse silently
 * keeps the last one), or undefined. The text is known to parse.
 */
function repeatedTopLevelKey(text: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && /^\s*:/.test(text.slice(j + 1, j + 40))) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
      }
      i = j;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return undefined;
}

function decode(dv: DataView, dtype: string, count: number, name: string): Float32Array | Int32Array {
  switch (dtype) {
    case 'F32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getFloat32(i * 4, true);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = float16ToFloat32(dv.getUint16(i * 2, true));
      return out;
    }
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const out = new Float32Array(count);
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) u[i] = dv.getUint16(i * 2, true) << 16;
      return out;
    }
    case 'F64': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getFloat64(i * 8, true);
      return out;
    }
    case 'I64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = dv.getBigInt64(i * 8, true);
        if (v > 2147483647n || v < -2147483648n) throw new TensorFileError(`${name}: int64 value ${v} at index ${i} does not fit in int32`);
        out[i] = Number(v);
      }
      return out;
    }
    case 'U32': {
      // Kept as raw 32-bit words (binary vectors): Int32Array shares the bits.
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getInt32(i * 4, true);
      return out;
    }
    default: {
      const out = new Int32Array(count);
      const get = { I32: (i: number) => dv.getInt32(i * 4, true), I16: (i: number) => dv.getInt16(i * 2, true), U16: (i: number) => dv.getUint16(i * 2, true), I8: (i: number) => dv.getInt8(i), U8: (i: number) => dv.getUint8(i), BOOL: (i: number) => dv.getUint8(i) }[dtype]!;
      for (let i = 0; i < count; i++) out[i] = get(i);
      return out;
    }
  }
}

export type WritableTensor =
  | { dtype: 'F32'; shape: number[]; data: Float32Array }
  | { dtype: 'F16' | 'U16'; shape: number[]; data: Uint16Array }
  | { dtype: 'I32'; shape: number[]; data: Int32Array }
  | { dtype: 'I8'; shape: number[]; data: Int8Array }
  | { dtype: 'U8'; shape: number[]; data: Uint8Array }
  | { dtype: 'U32'; shape: number[]; data: Uint32Array };

/**
 * A safetensors file; tensors are laid out in the given order with no gaps (the format allows
 * none), so put the widest dtypes first to keep every tensor aligned to its element size.
 */
export function writeSafetensors(tensors: Record<string, WritableTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  const parts: [number, Uint8Array][] = [];
  for (const [name, t] of Object.entries(tensors)) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new TensorFileError(`${name}: shape (${t.shape.join(', ')}) holds ${count} values, data has ${t.data.length}`);
    const raw = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength); // little-endian hosts
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + raw.length] };
    parts.push([offset, raw]);
    offset += raw.length;
  }
  // Pad the UTF-8 header with spaces so the data starts 8-byte aligned.
  const raw = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = new Uint8Array(Math.ceil((8 + raw.length) / 8) * 8 - 8).fill(0x20);
  headerBytes.set(raw);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  for (const [o, raw] of parts) out.set(raw, 8 + headerBytes.length + o);
  return out;
}
