/**
 * Hostile and damaged inputs, generated here: every one ends in an error that names the file and
 * the field, before anything large is allocated; none imports wrong numbers or half a corpus.
 */
import { describe, expect, it } from 'vitest';
import { importEmbeddings } from '../../src/core/importer.ts';
import { parseMethodSpec } from '../../src/core/methodSpec.ts';
import { readNpy, writeNpy } from '../../src/core/npy.ts';
import { readNpz } from '../../src/core/npz.ts';
import { readSafetensors, writeSafetensors } from '../../src/core/safetensors.ts';
import { SettingError } from '../../src/core/settingError.ts';
import { parseStorageList } from '../../src/core/storage/stored.ts';
import { syntheticCorpus } from '../../src/core/synthetic.ts';
import { zip } from '../zipFixture.ts';

const enc = new TextEncoder();

/** A .npy file with a header of our own (the body is whatever follows). */
function npyWithHeader(header: string, body = new Uint8Array(0)): Uint8Array {
  const text = `${header}`.padEnd(118, ' ') + '\n';
  const out = new Uint8Array(10 + text.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, text.length, true);
  out.set(enc.encode(text), 10);
  out.set(body, 10 + text.length);
  return out;
}

/** A safetensors file with a header of our own. */
function safetensorsWith(header: unknown, dataBytes: number): Uint8Array {
  const h = enc.encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  return out;
}

describe('.npy headers', () => {
  it("reads Python 2's long dimensions ('shape': (2L,)) as NumPy does", () => {
    const body = new Uint8Array(new Float32Array([1.5, -2]).buffer);
    const a = readNpy(npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2L,), }", body), 'win64python2.npy');
    expect(a.shape).toEqual([2]);
    expect(Array.from(a.data)).toEqual([1.5, -2]);
  });
  it('names a negative, fractional or huge dimension before allocating', () => {
    const h = (shape: string) => npyWithHeader(`{'descr': '<f4', 'fortran_order': False, 'shape': (${shape}), }`);
    expect(() => readNpy(h('-1, 16'), 'neg.npy')).toThrow('neg.npy: the shape has a dimension "-1"; dimensions must be whole numbers >= 0');
    expect(() => readNpy(h('2.5, 4'), 'frac.npy')).toThrow('frac.npy: the shape has a dimension "2.5"');
    expect(() => readNpy(h('100000, 100000, 100'), 'huge.npy')).toThrow(/huge\.npy: shape \(100000, 100000, 100\) declares 1,000,000,000,000 values, over the limit/);
  });
});

describe('safetensors headers', () => {
  const tensor = (offsets: unknown, shape: unknown = [2]) => ({ t: { dtype: 'F32', shape, data_offsets: offsets } });
  it('refuses data_offsets that are not two whole numbers >= 0, or end before they begin', () => {
    expect(() => readSafetensors(safetensorsWith(tensor(['0', '8']), 8), 'str.safetensors')).toThrow('str.safetensors: t: data_offsets must be two whole numbers >= 0, got ["0","8"]');
    expect(() => readSafetensors(safetensorsWith(tensor([-8, 0]), 8), 'neg.safetensors')).toThrow(/neg\.safetensors: t: data_offsets must be two whole numbers >= 0/);
    expect(() => readSafetensors(safetensorsWith(tensor([8, 0], [0]), 8), 'rev.safetensors')).toThrow('rev.safetensors: t: data_offsets [8, 0] end before they begin');
  });
  it('refuses overlapping tensors and a non-string metadata value', () => {
    const header = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } };
    expect(() => readSafetensors(safetensorsWith(header, 12), 'over.safetensors')).toThrow('over.safetensors: tensors a and b overlap (bytes 4 to 8)');
    expect(() => readSafetensors(safetensorsWith({ __metadata__: { doc_ids: ['x'] } }, 0), 'meta.safetensors')).toThrow('meta.safetensors: __metadata__ must be an object of strings');
  });
  it('refuses a huge declared shape before allocating, and reads a valid file to the same numbers', () => {
    expect(() => readSafetensors(safetensorsWith(tensor([0, 8], [300_000_000, 1, 4]), 8), 'big.safetensors')).toThrow(/big\.safetensors: t: shape \(300000000, 1, 4\) declares 1,200,000,000 values/);
    const ok = readSafetensors(writeSafetensors({ x: { dtype: 'F32', shape: [3], data: new Float32Array([1, 2, 3]) } }), 'ok.safetensors');
    expect(Array.from(ok.tensors.get('x')!.data)).toEqual([1, 2, 3]);
  });
});

describe('.npz archives', () => {
  const arr = writeNpy(new Float32Array(4096).fill(0.5), [64, 64]);
  it('stops a member that inflates past the size its entry declares (a decompression bomb)', async () => {
    await expect(readNpz(zip([{ name: 'doc_embeddings.npy', data: arr, deflate: true, declaredSize: 1000 }]), 'bomb.npz')).rejects.toThrow(
      'doc_embeddings: inflates past the 1,000 bytes its archive entry declares; refusing it (damaged, or a decompression bomb)',
    );
  });
  it('refuses a member declared over the limit without inflating it, and duplicate members', async () => {
    await expect(readNpz(zip([{ name: 'doc_embeddings.npy', data: arr, deflate: true, declaredSize: 0xfffffffe }]), 'big.npz')).rejects.toThrow(/doc_embeddings: the archive declares 4,294,967,294 bytes for it, over the limit/);
    await expect(readNpz(zip([{ name: 'a.npy', data: arr }, { name: 'a.npy', data: arr }]), 'dup.npz')).rejects.toThrow('dup.npz: the archive holds "a.npy" twice; refusing to guess which one is meant');
  });
  it('names the file when the directory points outside it, and reads a sound archive', async () => {
    const broken = zip([{ name: 'a.npy', data: arr }]);
    new DataView(broken.buffer).setUint32(broken.length - 6, broken.length + 1000, true); // directory offset past the end
    await expect(readNpz(broken, 'broken.npz')).rejects.toThrow(/broken\.npz: (the ZIP directory points outside the file|damaged ZIP central directory)/);
    const ok = await readNpz(zip([{ name: 'a.npy', data: arr, deflate: true }]), 'ok.npz');
    expect(ok.get('a')!.shape).toEqual([64, 64]);
    expect(ok.get('a')!.data[4095]).toBe(0.5);
  });
});

describe('imports', () => {
  it('an import with no documents is refused whole', async () => {
    const empty = writeSafetensors({ doc_embeddings: { dtype: 'F32', shape: [0, 10, 16], data: new Float32Array(0) } });
    await expect(importEmbeddings({ name: 'empty.safetensors', bytes: empty })).rejects.toThrow('empty.safetensors: doc_embeddings: holds no documents; nothing was imported (the corpus you had is kept)');
  });
  it('a tiny file declaring a vast padded array of dimension 0 is refused at once', async () => {
    const header = { doc_embeddings: { dtype: 'F32', shape: [100000, 100000, 0], data_offsets: [0, 0] } };
    await expect(importEmbeddings({ name: 'vast.safetensors', bytes: safetensorsWith(header, 0) })).rejects.toThrow(/vast\.safetensors: doc_embeddings: vectors of dimension 0; expected 1 to 16,384/);
  });
  it('too many documents are refused from the declared shape', async () => {
    const header = { doc_embeddings: { dtype: 'F32', shape: [3_000_000, 1, 4], data_offsets: [0, 48_000_000] } };
    await expect(importEmbeddings({ name: 'many.safetensors', bytes: safetensorsWith(header, 48_000_000) })).rejects.toThrow(/many\.safetensors: doc_embeddings: 3,000,000 documents, over the limit of 2,000,000/);
  });
});

describe('settings', () => {
  it('prototype keys are unknown options and presets, not inherited properties; errors are SettingErrors', () => {
    expect(() => parseMethodSpec('agc:__proto__=1')).toThrow(SettingError);
    expect(() => parseMethodSpec('agc:toString=1')).toThrow('method "agc" has no option "toString"');
    expect(() => parseMethodSpec('toString')).toThrow(SettingError);
    expect(() => parseStorageList('fp8')).toThrow(SettingError);
    expect(() => syntheticCorpus('toString')).toThrow(SettingError);
    expect(() => syntheticCorpus('__proto__')).toThrow(/unknown synthetic preset "__proto__"/);
  });
});

describe('query and relevance files', async () => {
  const { parseQueriesFile, MAX_QUERY_CHARS } = await import('../../src/core/queriesFile.ts');
  it('an empty grade means grade 1 in relevance TSV as in query files', async () => {
    const file = writeSafetensors({
      doc_embeddings: { dtype: 'F32', shape: [2, 4], data: new Float32Array([1, 0, 0, 0, 0, 1, 0, 0]) },
      doc_offsets: { dtype: 'I32', shape: [2], data: new Int32Array([0, 2]) },
      query_embeddings: { dtype: 'F32', shape: [1, 4], data: new Float32Array([1, 0, 0, 0]) },
      query_offsets: { dtype: 'I32', shape: [2], data: new Int32Array([0, 1]) },
    }, { doc_ids: '["d"]', query_ids: '["q"]' });
    const c = await importEmbeddings({ name: 'c.safetensors', bytes: file }, undefined, { name: 'qrels.tsv', bytes: enc.encode('q\td\t\n') });
    expect(c.qrels.get('q')?.get('d')).toBe(1);
    expect(parseQueriesFile('q.csv', 'red,d,\n').qrels.get('q1')?.get('d')).toBe(1);
  });
  it('a query longer than the cap is refused with the file named', () => {
    expect(() => parseQueriesFile('long.csv', `${'x'.repeat(MAX_QUERY_CHARS + 1)},d\n`)).toThrow(`long.csv: a query of ${(MAX_QUERY_CHARS + 1).toLocaleString('en')} characters; at most ${MAX_QUERY_CHARS.toLocaleString('en')}`);
  });
});

describe('safetensors header keys', () => {
  it('a tensor named twice is refused, not silently the last one; nested repeats and escaped quotes are fine', () => {
    const t = (o: number) => `{"dtype":"F32","shape":[1],"data_offsets":[${o},${o + 4}]}`;
    const text = `{"x":${t(0)},"x":${t(4)}}`;
    const file = (h: string) => {
      const b = new TextEncoder().encode(h);
      const out = new Uint8Array(8 + b.length + 8);
      new DataView(out.buffer).setBigUint64(0, BigInt(b.length), true);
      out.set(b, 8);
      return out;
    };
    expect(() => readSafetensors(file(text), 'dup.safetensors')).toThrow('dup.safetensors: the header names "x" twice; refusing to guess which one is meant');
    const ok = readSafetensors(file(`{"__metadata__":{"a":"say \\"x\\":","b":"x"},"x":${t(0)},"y\\"":${t(4)}}`), 'ok.safetensors');
    expect([...ok.tensors.keys()]).toEqual(['x', 'y"']);
  });
});

describe('imports that would yield no usable document', () => {
  const offsets = (n: number) => ({ dtype: 'I32' as const, shape: [n + 1], data: Int32Array.from({ length: n + 1 }, (_, i) => i) });

  it('a document of zero vectors is refused, named, and nothing is imported', async () => {
    const data = new Float32Array(60 * 8);
    data.fill(0.5, 8 * 8); // documents 8.. have a direction; documents 0..7 are all zeros
    const bytes = writeSafetensors({ doc_embeddings: { dtype: 'F32', shape: [60, 8], data }, doc_offsets: offsets(60) });
    await expect(importEmbeddings({ name: 'zeros.safetensors', bytes })).rejects.toThrow('zeros.safetensors: doc_embeddings: document 0 ("doc-0") has only zero vectors (1 x 8)');
  });

  it('a residual index whose centroids and residual values are all zero decodes to zero vectors and is refused', async () => {
    const corpus = syntheticCorpus('tiny', 3);
    const { exportFiles } = await import('../../src/core/exportIndex.ts');
    const { files } = exportFiles(corpus.docs, { d: corpus.docs[0].d, spec: parseMethodSpec('agc'), budget: 4, storage: 'res2', seed: 1 }, 'test');
    // The same file with the bytes of two arrays set to zero, in place (offsets from its own header).
    const bytes = files.safetensors.slice();
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    for (const name of ['residual_centroids', 'residual_weights']) {
      const [begin, end] = header[name].data_offsets;
      bytes.fill(0, 8 + headerLength + begin, 8 + headerLength + end);
    }
    await expect(importEmbeddings({ name: 'res.safetensors', bytes })).rejects.toThrow(/has only zero vectors/);
  });
});
