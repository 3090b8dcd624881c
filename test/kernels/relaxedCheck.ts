/**
 * Run by relaxed.test.ts in a Node started with --experimental-wasm-relaxed-simd: the relaxed-SIMD
 * build (fused multiply-add) against brute force written here. Prints one JSON line.
 */
import { maxSimScores, packCorpus } from '../../src/core/maxsim.ts';
import { assignToNearest } from '../../src/core/linalg.ts';
import { kernelStatus } from '../../src/kernels/space.ts';
import { brute } from './brute.ts';

let s = 12345;
const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
let worst = 0;
let checked = 0;
let winnerMismatches = 0;
for (let trial = 0; trial < 40; trial++) {
  const d = 1 + (trial * 7) % 70;
  const qn = 1 + (trial * 5) % 19;
  const rows = Array.from({ length: 1 + (trial % 6) }, (_, i) => (i * 3 + trial) % 9);
  const docs = rows.map((n, i) => ({ id: `d${i}`, n, d, data: Float32Array.from({ length: n * d }, next) }));
  const q = Float32Array.from({ length: qn * d }, next);
  const winners = new Int32Array(docs.length * qn);
  const scores = maxSimScores(q, qn, packCorpus(docs), undefined, winners);
  let offset = 0;
  brute(q, qn, docs, d).forEach((ref, di) => {
    const doc = docs[di];
    if (doc.n === 0) {
      if (scores[di] !== -Infinity) worst = Infinity;
      return;
    }
    worst = Math.max(worst, Math.abs(scores[di] - ref.total) / ref.bound);
    ref.winners.forEach((w, i) => {
      if (ref.margins[i] > 2 * ref.bound && winners[di * qn + i] !== w + offset) winnerMismatches++;
    });
    offset += doc.n;
    checked++;
  });
}
const x = Float32Array.from({ length: 50 * 16 }, next);
const c = x.slice(0, 5 * 16);
const { assignment } = assignToNearest(x, 50, c, 5, 16);
console.log(JSON.stringify({ status: kernelStatus(), worst, checked, winnerMismatches, centroidsOwnCluster: [0, 1, 2, 3, 4].every((i) => assignment[i] === i) }));
