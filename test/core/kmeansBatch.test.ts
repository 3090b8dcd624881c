import { describe, expect, it } from 'vitest';
import { compressDocument } from '../../src/core/compress.ts';
import { cpuAssigner, kmeansBatch } from '../../src/core/kmeansBatch.ts';
import { parseMethodSpec } from '../../src/core/methodSpec.ts';
import { syntheticCorpus } from '../../src/core/synthetic.ts';

describe('kmeansBatch', () => {
  it('with the CPU assigner equals compressDocument(kmeans) document by document', async () => {
    const { docs } = syntheticCorpus('tiny', 4);
    for (const m of [3, 8, 40]) {
      const batch = await kmeansBatch(docs, m, { seed: 5 }, cpuAssigner);
      docs.forEach((doc, i) => {
        const one = compressDocument(doc, parseMethodSpec('kmeans'), m, { seed: 5 });
        expect(batch[i].n).toBe(one.n);
        expect(Array.from(batch[i].assignments)).toEqual(Array.from(one.assignments));
        expect(Array.from(batch[i].data)).toEqual(Array.from(one.data));
      });
    }
  });

  it('calls the assigner once per round for all unfinished documents', async () => {
    const { docs } = syntheticCorpus('tiny', 4);
    const sizes: number[] = [];
    await kmeansBatch(docs, 4, { seed: 1 }, (jobs) => (sizes.push(jobs.length), cpuAssigner(jobs)));
    expect(sizes[0]).toBe(docs.length);
    expect(sizes.length).toBeLessThanOrEqual(25);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]);
  });
});
