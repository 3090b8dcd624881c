/**
 * One side (documents or queries) of an imported file read into rows: the arrays found under their
 * names, the sizes they declare checked before any loop, ragged (offsets) or padded (mask, or
 * all-zero rows) layouts, ids, and every vector finite and not all zeros.
 */
import { ImportError } from './importError.ts';
import type { IndexManifest, NamedArrays, Side } from './indexTypes.ts';
import { LIMITS } from './limits.ts';
import type { NpyArray } from './npy.ts';
import { isStorageType, STORAGE } from './storage/stored.ts';

export const FLOAT = new Set(['F32', 'F16', 'BF16', 'F64', '<f4', '<f2', '<f8']);

function stringsOf(na: NamedArrays, key: string): string[] | undefined {
  const arr = na.arrays.get(key);
  if (arr) {
    if (!arr.strings) throw new ImportError(`${key}: expected strings (np.array(ids, dtype=str)), got ${arr.dtype}`);
    return arr.strings;
  }
  const meta = na.metadata[key];
  if (meta === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(meta);
  } catch {
    throw new ImportError(`${key} (metadata): not JSON`);
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new ImportError(`${key} (metadata): expected a JSON array of strings`);
  return v;
}


/** Finds `<prefix>_<field>`, or the bare `<field>` when `bare` is allowed. */
export function field(na: NamedArrays, prefix: string, name: string, bare: boolean): [string, NpyArray | undefined] {
  const key = `${prefix}_${name}`;
  if (na.arrays.has(key)) return [key, na.arrays.get(key)];
  if (bare && na.arrays.has(name)) return [name, na.arrays.get(name)];
  return [key, undefined];
}

/** One side's arrays as found in the file, with the names they were found under. */
interface SideArrays {
  prefix: 'doc' | 'query';
  ek: string;
  emb: NpyArray;
  ok: string;
  off?: NpyArray;
  mk: string;
  mask?: NpyArray;
  words: { one: string; many: string; idPrefix: string };
}

/** Sizes as declared, checked before any loop over them (a 300-byte file can declare 10^10 rows). */
function checkDeclaredSizes(a: SideArrays, packed: boolean): void {
  const { emb, off, ek } = a;
  const limitOf = a.prefix === 'doc' ? LIMITS.documents : LIMITS.queries;
  const dims = emb.shape;
  const rows = dims.length === 3 ? dims[0] : (off?.data.length ?? 1) - 1;
  const vectors = dims.length === 3 ? dims[0] * dims[1] : dims[0];
  const dimension = dims[dims.length - 1];
  if (dims.length >= 2 && (dimension < 1 || dimension > LIMITS.dimension) && !packed)
    throw new ImportError(`${ek}: vectors of dimension ${dimension}; expected 1 to ${LIMITS.dimension.toLocaleString('en')}`);
  if (rows > limitOf) throw new ImportError(`${ek}: ${rows.toLocaleString('en')} ${a.words.many}, over the limit of ${limitOf.toLocaleString('en')}`);
  if (vectors > LIMITS.totalTokens) throw new ImportError(`${ek}: ${vectors.toLocaleString('en')} vectors, over the limit of ${LIMITS.totalTokens.toLocaleString('en')} per import`);
}

/** A 2-D [tokens, d] array split by offsets [documents + 1]. */
function raggedSide(a: SideArrays, d: number): Side {
  const { emb, off, ek, ok, mk } = a;
  if (!off) throw new ImportError(`${ok} is missing: a 2-D ${ek} [tokens, d] needs offsets [documents + 1] (or give ${ek} padded as [documents, length, d] with ${mk})`);
  if (off.shape.length !== 1 || off.data instanceof Float32Array)
    throw new ImportError(`${ok}: expected a 1-D integer array, got ${off.dtype} of shape (${off.shape.join(', ')})`);
  const total = emb.shape[0];
  const o = off.data;
  if (o.length < 2 || o[0] !== 0 || o[o.length - 1] !== total)
    throw new ImportError(`${ok}: must start at 0 and end at ${total} (the rows of ${ek}), got ${o[0]} .. ${o[o.length - 1]}`);
  for (let i = 1; i < o.length; i++) if (o[i] < o[i - 1]) throw new ImportError(`${ok}: must not decrease (entry ${i}: ${o[i]} < ${o[i - 1]})`);
  const count = o.length - 1;
  const parts = Array.from({ length: count }, (_, i) => ({ id: '', n: o[i + 1] - o[i], data: new Float32Array(0), start: o[i] }));
  return { prefix: a.prefix, count, d, layout: 'ragged', dtype: emb.dtype, parts };
}

/** A 3-D [documents, length, d] array: the rows the mask keeps (or, without one, the rows not all zero). */
function paddedSide(a: SideArrays, notes: string[]): Side {
  const { emb, off, mask, ek, ok, mk } = a;
  const [count, len, d] = emb.shape;
  if (off) notes.push(`${ok} ignored: ${ek} is padded`);
  const data = emb.data as Float32Array;
  if (mask && (mask.shape.length !== 2 || mask.shape[0] !== count || mask.shape[1] !== len))
    throw new ImportError(`${mk}: expected shape (${count}, ${len}) to match ${ek} (${emb.shape.join(', ')}), got (${mask.shape.join(', ')})`);
  if (!mask) notes.push(`no ${mk}: all-zero rows of ${ek} were taken as padding`);
  const real = (row: number) => {
    if (mask) return mask.data[row] !== 0;
    for (let k = 0; k < d; k++) if (data[row * d + k] !== 0) return true;
    return false;
  };
  const parts = Array.from({ length: count }, (_, i) => {
    const kept: number[] = [];
    for (let t = 0; t < len; t++) if (real(i * len + t)) kept.push(t);
    return { id: '', n: kept.length, data: new Float32Array(0), start: i * len, kept: Int32Array.from(kept) };
  });
  return { prefix: a.prefix, count, d, layout: 'padded', dtype: emb.dtype, parts };
}

/** Names every part (its id, or prefix + index without ids) and refuses a part with no tokens. */
function nameParts(na: NamedArrays, a: SideArrays, side: Side, bare: boolean, notes: string[]): void {
  const has = (k: string) => na.arrays.has(k) || na.metadata[k] !== undefined;
  const idsKey = !has(`${a.prefix}_ids`) && bare && has('ids') ? 'ids' : `${a.prefix}_ids`;
  const ids = stringsOf(na, idsKey);
  const { one, many, idPrefix } = a.words;
  if (ids && ids.length !== side.count) throw new ImportError(`${idsKey}: ${ids.length} ids for ${side.count} ${many}`);
  if (ids) {
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) throw new ImportError(`${idsKey}: "${id}" appears more than once`);
      seen.add(id);
    }
  } else notes.push(`no ${idsKey}: ${many} are named ${idPrefix}0, ${idPrefix}1, ...`);
  side.parts.forEach((p, i) => {
    p.id = ids?.[i] ?? `${idPrefix}${i}`;
    if (p.n === 0) {
      const what = `${one} ${i} ("${p.id}")`;
      if (side.layout === 'ragged') throw new ImportError(`${a.ok}: ${what} has no tokens`);
      throw new ImportError(a.mask ? `${a.mk}: ${what} has no tokens` : `${a.ek}: ${what} is all zeros (taken as padding, so it has no tokens)`);
    }
  });
}

/**
 * Each part's vectors (a view of a ragged array, a gathered copy of a padded one), every value
 * finite, and at least one vector not all zeros: a zero vector has no direction, so a document of
 * them matches nothing (cosine undefined) and would make every compression method divide by zero.
 */
function gatherVectors(a: SideArrays, side: Side): void {
  const d = side.d;
  const all = a.emb.data as Float32Array;
  for (const [i, p] of side.parts.entries()) {
    if (p.kept) {
      const out = new Float32Array(p.n * d);
      p.kept.forEach((t, r) => out.set(all.subarray((p.start + t) * d, (p.start + t + 1) * d), r * d));
      p.data = out;
    } else p.data = all.subarray(p.start * d, (p.start + p.n) * d);
    let nonzero = false;
    for (let v = 0; v < p.data.length; v++) {
      if (!Number.isFinite(p.data[v])) throw new ImportError(`${a.ek}: ${a.words.one} ${i} ("${p.id}") token ${Math.floor(v / d)} has a non-finite value (${p.data[v]})`);
      nonzero ||= p.data[v] !== 0;
    }
    if (!nonzero) throw new ImportError(`${a.ek}: ${a.words.one} ${i} ("${p.id}") has only zero vectors (${p.n} x ${d}); a zero vector has no direction to match`);
  }
}

export function readSide(na: NamedArrays, prefix: 'doc' | 'query', bare: boolean, notes: string[], manifest?: IndexManifest): Side | undefined {
  const [ek, emb] = field(na, prefix, 'embeddings', bare);
  const [ok, off] = field(na, prefix, 'offsets', bare);
  const [mk, mask] = field(na, prefix, 'mask', bare);
  if (!emb) {
    if (off || mask) throw new ImportError(`${ek} is missing (the file has ${ok}${mask ? ` / ${mk}` : ''})`);
    return undefined;
  }
  const words = prefix === 'doc' ? { one: 'document', many: 'documents', idPrefix: 'doc-' } : { one: 'query', many: 'queries', idPrefix: 'q-' };
  const a: SideArrays = { prefix, ek, emb, ok, off, mk, mask, words };
  const manifestStorage = prefix === 'doc' ? manifest?.storage : undefined;
  const codec = manifestStorage !== undefined && isStorageType(manifestStorage) ? STORAGE[manifestStorage] : undefined;
  /** Stored values that are not floats (int8, binary): read as the storage type decodes them. */
  const quantised = codec !== undefined && !FLOAT.has(codec.dtype);
  /** Rows that are not d values (binary's words): d comes from the manifest. */
  const packed = codec !== undefined && codec.width(manifest!.dimension) !== manifest!.dimension;
  if (!FLOAT.has(emb.dtype) && !quantised) throw new ImportError(`${ek}: dtype ${emb.dtype} is not supported; expected float32, float16, bfloat16 or float64`);
  checkDeclaredSizes(a, packed);
  if (emb.shape.length !== 2 && emb.shape.length !== 3)
    throw new ImportError(`${ek}: expected 2-D [tokens, d] (with ${ok}) or 3-D [documents, length, d] (with ${mk}), got shape (${emb.shape.join(', ')})`);
  if (emb.shape.length === 3 && quantised) throw new ImportError(`${ek}: a quantised index must be ragged`);
  const side = emb.shape.length === 2 ? raggedSide(a, packed ? manifest!.dimension : emb.shape[1]) : paddedSide(a, notes);
  nameParts(na, a, side, bare, notes);
  if (!quantised) gatherVectors(a, side);
  return side;
}

