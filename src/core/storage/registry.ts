/**
 * Every storage type, keyed by its id. A type is one module of this folder plus one line here; the
 * record's type makes a line without a module, or a module whose id is not its key, a compile error,
 * and every switch that used to list the types now reads this table.
 *
 * Residual compression (ColBERTv2/PLAID, ../residual.ts) is built over the whole index (a
 * codebook), so it is scored in comparisons and exported whole, but not written vector by vector
 * (streaming, the scale page and the kernels keep the types above): it is listed apart.
 */
import { binary } from './binary.ts';
import type { StorageCodec } from './codec.ts';
import { fp16 } from './fp16.ts';
import { fp32 } from './fp32.ts';
import { int8 } from './int8.ts';

const CODECS = { fp32, fp16, int8, binary };

export type StorageType = keyof typeof CODECS;
/** Keyed by id: an entry whose module has another id does not compile. */
export const STORAGE: { readonly [K in StorageType]: StorageCodec<K> } = CODECS;
export const STORAGE_TYPES = Object.keys(STORAGE) as StorageType[];

/** Index-wide residual types: label, help, line style and residual bits per value. */
export const RESIDUAL = {
  res2: { id: 'res2', label: 'residual 2-bit (ColBERTv2)', help: "ColBERTv2/PLAID: the nearest of the index's k-means centroids (2 bytes) plus 2 bits per value of residual; codebook counted", dash: '1 3', bits: 2 },
  res1: { id: 'res1', label: 'residual 1-bit (ColBERTv2)', help: 'as res2 with 1 bit per value of residual', dash: '4 2 1 2', bits: 1 },
} as const satisfies Record<string, { id: string; label: string; help: string; dash: string | false; bits: 1 | 2 }>;
export type ResidualType = keyof typeof RESIDUAL;
export const RESIDUAL_TYPES = Object.keys(RESIDUAL) as ResidualType[];

/** Every type a comparison can score. */
export type EvalStorage = StorageType | ResidualType;
export const EVAL_STORAGE_TYPES: readonly EvalStorage[] = [...STORAGE_TYPES, ...RESIDUAL_TYPES];

/** Label, help and line style of any type a comparison scores. */
export const describeStorage = (s: EvalStorage): { label: string; help: string; dash: string | false } => (s in STORAGE ? STORAGE[s as StorageType] : RESIDUAL[s as ResidualType]);
