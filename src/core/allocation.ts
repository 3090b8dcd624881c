/**
 * Budgets that adapt: a corpus-wide budget of m x (number of documents) vectors shared out per
 * document by a rule, so the index holds the same number of vectors (and, per storage type, the
 * same bytes) as a fixed m, spent where a rule says it is needed.
 *
 *   tokens   in proportion to the document's token count (a long video gets more than a still);
 *   salient  in proportion to its tokens above its own saliency mean + 0 standard deviations (the
 *            DocPruner count: how much of it stands out);
 *   entropy  in proportion to the perplexity of its normalised saliency, exp(entropy): the
 *            effective number of tokens the attention spreads over.
 *   outliers in proportion to its tokens above its own saliency mean + 2 standard deviations:
 *            the tokens that stand out from the document's own background, not the background's
 *            upper half. (On the `varied` preset, `salient` and `entropy` measure how flat the
 *            background is rather than how much a document holds; README: Synthetic corpora.)
 *
 * Shares are apportioned by largest remainder to whole budgets of at least 1 and at most the
 * document's token count; what a full document cannot take goes to the others, so the total is
 * exactly m x documents whenever the corpus has that many tokens.
 */
import type { MultiVector } from './multivector.ts';
import { pooledSimilaritySaliency } from './saliency.ts';

export const ALLOCATIONS = ['tokens', 'salient', 'entropy', 'outliers'] as const;
export type Allocation = (typeof ALLOCATIONS)[number];

export const ALLOCATION_LABELS: Record<Allocation, string> = {
  tokens: 'budget ∝ tokens',
  salient: 'budget ∝ salient tokens',
  entropy: 'budget ∝ saliency perplexity',
  outliers: 'budget ∝ saliency outliers',
};

export function isAllocation(s: string): s is Allocation {
  return (ALLOCATIONS as readonly string[]).includes(s);
}

/** The weight a rule gives one document. */
export function allocationWeight(doc: MultiVector, rule: Allocation): number {
  if (rule === 'tokens') return doc.n;
  // Without saliency, the same stand-in the methods get (similarity to the mean direction).
  const s = doc.saliency ?? pooledSimilaritySaliency(doc);
  let total = 0;
  for (const v of s) total += v;
  if (rule === 'salient' || rule === 'outliers') {
    const mean = total / s.length;
    let threshold = mean;
    if (rule === 'outliers') {
      let sq = 0;
      for (const v of s) sq += (v - mean) ** 2;
      threshold = mean + 2 * Math.sqrt(sq / s.length);
    }
    let count = 0;
    for (const v of s) if (v > threshold) count++;
    return Math.max(1, count);
  }
  if (total <= 0) return 1;
  let h = 0;
  for (const v of s) if (v > 0) h -= (v / total) * Math.log(v / total);
  return Math.exp(h);
}

/** Whole budgets, one per document, summing to m x documents (see the file comment). */
export function allocateBudgets(docs: readonly MultiVector[], m: number, rule: Allocation): Int32Array {
  const n = docs.length;
  const caps = docs.map((d) => d.n);
  const weights = docs.map((d) => allocationWeight(d, rule));
  const out = new Int32Array(n).fill(1);
  let left = Math.min(m * n, caps.reduce((a, b) => a + b, 0)) - n;
  // Repeatedly share what is left among the documents that can still take more.
  while (left > 0) {
    const open = [...out.keys()].filter((i) => out[i] < caps[i]);
    const w = open.reduce((s, i) => s + weights[i], 0);
    const exact = open.map((i) => ({ i, share: (left * weights[i]) / w }));
    let given = 0;
    for (const e of exact) {
      const take = Math.min(Math.floor(e.share), caps[e.i] - out[e.i]);
      out[e.i] += take;
      given += take;
    }
    // Largest remainders get one more each, in order (ties: document order).
    const rest = left - given;
    const order = exact.filter((e) => out[e.i] < caps[e.i]).sort((a, b) => (b.share % 1) - (a.share % 1) || a.i - b.i);
    let extra = 0;
    for (const e of order) {
      if (extra >= rest) break;
      out[e.i]++;
      extra++;
    }
    if (given + extra === 0) break;
    left -= given + extra;
  }
  return out;
}
