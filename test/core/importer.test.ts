import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportSafetensors, IndexBuilder, makeManifest, qdrantCollectionConfig, qdrantPoints } from '../../src/core/exportIndex.ts';
import { importEmbeddings, ImportError, type ImportFile } from '../../src/core/importer.ts';
import { maxSimScores, packCorpus } from '../../src/core/maxsim.ts';
import { parseMethodSpec } from '../../src/core/methodSpec.ts';
import { writeSafetensors } from '../../src/core/safetensors.ts';
import { scoreStored, STORAGE_TYPES } from '../../src/core/storage/stored.ts';
import { syntheticCorpus } from '../../src/core/synthetic.ts';

const dir = join(import.meta.dirname, '../fixtures/import');
const file = (name: string): ImportFile => ({ name, bytes: new Uint8Array(readFileSync(join(dir, name))) });
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));

function scoresOf(c: Awaited<ReturnType<typeof importEmbeddings>>, queries = c.queries) {
  const corpus = packCorpus(c.docs);
  return queries.map((q) => Array.from(maxSimScores(q.data, q.n, corpus)));
}

function expectClose(actual: number[][], wanted: number[][], digits = 5) {
  expect(actual.length).toBe(wanted.length);
  actual.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(wanted[i][j], digits)));
}

describe('importing embeddings made with NumPy', () => {
  it('reads a ragged .npz (np.savez) with ids, saliency, grid, queries and relevance', async () => {
    const c = await importEmbeddings(file('ragged.npz'), undefined, file('qrels.tsv'));
    expect(c.layout).toBe('ragged');
    expect(c.docs.map((x) => x.id)).toEqual(expected.ids);
    expect(c.docs.map((x) => x.n)).toEqual(expected.lens);
    expect(c.docs[0].saliencySource).toBe('imported');
    expect(c.docs[1].grid).toEqual({ rows: 2, cols: 3 });
    expect(Array.from(c.docs[1].positions!.row!)).toEqual([0, 0, 0, 1, 1, 1, -1, -1, -1]);
    expect(Array.from(c.docs[1].positions!.col!)).toEqual([0, 1, 2, 0, 1, 2, -1, -1, -1]);
    expect(c.queries.map((q) => q.id)).toEqual(['q-cat', 'q-dog']);
    expect(c.qrels.get('q-cat')).toEqual(new Map([['cat.jpg', 2]]));
    expectClose(scoresOf(c), expected.ragged);
  });

  it('reads a padded, masked, deflated .npz (np.savez_compressed) in float16', async () => {
    const c = await importEmbeddings(file('padded.npz'), file('queries.safetensors'));
    expect(c.layout).toBe('padded');
    expect(c.docs.map((x) => x.n)).toEqual(expected.lens);
    expect(c.queries.map((q) => q.id)).toEqual(['q-cat', 'q-dog']);
    expectClose(scoresOf(c), expected.fp16);
  });

  it('reads safetensors in F16 and BF16 with ids in the metadata', async () => {
    const c = await importEmbeddings(file('ragged.safetensors'), file('queries.safetensors'));
    expect(c.dtype).toBe('F16');
    expect(c.docs.map((x) => x.id)).toEqual(expected.ids);
    expectClose(scoresOf(c), expected.fp16);
    const b = await importEmbeddings(file('bf16.safetensors'), file('queries.safetensors'));
    expect(b.docs.map((x) => x.id)).toEqual(['doc-0', 'doc-1', 'doc-2']);
    expect(b.notes.join(' ')).toMatch(/no doc_ids/);
    expectClose(scoresOf(b), expected.bf16);
  });
});

describe('bad files get an error naming the file and the field, and nothing is returned', () => {
  const st = (tensors: Parameters<typeof writeSafetensors>[0], meta: Record<string, string> = {}): ImportFile => ({ name: 'bad.safetensors', bytes: writeSafetensors(tensors, meta) });
  const emb = { dtype: 'F32' as const, shape: [5, 4], data: Float32Array.from({ length: 20 }, (_, i) => Math.sin(i + 1)) };
  const off = { dtype: 'I32' as const, shape: [3], data: Int32Array.from([0, 2, 5]) };

  const cases: [string, () => Promise<unknown>, RegExp][] = [
    ['truncated', async () => importEmbeddings({ name: 'cut.safetensors', bytes: file('ragged.safetensors').bytes.subarray(0, 300) }), /cut\.safetensors: doc_embeddings: data ends at byte \d+ but the file has 300: the file is truncated/],
    ['truncated npz', async () => importEmbeddings({ name: 'cut.npz', bytes: file('ragged.npz').bytes.subarray(0, 1000) }), /cut\.npz: .*(truncated|end-of-archive)/],
    ['missing offsets', () => importEmbeddings(st({ doc_embeddings: emb })), /bad\.safetensors: doc_offsets is missing/],
    ['offsets past the end', () => importEmbeddings(st({ doc_embeddings: emb, doc_offsets: { ...off, data: Int32Array.from([0, 2, 7]) } })), /doc_offsets: must start at 0 and end at 5/],
    ['NaN', () => { const e = { ...emb, data: emb.data.slice() }; e.data[13] = NaN; return importEmbeddings(st({ doc_embeddings: e, doc_offsets: off })); }, /doc_embeddings: document 1 \("doc-1"\) token 1 has a non-finite value \(NaN\)/],
    ['integer embeddings', () => importEmbeddings(st({ doc_embeddings: { dtype: 'I32', shape: [5, 4], data: new Int32Array(20) }, doc_offsets: off })), /doc_embeddings: dtype I32 is not supported/],
    ['1-D embeddings', () => importEmbeddings(st({ doc_embeddings: { ...emb, shape: [20] }, doc_offsets: off })), /doc_embeddings: expected 2-D/],
    ['ids count', () => importEmbeddings(st({ doc_embeddings: emb, doc_offsets: off }, { doc_ids: '["a"]' })), /doc_ids: 1 ids for 2 documents/],
    ['duplicate ids', () => importEmbeddings(st({ doc_embeddings: emb, doc_offsets: off }, { doc_ids: '["a","a"]' })), /doc_ids: "a" appears more than once/],
    ['query dimension', () => importEmbeddings(st({ doc_embeddings: emb, doc_offsets: off }), file('queries.safetensors')), /queries\.safetensors: query_embeddings: queries have d = 8 but doc_embeddings has d = 4/],
    ['empty document', () => importEmbeddings(st({ doc_embeddings: emb, doc_offsets: { ...off, data: Int32Array.from([0, 0, 5]) } })), /document 0 \("doc-0"\) has no tokens/],
    ['saliency shape', () => importEmbeddings(st({ doc_embeddings: emb, doc_offsets: off, doc_saliency: { dtype: 'F32', shape: [4], data: new Float32Array(4) } })), /doc_saliency: expected shape \(5,\)/],
    ['mask shape', () => importEmbeddings(st({ doc_embeddings: { ...emb, shape: [1, 5, 4] }, doc_mask: { dtype: 'I32', shape: [2, 5], data: new Int32Array(10) } })), /doc_mask: expected shape \(1, 5\)/],
    ['qrels unknown doc', () => importEmbeddings(file('ragged.npz'), undefined, { name: 'rel.tsv', bytes: new TextEncoder().encode('q-cat\tnope.jpg\t1\n') }), /rel\.tsv: document "nope\.jpg" \(for query "q-cat"\) is not among the document ids/],
    ['all-zero padded document', () => importEmbeddings(st({ doc_embeddings: { dtype: 'F32', shape: [2, 3, 4], data: Float32Array.from({ length: 24 }, (_, i) => (i < 12 ? 1 : 0)) } })), /doc_embeddings: document 1 \("doc-1"\) is all zeros/],
    ['bad manifest', () => importEmbeddings(st({ doc_embeddings: emb, doc_offsets: off }, { manifest: '{oops' })), /bad\.safetensors: manifest \(metadata\): not JSON/],
    ['a lone .npy', () => importEmbeddings({ name: 'x.npy', bytes: new Uint8Array(64) }), /x\.npy: a single \.npy holds one array/],
    ['not a tensor file', () => importEmbeddings({ name: 'notes.txt', bytes: new TextEncoder().encode('hello world, not tensors') }), /notes\.txt: .*not a safetensors file/],
  ];
  for (const [what, run, message] of cases) {
    it(what, async () => {
      const err = await run().then(() => undefined, (e) => e);
      expect(err).toBeInstanceOf(ImportError);
      expect((err as Error).message).toMatch(message);
    });
  }
});

describe('relevance files', () => {
  it('skip a header line with two or three columns, and read JSON', async () => {
    for (const text of ['query_id\tdoc_id\nq-cat\tcat.jpg\n', 'qid\tdocid\tgrade\nq-cat\tcat.jpg\t3\n', '{"q-cat": {"cat.jpg": 1}}']) {
      const c = await importEmbeddings(file('ragged.npz'), undefined, { name: 'rel', bytes: new TextEncoder().encode(text) });
      expect([...c.qrels.keys()]).toEqual(['q-cat']);
    }
  });
});

describe('export', () => {
  it('keeps the data 8-byte aligned with non-ASCII ids', async () => {
    const builder = new IndexBuilder({ d: 4, spec: parseMethodSpec('none'), budget: null, storage: 'int8', seed: 0 });
    builder.add({ id: 'café-Ω-🙂', n: 3, d: 4, data: Float32Array.from({ length: 12 }, (_, i) => i + 1) });
    const stored = builder.finish();
    const bytes = exportSafetensors(stored, makeManifest(stored, { model: 'm', spec: parseMethodSpec('none'), budget: null, seed: 0 }));
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
    const back = await importEmbeddings({ name: 'i.safetensors', bytes });
    expect(back.stored!.ids).toEqual(['café-Ω-🙂']);
  });

  const corpus = syntheticCorpus('tiny', 3);
  const d = corpus.docs[0].d;

  it('streams documents into a compressed index and re-imports it with identical scores, for every storage type', async () => {
    for (const storage of STORAGE_TYPES) {
      const builder = new IndexBuilder({ d, spec: parseMethodSpec('agc'), budget: 4, storage, seed: 1 });
      for (const doc of corpus.docs) builder.add(doc);
      const stored = builder.finish();
      expect(stored.offsets[stored.ids.length]).toBeLessThanOrEqual(4 * corpus.docs.length);
      const manifest = makeManifest(stored, { model: 'synthetic', spec: parseMethodSpec('agc'), budget: 4, seed: 1 });
      const bytes = exportSafetensors(stored, manifest);
      const back = await importEmbeddings({ name: `index-${storage}.safetensors`, bytes });
      expect(back.manifest).toMatchObject({ method: 'agc', budget: 4, storage, dimension: d, documents: corpus.docs.length });
      expect(back.stored!.ids).toEqual(stored.ids);
      for (const q of corpus.queries.slice(0, 5)) {
        expect(Array.from(scoreStored(q.data, q.n, back.stored!))).toEqual(Array.from(scoreStored(q.data, q.n, stored)));
      }
    }
  });

  it('writes Qdrant points whose vectors are the stored values', () => {
    const builder = new IndexBuilder({ d, spec: parseMethodSpec('hpool'), budget: 3, storage: 'fp16', seed: 1 });
    for (const doc of corpus.docs.slice(0, 4)) builder.add(doc);
    const stored = builder.finish();
    const lines = [...qdrantPoints(stored, 'colbert', { method: 'hpool' })];
    expect(lines).toHaveLength(4);
    const p = JSON.parse(lines[1]);
    expect(p.id).toBe(1);
    expect(p.payload).toEqual({ doc_id: stored.ids[1], method: 'hpool' });
    const rows = stored.offsets[2] - stored.offsets[1];
    expect(p.vector.colbert).toHaveLength(rows);
    expect(p.vector.colbert[0]).toHaveLength(d);
    // Scores from the JSON vectors equal scores from the stored index.
    const q = corpus.queries[0];
    const fromJson = maxSimScores(q.data, q.n, packCorpus([{ id: 'x', n: rows, d, data: Float32Array.from(p.vector.colbert.flat()) }]))[0];
    expect(fromJson).toBe(scoreStored(q.data, q.n, stored)[1]);
    expect(qdrantCollectionConfig(stored)).toEqual({ vectors: { colbert: { size: d, distance: 'Dot', multivector_config: { comparator: 'max_sim' }, datatype: 'float16' } } });
    const bin = new IndexBuilder({ d, spec: parseMethodSpec('hpool'), budget: 3, storage: 'binary', seed: 1 });
    bin.add(corpus.docs[0]);
    expect(() => [...qdrantPoints(bin.finish())]).toThrow(/binary vectors cannot go to Qdrant/);
  });
});
