import { describe, expect, it } from 'vitest';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ColbertEmbedder } from '../../src/embed/colbert.ts';
import { alignTokens, CHECKPOINT_LINEAR, loadColbertBundle } from '../../src/embed/colbertBundle.ts';
import { ModelFolderError } from '../../src/embed/bundle.ts';
import type { Dtype } from '../../src/embed/embedder.ts';
import { GraphStructureError } from '../../src/onnx/graph.ts';
import { writeSafetensors } from '../../src/core/safetensors.ts';
import { readSafetensors } from '../../src/core/safetensors.ts';
import { readSafetensorsTensor, type ModelSource } from '../../src/embed/registry.ts';
import { createServer } from 'node:http';
import { modelDir, nodeOrt, ROOT } from './models.ts';
import { maxAbsDiff } from '../helpers.ts';

interface Ref {
  d: number;
  queries: { text: string; ids: number[]; vectors: number[] }[];
  docs: { text: string; ids: number[]; vectors: number[]; saliency: number[] }[];
}

async function folder(name: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  const walk = async (dir: string, prefix: string) => {
    for (const f of await readdir(dir)) {
      const p = join(dir, f);
      if ((await stat(p)).isDirectory()) await walk(p, `${prefix}${f}/`);
      else files.set(`${prefix}${f}`, new Uint8Array(await readFile(p)));
    }
  };
  await walk(modelDir(name), '');
  return files;
}

const load = async (files: Map<string, Uint8Array>, dtype: Dtype = 'fp32') => ColbertEmbedder.create(nodeOrt, loadColbertBundle('tiny-colbert', files, dtype), dtype);


describe('ColBERT text embedding (tiny-colbert, PyLate layout) against a numpy reference', async () => {
  const ref = JSON.parse(await readFile(join(ROOT, 'test', 'fixtures', 'colbert.json'), 'utf8')) as Ref;
  const files = await folder('tiny-colbert');
  const vocab = JSON.parse(new TextDecoder().decode(files.get('tokenizer.json')!)).model.vocab as Record<string, number>;

  it('queries: [CLS] [Q] words [SEP], padded with [MASK] to 32, every vector kept, as the reference computes them', async () => {
    const e = await load(files);
    expect(e.selfCheckReport!.ok).toBe(true);
    expect(e.saliencyNote).toBe('cls-attention from /encoder/layer.1/attention/self/Softmax');
    const q = await e.embedQuery('Red apple');
    // bert-base-uncased ids: [CLS] 101, [unused0] 1, [SEP] 102, [MASK] 103.
    expect(q.tokenIds.slice(0, 5)).toEqual([101, 1, vocab.red, vocab.apple, 102]);
    expect(q.tokenIds.slice(5)).toEqual(new Array(27).fill(103));
    expect(q.tokens.slice(0, 5)).toEqual(['[CLS]', '[Q]', 'red', 'apple', '[SEP]']);
    expect(q.d).toBe(ref.d);
    for (const r of ref.queries) {
      const got = await e.embedQuery(r.text);
      expect(got.tokenIds).toEqual(r.ids);
      expect(maxAbsDiff(got.vectors, r.vectors)).toBeLessThan(2e-5);
    }
    await e.release();
  });

  it('documents: [D] marker, punctuation left out, projected by 1_Dense and normalised; [CLS] attention as saliency', async () => {
    const e = await load(files);
    const got = await e.embedPassages(ref.docs.map((d) => d.text));
    got.forEach((g, i) => {
      expect(g.tokenIds).toEqual(ref.docs[i].ids);
      expect(g.tokenIds[1]).toBe(2); // [unused1]
      expect(g.tokenIds).not.toContain(vocab[',']);
      expect(maxAbsDiff(g.vectors, ref.docs[i].vectors)).toBeLessThan(2e-5);
      expect(maxAbsDiff(g.saliency!, ref.docs[i].saliency)).toBeLessThan(1e-5);
    });
    // Where each kept token sits in the text, counted by hand: "The red apple, the green apple."
    expect(Array.from(got[0].start)).toEqual([-1, -1, 0, 4, 8, 15, 19, 25, -1]);
    expect(Array.from(got[0].end)).toEqual([-1, -1, 3, 7, 13, 18, 24, 30, -1]);
    await e.release();
  });

  it('retrieval: each query ranks the passage that shares its words first', async () => {
    const e = await load(files);
    const docs = ['The red apple is on the table.', 'A train crosses the river near the mountain.', 'Coffee and tea with bread and cheese.', 'A storm with rain and snow on the ocean.'];
    const ps = await e.embedPassages(docs);
    const queries = ['red apple', 'train river', 'coffee', 'snow storm'];
    for (const [qi, text] of queries.entries()) {
      const q = await e.embedQuery(text);
      const scores = ps.map((p) => {
        let s = 0;
        for (let i = 0; i < q.n; i++) {
          let best = -Infinity;
          for (let j = 0; j < p.n; j++) {
            let dot = 0;
            for (let k = 0; k < q.d; k++) dot += q.vectors[i * q.d + k] * p.vectors[j * p.d + k];
            best = Math.max(best, dot);
          }
          s += best;
        }
        return s;
      });
      expect(scores.indexOf(Math.max(...scores))).toBe(qi);
    }
    await e.release();
  });

  it('q8 weights (onnx/model_quantized.onnx) pass the self-check and stay close to fp32', async () => {
    const e = await load(files, 'q8');
    expect(e.selfCheckReport!.ok).toBe(true);
    const q = await e.embedQuery(ref.queries[0].text);
    let c = 1;
    for (let t = 0; t < q.n; t++) {
      let dot = 0;
      for (let k = 0; k < q.d; k++) dot += q.vectors[t * q.d + k] * ref.queries[0].vectors[t * q.d + k];
      c = Math.min(c, dot);
    }
    expect(c).toBeGreaterThan(0.99);
    await e.release();
  });

  it('a folder without 1_Dense is refused and says what is missing; a projection of the wrong size too', async () => {
    const noDense = new Map([...files].filter(([p]) => !p.startsWith('1_Dense/')));
    await expect(load(noDense)).rejects.toThrow(/no ColBERT projection found: neither 1_Dense\/model\.safetensors .* nor a "linear.weight" in model.safetensors .* the graph gives 32-dimensional/);
    const wrong = new Map(files);
    wrong.set('1_Dense/model.safetensors', writeSafetensors({ 'linear.weight': { dtype: 'F32', shape: [8, 24], data: new Float32Array(8 * 24).fill(0.1) } }));
    await expect(load(wrong)).rejects.toThrow(GraphStructureError);
    await expect(load(wrong)).rejects.toThrow(/1_Dense maps 24 -> 8 dimensions, but the graph's last_hidden_state has 32/);
    const noMarker = new Map(files);
    noMarker.set('config_sentence_transformers.json', new TextEncoder().encode(JSON.stringify({ query_prefix: '[QQ]' })));
    expect(() => loadColbertBundle('x', noMarker, 'fp32')).toThrow(ModelFolderError);
    expect(() => loadColbertBundle('x', noMarker, 'fp32')).toThrow('the tokenizer has no query marker token "[QQ]"');
  });

  it("lengths past the encoder's positions are refused at load, named (they loaded and failed on every file)", () => {
    const positions = JSON.parse(new TextDecoder().decode(files.get('config.json')!)).max_position_embeddings as number;
    const long = new Map(files);
    long.set('config_sentence_transformers.json', new TextEncoder().encode(JSON.stringify({ document_length: 8192 })));
    expect(() => loadColbertBundle('x', long, 'fp32')).toThrow(`x: config_sentence_transformers.json sets document_length 8192, but config.json's max_position_embeddings is ${positions}: the encoder cannot take that many tokens`);
    long.set('config_sentence_transformers.json', new TextEncoder().encode(JSON.stringify({ document_length: positions, query_length: 32 })));
    expect(() => loadColbertBundle('x', long, 'fp32')).not.toThrow();
  });

  it('without 1_Dense, the checkpoint\'s linear.weight (read alone from model.safetensors) is the projection', async () => {
    const dense = readSafetensors(files.get('1_Dense/model.safetensors')!).tensors.get('linear.weight')!;
    const checkpoint = writeSafetensors({
      'bert.embeddings.word_embeddings.weight': { dtype: 'F32', shape: [300, 8], data: new Float32Array(2400).fill(0.5) },
      'linear.weight': { dtype: 'F32', shape: dense.shape, data: Float32Array.from(dense.data as Float32Array) },
      'bert.pooler.dense.bias': { dtype: 'F32', shape: [3], data: Float32Array.of(1, 2, 3) },
    });
    const source: ModelSource = { kind: 'files', label: 'x', files: new Map([['model.safetensors', new Blob([checkpoint as BlobPart])]]) };
    const one = (await readSafetensorsTensor(source, 'model.safetensors', 'linear.weight'))!;
    expect(one.length).toBeLessThan(checkpoint.length / 4);
    const noDense = new Map([...files].filter(([p]) => !p.startsWith('1_Dense/')));
    noDense.set(CHECKPOINT_LINEAR, one);
    const e = await load(noDense);
    expect(e.projection).toBe("the checkpoint's linear.weight (32 -> 16)");
    const got = await e.embedQuery(ref.queries[0].text);
    expect(maxAbsDiff(got.vectors, ref.queries[0].vectors)).toBeLessThan(2e-5);
    await e.release();
  });

  it('a long passage is cut at the document length, and the cut is counted', async () => {
    const e = await load(files);
    const text = Array.from({ length: 200 }, () => 'rain').join(' ');
    const [p] = await e.embedPassages([text]);
    expect(p.n).toBe(180); // [CLS] [D] 177 words [SEP]
    expect(p.truncated).toBe(23);
    await e.release();
  });
});

describe('one tensor out of a large safetensors file, by range requests', () => {
  const file = writeSafetensors({
    big: { dtype: 'F32', shape: [1000], data: new Float32Array(1000).fill(7) },
    'linear.weight': { dtype: 'F32', shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) },
  });
  async function serve(honourRange: boolean) {
    const asked: string[] = [];
    const server = createServer((req, res) => {
      if (req.url !== '/model.safetensors') return res.writeHead(404).end();
      const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
      asked.push(req.headers.range ?? '');
      if (honourRange && m) res.writeHead(206).end(Buffer.from(file.subarray(Number(m[1]), Number(m[2]) + 1)));
      else res.writeHead(200).end(Buffer.from(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    return { source: { kind: 'url', base: `http://127.0.0.1:${port}` } as ModelSource, asked, close: () => server.close() };
  }
  it.each([true, false])('a host that honours Range: %s', async (honour) => {
    const s = await serve(honour);
    try {
      const one = (await readSafetensorsTensor(s.source, 'model.safetensors', 'linear.weight'))!;
      const t = readSafetensors(one).tensors.get('linear.weight')!;
      expect(t.shape).toEqual([2, 3]);
      expect(Array.from(t.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
      // Three reads: the header length, the header, the tensor (4000 bytes of "big" skipped).
      expect(s.asked).toHaveLength(3);
      expect(s.asked[2]).toMatch(/^bytes=\d+-\d+$/);
      expect(await readSafetensorsTensor(s.source, 'model.safetensors', 'nothing')).toBeUndefined();
      expect(await readSafetensorsTensor(s.source, 'missing.safetensors', 'linear.weight')).toBeUndefined();
    } finally {
      s.close();
    }
  });
});

describe('a tensor header that declares more than can be read', () => {
  it('4 TB of offsets is refused by name before any buffer is made (it was a raw RangeError)', async () => {
    const header = new TextEncoder().encode(JSON.stringify({ 'linear.weight': { dtype: 'F32', shape: [1e12], data_offsets: [0, 4e12] } }));
    const bytes = new Uint8Array(8 + header.length);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(header, 8);
    const source: ModelSource = { kind: 'files', label: 'x', files: new Map([['model.safetensors', new Blob([bytes])]]) };
    await expect(readSafetensorsTensor(source, 'model.safetensors', 'linear.weight')).rejects.toThrow('model.safetensors: linear.weight declares 4,000,000,000,000 bytes; a tensor read alone is at most 64 MiB here');
    const backwards = new TextEncoder().encode(JSON.stringify({ 'linear.weight': { dtype: 'F32', shape: [1], data_offsets: [8, 4] } }));
    const b2 = new Uint8Array(8 + backwards.length);
    new DataView(b2.buffer).setBigUint64(0, BigInt(backwards.length), true);
    b2.set(backwards, 8);
    const s2: ModelSource = { kind: 'files', label: 'x', files: new Map([['model.safetensors', new Blob([b2])]]) };
    await expect(readSafetensorsTensor(s2, 'model.safetensors', 'linear.weight')).rejects.toThrow('data_offsets [8,4]; they must be whole numbers, begin <= end');
  });
});

describe('aligning tokens with the text', () => {
  it('finds word pieces in order, through case and accents; special tokens get -1', () => {
    // "Café au lait": c ##a ##f ##e | au | lait, each piece at its own characters.
    const { start, end } = alignTokens('Café au LAIT', [null, 'c', '##a', '##f', '##e', 'au', 'lait', null]);
    expect(Array.from(start)).toEqual([-1, 0, 1, 2, 3, 5, 8, -1]);
    expect(Array.from(end)).toEqual([-1, 1, 2, 3, 4, 7, 12, -1]);
  });
  it('a token not in the text ([UNK]) does not move the cursor', () => {
    const { start } = alignTokens('x ☃ y', ['x', '[UNK]', 'y']);
    expect(Array.from(start)).toEqual([0, -1, 4]);
  });
  it('a piece that only appears far ahead is not matched there (it would skip the words between)', () => {
    const { start } = alignTokens('a b c d e f g h q', ['a', 'q', 'b']);
    expect(Array.from(start)).toEqual([0, -1, 2]);
  });
});
