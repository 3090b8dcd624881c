import type { VectorSet } from '../../src/core/maxsim.ts';

/** Brute-force MaxSim in float64, with the winners (first row on ties) and an error bound. */
export function brute(q: Float32Array, qn: number, docs: VectorSet[], d: number) {
  return docs.map((doc) => {
    let total = 0;
    let bound = 0;
    const winners: number[] = [];
    const margins: number[] = [];
    for (let i = 0; i < qn; i++) {
      let best = -Infinity;
      let second = -Infinity;
      let arg = -1;
      let mag = 0;
      for (let j = 0; j < doc.n; j++) {
        let s = 0;
        let a = 0;
        for (let k = 0; k < d; k++) {
          s += q[i * d + k] * doc.data[j * d + k];
          a += Math.abs(q[i * d + k] * doc.data[j * d + k]);
        }
        mag = Math.max(mag, a);
        if (s > best) [second, best, arg] = [best, s, j];
        else if (s > second) second = s;
      }
      total += best;
      // float32 accumulation of d products: |error| <= (d + 1) 2^-24 sum |products| (and the
      // float32 score itself one more rounding)
      bound += (d + 2) * 2 ** -24 * mag;
      winners.push(arg);
      margins.push(best - second);
    }
    return { total, winners, margins, bound: bound + Math.abs(total) * 2 ** -23 };
  });
}
