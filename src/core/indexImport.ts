/**
 * Reading an index that exportIndex.ts wrote: its manifest, its vectors as stored (fp32, fp16,
 * int8 with scales, binary words), and a residual index (res2, res1), whose residual_* arrays are
 * checked against the manifest and each other, then decoded to the vectors they stand for
 * (importer.ts reads the result like an fp32 file).
 */
import type { IndexManifest, NamedArrays, Side } from './indexTypes.ts';
import { RESIDUAL, STORAGE, type ResidualType } from './storage/registry.ts';
import type { StoredCorpus } from './storage/stored.ts';
import { ImportError } from './importError.ts';
import { LIMITS } from './limits.ts';
import type { NpyArray } from './npy.ts';
import { decodeResidual } from './residual.ts';

export const RESIDUAL_ARRAYS = ['residual_codes', 'residual_bits', 'residual_centroids', 'residual_cutoffs', 'residual_weights'] as const;

/**
 * The vectors a residual index (exportIndex.ts, residualIndexFiles) stands for, as an F32 array of
 * N x d: every array checked against the manifest and each other first (shapes, centroid ids in
 * range, finite values), so a damaged file is refused with the array named, never decoded wrong.
 */
export function decodeResidualArrays(na: NamedArrays, manifest: IndexManifest): NpyArray {
  const info = manifest.residual;
  const want = RESIDUAL[manifest.storage as ResidualType].bits;
  if (!info || info.bits !== want) throw new ImportError(`manifest: a ${manifest.storage} index needs residual.bits = ${want}`);
  const d = manifest.dimension;
  if (!Number.isInteger(d) || d < 1 || d > LIMITS.dimension) throw new ImportError(`manifest: dimension ${d} is not a whole number from 1 to ${LIMITS.dimension}`);
  const get = (name: (typeof RESIDUAL_ARRAYS)[number], dtype: string, shape: number[]) => {
    const a = na.arrays.get(name);
    if (!a) throw new ImportError(`${name} is missing: a ${manifest.storage} index needs ${RESIDUAL_ARRAYS.join(', ')}`);
    if (a.dtype !== dtype) throw new ImportError(`${name}: expected ${dtype}, got ${a.dtype}`);
    if (a.shape.length !== shape.length || a.shape.some((x, i) => shape[i] >= 0 && x !== shape[i]))
      throw new ImportError(`${name}: expected shape (${shape.map((x) => (x < 0 ? 'N' : x)).join(', ')}), got (${a.shape.join(', ')})`);
    return a;
  };
  const levels = 2 ** info.bits;
  const cutoffs = get('residual_cutoffs', 'F32', [levels - 1]);
  const weights = get('residual_weights', 'F32', [levels]);
  const centroids = get('residual_centroids', 'F16', [-1, d]);
  const k = centroids.shape[0];
  const codes = get('residual_codes', 'U16', [-1]);
  const n = codes.shape[0];
  const bits = get('residual_bits', 'U8', [n, Math.ceil((d * info.bits) / 8)]);
  if (n !== manifest.vectors) throw new ImportError(`residual_codes: ${n} vectors, the manifest says ${manifest.vectors}`);
  if (k < 1 || k !== info.centroids) throw new ImportError(`residual_centroids: ${k} centroids, the manifest says ${info.centroids}`);
  for (const [name, a] of [['residual_weights', weights], ['residual_cutoffs', cutoffs], ['residual_centroids', centroids]] as const)
    for (let i = 0; i < a.data.length; i++) if (!Number.isFinite(a.data[i])) throw new ImportError(`${name}: value ${i} is ${a.data[i]}; values must be finite`);
  for (let i = 0; i < n; i++) if (codes.data[i] >= k) throw new ImportError(`residual_codes: vector ${i} names centroid ${codes.data[i]}, but there are ${k}`);
  const decoded = decodeResidual({
    ids: [], d, offsets: new Int32Array(0), bits: info.bits, k,
    centroids: Float32Array.from(centroids.data), codes: Uint16Array.from(codes.data), residuals: Uint8Array.from(bits.data),
    cutoffs: Float32Array.from(cutoffs.data), weights: Float32Array.from(weights.data), renormalise: info.renormalise === true,
  });
  return { dtype: 'F32', shape: [n, d], data: decoded.data } as NpyArray;
}

export function parseManifest(text: string): IndexManifest {
  let m: IndexManifest;
  try {
    m = JSON.parse(text);
  } catch {
    throw new ImportError('manifest (metadata): not JSON');
  }
  if (m.format !== 'mvc-index') throw new ImportError(`manifest (metadata): format "${m.format}" is not "mvc-index"`);
  return m;
}

export function storedFromFile(na: NamedArrays, manifest: IndexManifest, side: Side, emb: NpyArray, ek: string): StoredCorpus {
  const storage = manifest.storage as StoredCorpus['storage'];
  const offsets = Int32Array.from([...side.parts.map((p) => p.start), side.parts.length ? side.parts[side.parts.length - 1].start + side.parts[side.parts.length - 1].n : 0]);
  const ids = side.parts.map((p) => p.id);
  const d = manifest.dimension;
  const base = { storage, ids, d, offsets };
  const codec = STORAGE[storage];
  if (emb.dtype !== codec.dtype) throw new ImportError(`${ek}: manifest says ${storage} but the array is ${emb.dtype}`);
  const width = codec.width(d);
  if (emb.shape[1] !== width) throw new ImportError(`${ek}: rows of ${emb.shape[1]} values, but the manifest's d = ${d} needs ${width}`);
  if (manifest.documents !== ids.length || manifest.vectors !== emb.shape[0])
    throw new ImportError(`manifest: says ${manifest.documents} documents and ${manifest.vectors} vectors, the file has ${ids.length} and ${emb.shape[0]}`);
  return { ...base, ...codec.fromFile(emb, na.arrays.get('doc_scales'), ek) };
}
