/**
 * Every registered storage type, enumerated from the registry, through the whole path a user
 * takes: compress -> export (safetensors) -> import -> search. A new type gets this for free; a
 * type whose module disagrees with itself (width, bytes, dtype, decode) fails here.
 */
import { describe, expect, it } from 'vitest';
import { buildIndex, indexFiles, exportFiles } from '../../../src/core/exportIndex.ts';
import { runExperiment } from '../../../src/core/experiment.ts';
import { importEmbeddings } from '../../../src/core/importer.ts';
import { parseMethodSpec } from '../../../src/core/methodSpec.ts';
import { readSafetensors } from '../../../src/core/safetensors.ts';
import { RESIDUAL, RESIDUAL_TYPES, STORAGE, STORAGE_TYPES } from '../../../src/core/storage/registry.ts';
import { decodeRows, queryForStorage, scoreStored, storedBytes } from '../../../src/core/storage/stored.ts';
import { syntheticCorpus } from '../../../src/core/synthetic.ts';

const corpus = syntheticCorpus('tiny', 3);
const d = corpus.docs[0].d;
const spec = parseMethodSpec('agc');
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** MaxSim written out in the test: the sum over query tokens of the best dot product in the document. */
function bruteMaxSim(q: Float32Array, qn: number, rows: Float32Array, offsets: Int32Array, doc: number): number {
  let total = 0;
  for (let i = 0; i < qn; i++) {
    let best = -Infinity;
    for (let r = offsets[doc]; r < offsets[doc + 1]; r++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += q[i * d + k] * rows[r * d + k];
      best = Math.max(best, dot);
    }
    total += best;
  }
  return total;
}

describe('the storage registry', () => {
  it('keys every entry by its own id, and lists at least the four vector types and two residual ones', () => {
    for (const t of STORAGE_TYPES) expect(STORAGE[t].id).toBe(t);
    for (const t of RESIDUAL_TYPES) expect(RESIDUAL[t].id).toBe(t);
    expect(STORAGE_TYPES).toEqual(expect.arrayContaining(['fp32', 'fp16', 'int8', 'binary']));
    expect(RESIDUAL_TYPES).toEqual(['res2', 'res1']);
  });

  for (const t of STORAGE_TYPES) {
    it(`${t}: export -> import gives the same bytes, and search scores them as MaxSim over the decoded vectors`, async () => {
      const codec = STORAGE[t];
      const { stored, skipped } = buildIndex(corpus.docs, { d, spec, budget: 8, storage: t, seed: 5 });
      expect(skipped).toEqual([]);
      const rows = stored.offsets[stored.ids.length];
      // The module's own figures agree with what it stores.
      expect(stored.vectors).toBeInstanceOf(codec.array);
      expect(stored.vectors.length).toBe(rows * codec.width(d));
      expect(storedBytes(stored)).toBe(rows * codec.bytesPerVector(d));
      expect(Boolean(stored.scales)).toBe(codec.scaled);

      const files = indexFiles(stored, { model: 'synthetic', spec, budget: 8, seed: 5 });
      expect(files.manifest.storage).toBe(t);
      expect(readSafetensors(files.safetensors).tensors.get('doc_embeddings')!.dtype).toBe(codec.dtype);
      expect(Boolean(files.qdrant)).toBe(Boolean(codec.qdrant));

      const back = (await importEmbeddings({ name: `${files.baseName}.safetensors`, bytes: files.safetensors })).stored!;
      expect(back.storage).toBe(t);
      expect(back.ids).toEqual(stored.ids);
      expect([...back.offsets]).toEqual([...stored.offsets.subarray(0, stored.ids.length + 1)]);
      expect(bytesOf(back.vectors)).toEqual(bytesOf(stored.vectors));
      if (codec.scaled) expect([...back.scales!]).toEqual([...stored.scales!]);

      const decoded = decodeRows(back, 0, rows, new Float32Array(rows * d));
      for (const q of corpus.queries.slice(0, 4)) {
        const query = queryForStorage(q.data, q.n, d, t);
        const scores = scoreStored(query, q.n, back);
        expect([...scores]).toEqual([...scoreStored(query, q.n, stored)]);
        for (let doc = 0; doc < back.ids.length; doc++) expect(scores[doc]).toBeCloseTo(bruteMaxSim(query, q.n, decoded, back.offsets, doc), 4);
      }
    });
  }

  for (const t of RESIDUAL_TYPES) {
    it(`${t}: the exported, re-imported index evaluates to the comparison's metrics`, async () => {
      const compared = runExperiment(corpus, { methods: [spec], budgets: [8], storages: [t], ks: [10], seed: 5 });
      const row = compared.rows.find((r) => r.budget === 8)!;
      const { files } = exportFiles(corpus.docs, { d, spec, budget: 8, storage: t, seed: 5 }, 'synthetic');
      expect(files.manifest.residual!.bits).toBe(RESIDUAL[t].bits);
      const back = await importEmbeddings({ name: 'index.safetensors', bytes: files.safetensors });
      const again = runExperiment({ docs: back.docs, queries: corpus.queries, qrels: corpus.qrels }, { methods: [parseMethodSpec('none')], budgets: [8], storages: ['fp32'], ks: [10], seed: 5 });
      expect(again.rows.find((r) => r.method === 'none')!.metrics).toEqual(row.metrics);
    });
  }
});
