import { describe, expect, it } from 'vitest';
import { spawnNodePoolWorker } from '../../src/search/nodePool.ts';
import { KernelSpace } from '../../src/kernels/space.ts';
import { ScaleIndex } from '../../src/search/scaleIndex.ts';

describe('scale index built by a pool of workers', () => {
  it('is the index one thread builds, vector for vector, in shared memory; its search equals one thread', async () => {
    const spec = { docs: 300, d: 24, tokens: 20, queries: 6, seed: 3 };
    for (const method of ['agc', 'hpool']) {
      const one = await ScaleIndex.build({ spec, method, budget: 5, storage: 'fp16', compressOn: 'cpu', keepBaseline: false });
      const two = await ScaleIndex.build({ spec, method, budget: 5, storage: 'fp16', compressOn: 'cpu', keepBaseline: false, threads: 2 }, { spawn: spawnNodePoolWorker });
      expect(one.stats.buildThreads).toBe(1);
      expect(two.stats.buildThreads).toBe(2);
      expect(KernelSpace.of(two.stored.vectors)?.shared).toBe(true);
      expect(two.stored.ids).toEqual(one.stored.ids);
      expect(Array.from(two.stored.offsets)).toEqual(Array.from(one.stored.offsets));
      expect(Array.from(two.stored.vectors)).toEqual(Array.from(one.stored.vectors));
      const [a, b] = [await one.search({ backend: 'cpu', k: 10 }), await two.search({ backend: 'cpu', k: 10 })];
      expect(b.cpu?.threads).toBe(2);
      expect(b.topk?.cpu).toEqual(a.topk?.cpu);
      two.close();
    }
  });

  it('stops at a cancel: the pool is closed and the build rejects', async () => {
    const controller = new AbortController();
    const build = ScaleIndex.build(
      { spec: { docs: 50_000, d: 32, tokens: 16, queries: 2, seed: 1 }, method: 'agc', budget: 4, storage: 'fp32', compressOn: 'cpu', keepBaseline: false, threads: 2 },
      { spawn: spawnNodePoolWorker, signal: controller.signal, progressEvery: 64, onProgress: (p) => p.done >= 640 && controller.abort() },
    );
    await expect(build).rejects.toThrow(/abort/i);
  });
});
