import { describe, expect, it } from 'vitest';
import { exportFiles } from '../../src/core/exportIndex.ts';
import { runExperiment } from '../../src/core/experiment.ts';
import { importEmbeddings } from '../../src/core/importer.ts';
import { parseMethodSpec } from '../../src/core/methodSpec.ts';
import { readSafetensors, writeSafetensors, type WritableTensor } from '../../src/core/safetensors.ts';
import { syntheticCorpus } from '../../src/core/synthetic.ts';

const none = parseMethodSpec('none');

/** The four unit vectors of residual.test.ts's hand-computed case, as two documents. */
const handDocs = () => [0, 1].map((i) => ({ id: `d${i}`, n: 2, d: 2, data: Float32Array.from([1, 0, 0, 1]) }));

describe('residual indexes (res2, res1) export and import', () => {
  it('hand-computed: the file holds the codebook, ids, bits and bucket values, and imports to the decoded vectors', async () => {
    const { files } = exportFiles(handDocs(), { d: 2, spec: none, budget: null, storage: 'res1', seed: 1 }, 'test');
    expect(files.baseName).toBe('index-none-mfull-res1');
    expect(files.manifest.storage).toBe('res1');
    expect(files.manifest.residual).toEqual({ bits: 1, centroids: 1, renormalise: true, bytes: 4 * 3 + 4 + 8 });
    const t = readSafetensors(files.safetensors).tensors;
    // One centroid, (1,1)/sqrt 2 in fp16 = 0.70703125 (widened exactly on reading).
    expect(t.get('residual_centroids')!.dtype).toBe('F16');
    expect(Array.from(t.get('residual_centroids')!.data)).toEqual([0.70703125, 0.70703125]);
    expect(Array.from(t.get('residual_codes')!.data)).toEqual([0, 0, 0, 0]);
    // (1,0): residual above the cutoff in dimension 0 only -> bit 0 set; (0,1) -> bit 1 set.
    expect(Array.from(t.get('residual_bits')!.data)).toEqual([0b01, 0b10, 0b01, 0b10]);
    expect(t.get('residual_bits')!.shape).toEqual([4, 1]);
    const c = 0.70703125;
    expect(Array.from(t.get('residual_cutoffs')!.data)).toEqual([Math.fround((1 - 2 * c) / 2)]);
    expect(Array.from(t.get('residual_weights')!.data)).toEqual([Math.fround(-c), Math.fround(1 - c)]);
    expect(Array.from(t.get('doc_offsets')!.data)).toEqual([0, 2, 4]);
    expect(t.has('doc_embeddings')).toBe(false);

    const back = await importEmbeddings({ name: 'index.safetensors', bytes: files.safetensors });
    expect(back.manifest!.storage).toBe('res1');
    expect(back.docs.map((x) => [x.id, Array.from(x.data)])).toEqual([['d0', [1, 0, 0, 1]], ['d1', [1, 0, 0, 1]]]);
    expect(back.notes).toEqual([]);
    // Qdrant gets the decoded vectors.
    expect([...files.qdrant!()][0]).toBe('{"id":0,"vector":{"colbert":[[1,0],[0,1]]},"payload":{"doc_id":"d0","method":"none","budget":null,"storage":"res1"}}\n');
  });

  it("the imported index scores exactly what the comparison scored for that storage type (AGC, m = 8, res2 and res1)", async () => {
    const corpus = syntheticCorpus('tiny', 3);
    const spec = parseMethodSpec('agc');
    for (const storage of ['res2', 'res1'] as const) {
      const compared = runExperiment(corpus, { methods: [spec], budgets: [8], storages: [storage], ks: [10], seed: 5 });
      const row = compared.rows.find((r) => r.budget === 8)!;
      const { files, skipped } = exportFiles(corpus.docs, { d: corpus.docs[0].d, spec, budget: 8, storage, seed: 5 }, 'synthetic');
      expect(skipped).toEqual([]);
      const back = await importEmbeddings({ name: 'index.safetensors', bytes: files.safetensors });
      // The index bytes the comparison counted are the bytes this file's arrays hold.
      const t = readSafetensors(files.safetensors).tensors;
      const held = ['residual_codes', 'residual_bits', 'residual_centroids', 'residual_weights'].reduce((s, k) => s + t.get(k)!.data.length * { residual_codes: 2, residual_bits: 1, residual_centroids: 2, residual_weights: 4 }[k]!, 0);
      expect(held).toBe(files.manifest.residual!.bytes);
      expect(row.bytesPerDoc * corpus.docs.length).toBeCloseTo(held, 6);
      const again = runExperiment({ docs: back.docs, queries: corpus.queries, qrels: corpus.qrels }, { methods: [none], budgets: [8], storages: ['fp32'], ks: [10], seed: 5 });
      const full = again.rows.find((r) => r.method === 'none')!;
      expect(full.metrics).toEqual(row.metrics);
    }
  });

  it('a damaged residual index is refused with the array named', async () => {
    const { files } = exportFiles(handDocs(), { d: 2, spec: none, budget: null, storage: 'res1', seed: 1 }, 'test');
    const t = readSafetensors(files.safetensors);
    const rewrite = (change: (x: Record<string, WritableTensor>, manifest: Record<string, unknown>) => void) => {
      const manifest = JSON.parse(t.metadata.manifest);
      const x: Record<string, WritableTensor> = {
        doc_offsets: { dtype: 'I32', shape: [3], data: Int32Array.from([0, 2, 4]) },
        residual_cutoffs: { dtype: 'F32', shape: [1], data: Float32Array.from(t.tensors.get('residual_cutoffs')!.data) },
        residual_weights: { dtype: 'F32', shape: [2], data: Float32Array.from(t.tensors.get('residual_weights')!.data) },
        residual_centroids: { dtype: 'F16', shape: [1, 2], data: Uint16Array.from([0x39a8, 0x39a8]) },
        residual_codes: { dtype: 'U16', shape: [4], data: Uint16Array.from([0, 0, 0, 0]) },
        residual_bits: { dtype: 'U8', shape: [4, 1], data: Uint8Array.from([1, 2, 1, 2]) },
      };
      change(x, manifest);
      return importEmbeddings({ name: 'bad.safetensors', bytes: writeSafetensors(x, { manifest: JSON.stringify(manifest), doc_ids: t.metadata.doc_ids }) });
    };
    // The rewrite itself is a valid index (0x39a8 is fp16 0.70703125).
    expect((await rewrite(() => undefined)).docs[0].data).toEqual(Float32Array.from([1, 0, 0, 1]));
    await expect(rewrite((x) => (x.residual_codes.data as Uint16Array).set([1], 2))).rejects.toThrow('residual_codes: vector 2 names centroid 1, but there are 1');
    await expect(rewrite((x) => delete (x as Partial<typeof x>).residual_bits)).rejects.toThrow('residual_bits is missing');
    await expect(rewrite((x) => (x.residual_bits = { dtype: 'U8', shape: [2, 2], data: Uint8Array.from([1, 2, 1, 2]) }))).rejects.toThrow('residual_bits: expected shape (4, 1), got (2, 2)');
    await expect(rewrite((_, m) => ((m.residual as { bits: number }).bits = 2))).rejects.toThrow('manifest: a res1 index needs residual.bits = 1');
    await expect(rewrite((x) => (x.residual_weights.data as Float32Array).set([NaN], 1))).rejects.toThrow('residual_weights: value 1 is NaN; values must be finite');
    await expect(rewrite((_, m) => (m.vectors = 5))).rejects.toThrow('residual_codes: 4 vectors, the manifest says 5');
  });
});
