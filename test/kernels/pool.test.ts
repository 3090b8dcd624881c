import { describe, expect, it } from 'vitest';
import type { StoredCorpus } from '../../src/core/storage/stored.ts';
import { kernelView, scoreStored, storeCorpus, encodeVectors } from '../../src/core/storage/stored.ts';
import { MaxSimPool } from '../../src/kernels/pool.ts';
import { spawnNodePoolWorker } from '../../src/search/nodePool.ts';
import { allocCorpus, KernelSpace, QUERY_LANES } from '../../src/kernels/space.ts';
import { packCorpus } from '../../src/core/maxsim.ts';

function next(seed: number) {
  let s = seed;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

/** An index of `docs` documents of ragged length, placed in a shared space for `threads` workers. */
function sharedIndex(storage: 'fp32' | 'fp16' | 'int8', docs: number, d: number, threads: number): StoredCorpus {
  const rnd = next(5);
  const rows = Array.from({ length: docs }, (_, i) => (i * 7) % 5); // 0..4 rows, empty ones included
  const total = rows.reduce((a, b) => a + b, 0);
  const data = Float32Array.from({ length: total * d }, rnd);
  const { vectors, scales } = encodeVectors(data, total, d, storage);
  const ctor = storage === 'fp32' ? Float32Array : storage === 'fp16' ? Uint16Array : Int8Array;
  const placed = allocCorpus({ vectors: [ctor as never, vectors.length], offsets: docs + 1, ...(scales ? { scales: scales.length } : {}) }, d, 4, { threads });
  (placed.vectors as Float32Array).set(vectors as Float32Array);
  if (scales) placed.scales!.set(scales);
  rows.forEach((n, i) => (placed.offsets[i + 1] = placed.offsets[i] + n));
  return { storage, ids: rows.map((_, i) => `d${i}`), d, offsets: placed.offsets, vectors: placed.vectors as never, ...(scales ? { scales: placed.scales } : {}) };
}

describe('MaxSim worker pool (worker_threads over shared WebAssembly memory)', () => {
  it('scores every document exactly as one thread does, for fp32, fp16 and int8, short and long queries', async () => {
    for (const storage of ['fp32', 'fp16', 'int8'] as const) {
      const d = 20;
      const stored = sharedIndex(storage, 301, d, 2);
      expect(KernelSpace.of(stored.vectors)?.shared).toBe(true);
      const pool = await MaxSimPool.create(kernelView(stored), spawnNodePoolWorker, 2);
      expect(pool?.threads).toBe(2);
      try {
        for (const qn of [1, 9, QUERY_LANES + 3]) {
          const q = Float32Array.from({ length: qn * d }, next(qn));
          const one = scoreStored(q, qn, stored);
          const many = await pool!.score(q, qn);
          expect(Array.from(many)).toEqual(Array.from(one));
          expect(many.filter((s) => s === -Infinity).length).toBe(61); // the empty documents (i % 5 == 0 when 7i % 5 == 0)
        }
      } finally {
        pool!.close();
      }
    }
  });

  it('refuses an index that is not in a shared space (the caller then scores on one thread)', async () => {
    const stored = storeCorpus(packCorpus([{ id: 'a', n: 1, d: 2, data: Float32Array.from([1, 2]) }]), 'fp32');
    expect(await MaxSimPool.create(kernelView(stored), spawnNodePoolWorker, 2)).toBeNull();
  });
});
