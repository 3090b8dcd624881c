import type { MultiVector } from '../src/core/multivector.ts';
import { gaussian, mulberry32 } from '../src/core/rng.ts';

/** n x d standard-normal tokens from a seed. */
export function randomDoc(id: string, n: number, d: number, seed = 1, withSaliency = true): MultiVector {
  const rng = mulberry32(seed);
  const data = new Float32Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = gaussian(rng);
  const saliency = withSaliency ? Float32Array.from({ length: n }, () => rng.next()) : undefined;
  return { id, n, d, data, saliency };
}

/** Relabels a partition so labels count up in order of first appearance (compare up to renaming). */
export function canonical(labels: ArrayLike<number>): number[] {
  const map = new Map<number, number>();
  return Array.from(labels, (l) => {
    if (!map.has(l)) map.set(l, map.size);
    return map.get(l)!;
  });
}

export function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/** The largest |a[i] - b[i]| (the lengths must agree). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} and ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
