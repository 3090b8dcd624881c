/**
 * Seeded pseudo-random numbers. Every random choice in the engine (random centroids, k-means++
 * seeding, random selection, the synthetic corpus) draws from here, so a seed reproduces a run
 * bit for bit in Node, in a worker and on the command line.
 */

/** A source of uniform floats in [0, 1). */
export interface Rng {
  next(): number;
}

/**
 * mulberry32: a 32-bit generator with a full 2^32 period, fast in JS and good enough for
 * sampling (not for cryptography). Public-domain algorithm by Tommy Ettinger.
 */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return {
    next() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** FNV-1a hash of a string, used to derive a per-document seed from the run seed and the id. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A seed for one document: independent of the order in which documents are processed. */
export function documentSeed(runSeed: number, docId: string): number {
  return (hashString(docId) ^ Math.imul(runSeed >>> 0, 0x9e3779b1)) >>> 0;
}

/** Standard normal sample (Box-Muller). */
export function gaussian(rng: Rng): number {
  let u = 0;
  while (u === 0) u = rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng.next() * n);
}

/** k distinct indices from [0, n), in the order drawn (partial Fisher-Yates). */
export function sampleWithoutReplacement(rng: Rng, n: number, k: number): Int32Array {
  if (k > n) throw new Error(`cannot sample ${k} of ${n} items without replacement`);
  const pool = new Int32Array(n);
  for (let i = 0; i < n; i++) pool[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + randomInt(rng, n - i);
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
  }
  return pool.slice(0, k);
}
