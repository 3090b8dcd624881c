/**
 * Pages and queries through a ColModernVBERT-class visual late-interaction model (one graph:
 * input_ids, attention_mask, pixel_values [batch, tiles, 3, S, S] -> [batch, tokens, d],
 * normalised in the graph): every row the attention mask keeps is a vector, as FastEmbed and
 * colpali-engine keep them. Image-token vectors carry their view (tile, or -1 for the global
 * view), and their row and column inside it; prompt tokens are kept too, with row -1, and named.
 *
 * Saliency for AGC, in the paper's form (its universal query tokens are tokens placed after the
 * document): the prompt's tokens after the last <image> ("<fake_token_around_image>Describe the
 * image.<end_of_utterance> Assistant:" and [SEP]) play that role. The last Softmax's input (the
 * last layer's attention logits, exposed as an extra output) is averaged over heads; the rows of
 * those tokens and the columns of the <image> tokens are taken, softmaxed over those columns,
 * and averaged over the rows. Prompt tokens get saliency 0. Without a Softmax (fused attention)
 * the saliency is uniform and the status line says so.
 */
import { GraphStructureError, lastSoftmax, withExtraOutputs } from '../onnx/graph.ts';
import { decodeModel } from '../onnx/proto.ts';
import type { MultiVector } from '../core/multivector.ts';
import { ModelFolderError } from './bundle.ts';
import { documentPrompt, queryPrompt, type ColVisionBundle } from './colvisionBundle.ts';
import type { Dtype, QueryEmbedding } from './embedder.ts';
import { passSelfCheck, SELF_CHECK_MIN_COSINE, type SelfCheckReport } from './selfCheck.ts';
import { cosine, toF32, type OrtModule, type OrtSession, type OrtTensor } from './tower.ts';

/** One page (or picture) ready for the model: its views' pixels and its tile grid. */
export interface PageInput {
  id: string;
  /** views x 3 x S x S, the tiles row by row then the global view (one view when rows = 0). */
  pixels: Float32Array;
  rows: number;
  cols: number;
}


export class ColVisionEmbedder {
  readonly modality = 'page';
  private queue: Promise<unknown> = Promise.resolve();
  d = 0;
  selfCheckReport?: SelfCheckReport;

  private constructor(
    private readonly ort: OrtModule,
    readonly bundle: ColVisionBundle,
    private readonly session: OrtSession,
    private readonly output: string,
    private readonly logits: { tensor: string; node: string } | null,
    readonly dtype: Dtype,
  ) {}

  static async create(ort: OrtModule, bundle: ColVisionBundle, dtype: Dtype, sessionOptions: Record<string, unknown> = {}): Promise<ColVisionEmbedder> {
    const model = decodeModel(bundle.model, `${bundle.name} ${bundle.graphPath}`);
    const ins = model.graph.input.map((i) => i.name);
    const want = ['input_ids', 'attention_mask', 'pixel_values'];
    const lacking = want.filter((n) => !ins.includes(n));
    if (lacking.length) throw new GraphStructureError(`${bundle.name}: the graph has no ${lacking.join(', ')} input (found ${ins.join(', ')}); a ColModernVBERT export takes ${want.join(', ')}`);
    const pv = model.graph.input.find((i) => i.name === 'pixel_values')?.type?.tensorType?.shape?.dim ?? [];
    if (pv.length !== 5) throw new GraphStructureError(`${bundle.name}: pixel_values has ${pv.length} dimensions; a ColModernVBERT export takes (batch, tiles, 3, height, width)`);
    const output = model.graph.output[0]?.name;
    if (!output) throw new GraphStructureError(`${bundle.name}: the graph has no outputs`);
    // The last Softmax's input: the last layer's attention logits.
    const soft = lastSoftmax(model, output);
    const logits = soft ? { tensor: soft.input[0], node: soft.name ?? '' } : null;
    const elem = model.graph.output[0].type?.tensorType?.elemType ?? 1;
    let session: OrtSession;
    try {
      session = await ort.InferenceSession.create(withExtraOutputs(bundle.model, logits ? [{ name: logits.tensor, elemType: elem }] : []), sessionOptions);
    } catch (err) {
      throw new GraphStructureError(`${bundle.name}: onnxruntime could not load it (${(err as Error).message})`);
    }
    // onnxruntime holds the graph now: the bytes (about 1 GB for the real model) are not kept here too.
    bundle.model = new Uint8Array(0);
    const e = new ColVisionEmbedder(ort, bundle, session, output, logits, dtype);
    return passSelfCheck(e, bundle.name, async (err) => (err instanceof ModelFolderError || err instanceof GraphStructureError ? err : null));
  }

  get saliencySource(): string {
    return this.logits ? 'prompt-attention' : 'uniform';
  }

  get saliencyNote(): string {
    return this.logits
      ? `prompt-attention: the attention logits of ${this.logits.node} from the prompt's tokens after the image to the image tokens, averaged over heads, softmaxed over the image tokens, averaged over those rows`
      : 'none (the graph has no Softmax: attention is fused); AGC falls back to uniform saliency';
  }

  tokenLabel(id: number): string {
    return this.bundle.piece(id);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** One batch: rows of ids (padded on the tokenizer's side), views x 3 x S x S pixels per row. */
  private async run(rows: number[][], pixels: Float32Array[], views: number): Promise<{ out: Float32Array; D: number; L: number; pad: number[]; logits: Float32Array | null; heads: number }> {
    const b = this.bundle;
    const B = rows.length;
    const L = Math.max(...rows.map((r) => r.length));
    const ids = new BigInt64Array(B * L).fill(BigInt(b.padId));
    const mask = new BigInt64Array(B * L);
    const pad = rows.map((r) => L - r.length);
    rows.forEach((r, i) => {
      const at = b.padLeft ? pad[i] : 0;
      r.forEach((id, t) => {
        ids[i * L + at + t] = BigInt(id);
        mask[i * L + at + t] = 1n;
      });
    });
    const S = b.imageSize;
    const pix = new Float32Array(B * views * 3 * S * S);
    pixels.forEach((p, i) => pix.set(p, i * views * 3 * S * S));
    const feeds: Record<string, OrtTensor> = {
      input_ids: new this.ort.Tensor('int64', ids, [B, L]),
      attention_mask: new this.ort.Tensor('int64', mask, [B, L]),
      pixel_values: new this.ort.Tensor('float32', pix, [B, views, 3, S, S]),
    };
    const result = await this.session.run(feeds);
    const o = result[this.output];
    if (o.dims.length !== 3 || o.dims[0] !== B || o.dims[1] !== L)
      throw new GraphStructureError(`${b.name}: the output ${this.output} is [${o.dims.join(', ')}]; a late-interaction model gives (batch, tokens, d) = (${B}, ${L}, d)`);
    this.d = o.dims[2];
    const lg = this.logits ? result[this.logits.tensor] : undefined;
    return { out: toF32(o), D: o.dims[2], L, pad: b.padLeft ? pad : rows.map(() => 0), logits: lg ? toF32(lg) : null, heads: lg?.dims[1] ?? 0 };
  }

  /** Saliency of row `b`'s image tokens (see the module comment); 0 for the other tokens. */
  private saliency(logits: Float32Array, heads: number, L: number, b: number, at: number, ids: number[]): Float32Array {
    const image = ids.flatMap((id, t) => (id === this.bundle.imageTokenId ? [t] : []));
    const out = new Float32Array(ids.length);
    if (image.length === 0) return out;
    const after = ids.map((_, t) => t).filter((t) => t > image[image.length - 1]);
    const z = new Float64Array(image.length);
    for (const r of after) {
      z.fill(0);
      for (let h = 0; h < heads; h++) {
        const base = ((b * heads + h) * L + at + r) * L + at;
        image.forEach((c, j) => (z[j] += logits[base + c] / heads));
      }
      let max = -Infinity;
      for (const v of z) max = Math.max(max, v);
      let sum = 0;
      for (let j = 0; j < z.length; j++) sum += z[j] = Math.exp(z[j] - max);
      image.forEach((c, j) => (out[c] += z[j] / sum / after.length));
    }
    return out;
  }

  /** The document of page `p` from its row of the output. */
  private document(p: PageInput, ids: number[], out: Float32Array, at: number, sal: Float32Array | null): MultiVector {
    const { seqLen, seqGrid, imageTokenId } = this.bundle;
    const D = this.d;
    const n = ids.length;
    const tile = new Int16Array(n).fill(-1);
    const row = new Int16Array(n).fill(-1);
    const col = new Int16Array(n).fill(-1);
    const tiles = p.rows * p.cols;
    let k = 0;
    ids.forEach((id, t) => {
      if (id !== imageTokenId) return;
      const view = Math.floor(k / seqLen);
      const q = k % seqLen;
      tile[t] = view < tiles ? view : -1;
      row[t] = Math.floor(q / seqGrid);
      col[t] = q % seqGrid;
      k++;
    });
    const labels = ids.map((id) => (id === imageTokenId ? '' : this.tokenLabel(id)));
    return {
      id: p.id,
      n,
      d: D,
      data: out.slice(at * D, (at + n) * D),
      positions: { tile, frame: new Int32Array(n).fill(-1), time: new Float32Array(n).fill(NaN), row, col },
      grid: { rows: seqGrid, cols: seqGrid, ...(tiles > 0 ? { tiles: { rows: p.rows, cols: p.cols } } : {}) },
      saliency: sal ?? new Float32Array(n).fill(1),
      saliencySource: this.saliencySource,
      tokenLabels: labels,
    };
  }

  /**
   * Documents of pages with the same number of views, in one batch (pages with other view counts
   * go in batches of their own: the model would drop padded all-zero tiles, this code never pads them).
   */
  embedPages(pages: PageInput[]): Promise<MultiVector[]> {
    return this.exclusive(async () => {
      const b = this.bundle;
      const S = b.imageSize;
      const views = pages[0]?.rows * pages[0]?.cols + 1;
      const rows = pages.map((p) => {
        const v = p.rows * p.cols + 1;
        if (v !== views) throw new Error(`pages of ${v} and ${views} views cannot share a batch`);
        if (p.pixels.length !== v * 3 * S * S) throw new Error(`${p.id}: ${p.pixels.length} pixel values for ${v} views of 3 x ${S} x ${S}`);
        const ids = b.encode(documentPrompt(p.rows, p.cols, b.seqLen));
        const images = ids.filter((id) => id === b.imageTokenId).length;
        if (images !== v * b.seqLen) throw new ModelFolderError(`${b.name}: the tile grid does not match the prompt: ${p.rows} x ${p.cols} tiles + global need ${v * b.seqLen} <image> tokens, the tokenizer gave ${images}`);
        return ids;
      });
      const r = await this.run(rows, pages.map((p) => p.pixels), views);
      return pages.map((p, i) => this.document(p, rows[i], r.out.subarray(i * r.L * r.D, (i + 1) * r.L * r.D), r.pad[i], r.logits ? this.saliency(r.logits, r.heads, r.L, i, r.pad[i], rows[i]) : null));
    });
  }

  /** Query vectors: the text and its ten <end_of_utterance>, with one blank tile (no <image> tokens). */
  embedQuery(text: string, _includeSpecial = true): Promise<QueryEmbedding> {
    return this.exclusive(async () => {
      const S = this.bundle.imageSize;
      const ids = this.bundle.encode(queryPrompt(text));
      const r = await this.run([ids], [new Float32Array(3 * S * S)], 1);
      return { text, n: ids.length, d: r.D, vectors: r.out.slice(0, ids.length * r.D), tokenIds: ids, tokens: ids.map((id) => this.tokenLabel(id)), droppedZero: 0, pooled: new Float32Array(r.D) };
    });
  }

  /** On every load: a page alone equals the same page in a batch of two (and every vector has unit length). */
  async selfCheck(): Promise<SelfCheckReport> {
    const min = SELF_CHECK_MIN_COSINE[this.dtype];
    const S = this.bundle.imageSize;
    // One view per page (the global view alone): the check costs three single-view runs of the
    // model, not three pages of tiles (the real model on WASM: about 12 s per view here), and the
    // batch still puts the second page's tile at the second run of <image> ids.
    const page = (seed: number): PageInput => ({ id: `check-${seed}`, rows: 0, cols: 0, pixels: Float32Array.from({ length: 3 * S * S }, (_, i) => Math.sin(i * 0.013 * seed) * 0.8) });
    const [alone] = await this.embedPages([page(1)]);
    const [, batched] = await this.embedPages([page(2), page(1)]);
    let c = alone.n === batched.n ? 1 : 0;
    for (let t = 0; t < alone.n && c > 0; t++) c = Math.min(c, cosine(alone.data, t * alone.d, batched.data, t * alone.d, alone.d));
    const ok = c >= min;
    const check = 'page alone = the same page in a batch of two';
    const message = ok ? `passed (batch cosine ${c.toFixed(5)}, minimum ${min})` : `${check}: cosine ${c.toFixed(5)}, must be at least ${min}`;
    return { ok, vision: { check, cosine: c }, text: { check: 'query prompt', cosine: 1, position: 1 }, minCosine: min, message };
  }

  async release(): Promise<void> {
    await this.session.release?.();
  }
}
