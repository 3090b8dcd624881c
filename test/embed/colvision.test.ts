import { describe, expect, it } from 'vitest';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ColVisionEmbedder } from '../../src/embed/colvision.ts';
import { documentPrompt, loadColVisionBundle, tileGrid } from '../../src/embed/colvisionBundle.ts';
import { ModelFolderError } from '../../src/embed/bundle.ts';
import { GraphStructureError } from '../../src/onnx/graph.ts';
import { GraphBuilder, DataType } from '../../src/onnx/builder.ts';
import { encodeModel } from '../../src/onnx/proto.ts';
import { modelDir, nodeOrt, ROOT } from './models.ts';
import { maxAbsDiff } from '../helpers.ts';

interface Ref {
  imageSize: number;
  imageSeqLen: number;
  splits: { name: string; width: number; height: number; tiles: number; rows: number; cols: number; views: number; tokens: number; imageTokens: number }[];
  singlePrompt: { ids: number[] };
  doc: { rows: number; cols: number; ids: number[]; vectors: number[]; saliency: number[] };
  query: { text: string; ids: number[]; vectors: number[] };
}

async function folder(): Promise<Map<string, Uint8Array>> {
  const dir = modelDir('tiny-colmodernvbert');
  const files = new Map<string, Uint8Array>();
  for (const f of await readdir(dir)) files.set(f, new Uint8Array(await readFile(join(dir, f))));
  return files;
}

/** The fixture's pixel formula (scripts/make_colmodernvbert_fixture.py, pixel()). */
function pixels(views: number, S: number): Float32Array {
  const out = new Float32Array(views * 3 * S * S);
  let i = 0;
  for (let t = 0; t < views; t++)
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) out[i++] = Math.sin(0.11 * (x + 1) * (c + 1) + 0.07 * y + 0.9 * t) * 0.9 + 0.05 * Math.cos(0.013 * x * y);
  return out;
}


describe('ColModernVBERT (tiny-colmodernvbert, FastEmbed layout) against a NumPy reference', async () => {
  const ref = JSON.parse(await readFile(join(ROOT, 'test', 'fixtures', 'colmodernvbert.json'), 'utf8')) as Ref;
  const files = await folder();
  const bundle = loadColVisionBundle('tiny-colmodernvbert', files);

  it("splits portrait, landscape, square, tiny and wide pictures and an A4 page as the processor does, at every tile setting", () => {
    expect(ref.splits.length).toBe(24);
    for (const s of ref.splits) {
      const g = tileGrid(bundle, s.width, s.height, s.tiles);
      expect({ name: s.name, tiles: s.tiles, rows: g.rows, cols: g.cols }).toEqual({ name: s.name, tiles: s.tiles, rows: s.rows, cols: s.cols });
      const ids = bundle.encode(documentPrompt(g.rows, g.cols, bundle.seqLen));
      expect(ids.length).toBe(s.tokens);
      expect(ids.filter((id) => id === bundle.imageTokenId).length).toBe(s.imageTokens);
    }
    // The unsplit prompt (tile setting 1): the global view alone, with its own tokens.
    expect(bundle.encode(documentPrompt(0, 0, bundle.seqLen))).toEqual(ref.singlePrompt.ids);
  });

  it('embeds a page (1 x 2 tiles + global) to the reference vectors and saliency, each token placed on its view', async () => {
    const fresh = loadColVisionBundle('tiny-colmodernvbert', files);
    const e = await ColVisionEmbedder.create(nodeOrt, fresh, 'fp32');
    expect(e.selfCheckReport!.ok).toBe(true);
    // onnxruntime holds the graph: the embedder keeps no copy of its bytes.
    expect(fresh.model.length).toBe(0);
    expect(e.saliencyNote).toContain('/model/text_model/layers.1/attn/Softmax');
    const S = ref.imageSize;
    const [doc] = await e.embedPages([{ id: 'p', rows: ref.doc.rows, cols: ref.doc.cols, pixels: pixels(3, S) }]);
    expect(doc.n).toBe(ref.doc.ids.length);
    expect(doc.d).toBe(128);
    expect(maxAbsDiff(doc.data, ref.doc.vectors)).toBeLessThan(2e-5);
    // 16 image tokens per view: tile 0, tile 1, then the global view (-1); a 4 x 4 grid in each.
    const image = ref.doc.ids.flatMap((id, t) => (id === bundle.imageTokenId ? [t] : []));
    expect(maxAbsDiff(image.map((t) => doc.saliency![t]), ref.doc.saliency)).toBeLessThan(1e-5);
    expect(image.length).toBe(48);
    const tile = image.map((t) => doc.positions!.tile![t]);
    expect(tile).toEqual([...new Array(16).fill(0), ...new Array(16).fill(1), ...new Array(16).fill(-1)]);
    expect(image.slice(0, 16).map((t) => [doc.positions!.row![t], doc.positions!.col![t]])).toEqual(Array.from({ length: 16 }, (_, k) => [Math.floor(k / 4), k % 4]));
    expect(doc.grid).toEqual({ rows: 4, cols: 4, tiles: { rows: 1, cols: 2 } });
    // Prompt tokens are kept, named, off the page (row -1).
    const text = ref.doc.ids.flatMap((id, t) => (id === bundle.imageTokenId ? [] : [t]));
    expect(text.every((t) => doc.positions!.row![t] === -1 && doc.saliency![t] === 0)).toBe(true);
    expect(text.map((t) => doc.tokenLabels![t])).toContain('describe');
    expect(text.map((t) => doc.tokenLabels![t])).toContain('<row_1_col_2>');
    await e.release();
  });

  it('embeds a query with its ten <end_of_utterance> and a blank tile to the reference vectors', async () => {
    const e = await ColVisionEmbedder.create(nodeOrt, loadColVisionBundle('tiny-colmodernvbert', files), 'fp32');
    const q = await e.embedQuery(ref.query.text);
    expect(q.tokenIds).toEqual(ref.query.ids);
    expect(q.tokens.filter((t) => t === '<end_of_utterance>').length).toBe(10);
    expect(maxAbsDiff(q.vectors, ref.query.vectors)).toBeLessThan(2e-5);
    await e.release();
  });

  it('refuses, by name, a folder without the processor configs, a tokenizer without the image tokens, and a tile grid that does not match the prompt', () => {
    const without = new Map(files);
    without.delete('processor_config.json');
    expect(() => loadColVisionBundle('f', without)).toThrow(/processor_config\.json is missing/);
    const tok = JSON.parse(new TextDecoder().decode(files.get('tokenizer.json')!));
    tok.added_tokens = tok.added_tokens.filter((a: { content: string }) => a.content !== '<image>' && a.content !== '<global-img>');
    const noImage = new Map(files).set('tokenizer.json', new TextEncoder().encode(JSON.stringify(tok)));
    expect(() => loadColVisionBundle('f', noImage)).toThrow(/tokenizer has no <global-img>, <image> tokens/);
    const proc = new Map(files).set('processor_config.json', new TextEncoder().encode(JSON.stringify({ image_seq_len: 64 })));
    expect(() => loadColVisionBundle('f', proc)).toThrow(ModelFolderError);
    expect(() => loadColVisionBundle('f', proc)).toThrow(/tile grid does not match the prompt: .* = 16 tokens per tile, processor_config\.json's image_seq_len says 64/);
  });

  it('refuses a graph whose output is not (batch, tokens, d)', async () => {
    // Same inputs, one vector per sequence (mean over tokens): not a late-interaction output.
    const g = new GraphBuilder();
    const emb = g.init('emb', [bundle.imageTokenId + 1, 8], Float32Array.from({ length: (bundle.imageTokenId + 1) * 8 }, (_, i) => Math.sin(i)));
    g.op1('/x', 'ReduceMean', [g.op1('/x', 'Gather', [emb, 'input_ids'], { axis: 0 })], { axes: [1], keepdims: 0 });
    g.renameLastOutput('pooled');
    const io = (name: string, elemType: number, dims: (number | string)[]) => ({ name, elemType, dims });
    const model = encodeModel(g.build([io('input_ids', DataType.INT64, ['b', 'l']), io('attention_mask', DataType.INT64, ['b', 'l']), io('pixel_values', DataType.FLOAT, ['b', 't', 3, 64, 64])], [io('pooled', DataType.FLOAT, ['b', 8])], 17));
    const bad = loadColVisionBundle('pooled', new Map(files).set('model.onnx', model));
    const err = await ColVisionEmbedder.create(nodeOrt, bad, 'fp32').catch((x: Error) => x);
    expect(err).toBeInstanceOf(GraphStructureError);
    expect((err as Error).message).toMatch(/the output pooled is \[1, 8\]; a late-interaction model gives \(batch, tokens, d\)/);
  });
});
