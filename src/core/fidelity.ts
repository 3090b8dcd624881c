/**
 * Fidelity of a compressed index to the uncompressed one, for corpora without relevance
 * judgments: how much of the uncompressed top-k a compressed index returns (overlap@k), and how
 * well it preserves the order of all documents (Spearman's rank correlation of the MaxSim scores).
 */

/** Ranks (1-based) with ties given their average rank. */
export function ranks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const out = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && values[idx[j + 1]] === values[idx[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[idx[k]] = r;
    i = j + 1;
  }
  return out;
}

/** Spearman's rho: Pearson correlation of the ranks. NaN when either side is constant. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`spearman: lengths ${a.length} and ${b.length} differ`);
  const n = a.length;
  if (n < 2) return NaN;
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (n + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = ra[i] - mean;
    const y = rb[i] - mean;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

/** |top-k of `ranking` ∩ top-k of `reference`| / min(k, |reference|). */
export function overlapAtK(ranking: readonly string[], reference: readonly string[], k: number): number {
  const ref = new Set(reference.slice(0, k));
  if (ref.size === 0) return NaN;
  let hit = 0;
  for (const id of ranking.slice(0, k)) if (ref.has(id)) hit++;
  return hit / ref.size;
}
