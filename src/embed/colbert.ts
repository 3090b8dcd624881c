/**
 * Token-level text embeddings from a ColBERT-family model, as PyLate and Stanford ColBERT compute
 * them: the query marker ([unused0], "[Q]") or document marker ([unused1], "[D]") inserted after
 * [CLS]; queries padded with [MASK] to the query length (query augmentation; the expansion tokens
 * are not attended to unless the model says so, but their vectors are kept); the encoder's
 * last_hidden_state projected by the checkpoint's linear layer (`1_Dense/`, no bias) unless the
 * graph already ends in it; every vector L2-normalised; and, for documents only, padding and the
 * punctuation skiplist left out. Saliency for AGC is the last layer's attention from [CLS],
 * averaged over heads, exposed from the graph's last Softmax as for the vision towers.
 *
 * Folder layout (answerdotai/answerai-colbert-small-v1 with its PyLate files): config.json,
 * tokenizer.json, tokenizer_config.json, onnx/model{,_fp16,_quantized}.onnx, 1_Dense/config.json,
 * 1_Dense/model.safetensors (`linear.weight`, out x in) and config_sentence_transformers.json.
 * Without 1_Dense/, the projection is the checkpoint's `linear.weight` in model.safetensors, read
 * with two range requests (header, then the tensor) instead of the whole checkpoint.
 */
import { GraphStructureError, lastSoftmax, withExtraOutputs } from '../onnx/graph.ts';
import { decodeModel } from '../onnx/proto.ts';
import { ModelFolderError } from './bundle.ts';
import { alignTokens, type ColbertBundle } from './colbertBundle.ts';
import type { Dtype, QueryEmbedding } from './embedder.ts';
import { cosine, normalizeRowsInPlace, toF32, type OrtModule, type OrtSession, type OrtTensor } from './tower.ts';
import { passSelfCheck, SELF_CHECK_MIN_COSINE, type SelfCheckReport } from './selfCheck.ts';

/** One passage's vectors: tokens kept (padding and skiplist out), with where each sits in the text. */
export interface PassageEmbedding {
  n: number;
  d: number;
  vectors: Float32Array;
  tokenIds: number[];
  /** Character offsets of each kept token in the passage, -1 for [CLS], [D], [SEP], [UNK]. */
  start: Int32Array;
  end: Int32Array;
  /** Last-layer attention from [CLS] to each kept token, averaged over heads (null without a Softmax). */
  saliency: Float32Array | null;
  /** Tokens of the passage beyond the model's document length, left out. */
  truncated: number;
}


export class ColbertEmbedder {
  readonly modality = 'text';
  private queue: Promise<unknown> = Promise.resolve();
  d = 0;
  selfCheckReport?: SelfCheckReport;
  /** Whether the projection comes from 1_Dense (applied here) or is already in the graph. */
  projection = '';

  private constructor(
    private readonly ort: OrtModule,
    readonly bundle: ColbertBundle,
    private readonly session: OrtSession,
    private readonly output: string,
    private readonly softmax: { tensor: string; node: string } | null,
    readonly dtype: Dtype,
  ) {}

  static async create(ort: OrtModule, bundle: ColbertBundle, dtype: Dtype, sessionOptions: Record<string, unknown> = {}): Promise<ColbertEmbedder> {
    const model = decodeModel(bundle.model, `${bundle.name} onnx/model.onnx`);
    const outs = model.graph.output.map((o) => o.name);
    const output = outs.includes('last_hidden_state') ? 'last_hidden_state' : outs[0];
    if (!output) throw new GraphStructureError(`${bundle.name}: the graph has no outputs`);
    const ins = model.graph.input.map((i) => i.name);
    if (!ins.includes('input_ids')) throw new GraphStructureError(`${bundle.name}: the graph has no input_ids input (found ${ins.join(', ')}); not a text encoder`);
    const soft = lastSoftmax(model, output);
    const softmax = soft ? { tensor: soft.output[0], node: soft.name ?? '' } : null;
    const elem = model.graph.output.find((o) => o.name === output)?.type?.tensorType?.elemType ?? 1;
    let session: OrtSession;
    try {
      session = await ort.InferenceSession.create(withExtraOutputs(bundle.model, softmax ? [{ name: softmax.tensor, elemType: elem }] : []), sessionOptions);
    } catch (err) {
      throw new GraphStructureError(`${bundle.name}: onnxruntime could not load it (${(err as Error).message})`);
    }
    const e = new ColbertEmbedder(ort, bundle, session, output, softmax, dtype);
    // A missing or misfit projection surfaces in the first run: the folder's problem, not the device's.
    return passSelfCheck(e, bundle.name, async (err) => (err instanceof ModelFolderError || err instanceof GraphStructureError ? err : null));
  }

  /** How a token is shown: [Q] and [D] for the markers, else its vocabulary entry. */
  tokenLabel(id: number): string {
    const s = this.bundle.settings;
    return id === s.queryPrefixId ? '[Q]' : id === s.documentPrefixId ? '[D]' : this.bundle.piece(id);
  }

  get saliencySource(): string {
    return this.softmax ? 'cls-attention' : 'none';
  }

  get saliencyNote(): string {
    return this.softmax ? `cls-attention from ${this.softmax.node}` : 'none (the graph has no Softmax: attention is fused); AGC falls back to uniform saliency';
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** [CLS] marker tokens [SEP], the tokens cut so the whole is at most `length` (PyLate's truncation). */
  private sequence(text: string, marker: number, length: number): { ids: number[]; truncated: number } {
    const s = this.bundle.settings;
    const body = this.bundle.encode(text);
    const room = Math.max(0, length - 3);
    return { ids: [s.clsId, marker, ...body.slice(0, room), s.sepId], truncated: Math.max(0, body.length - room) };
  }

  /** Runs a padded batch; returns per-row projected, normalised vectors [L, D] and attention from CLS. */
  private async run(rows: { ids: number[]; mask: number[] }[]): Promise<{ vectors: Float32Array[]; cls: (Float32Array | null)[]; L: number }> {
    const B = rows.length;
    const L = Math.max(...rows.map((r) => r.ids.length));
    const ids = new BigInt64Array(B * L).fill(BigInt(this.bundle.settings.padId));
    const mask = new BigInt64Array(B * L);
    rows.forEach((r, b) => {
      r.ids.forEach((id, t) => (ids[b * L + t] = BigInt(id)));
      r.mask.forEach((m, t) => (mask[b * L + t] = BigInt(m)));
    });
    const feeds: Record<string, OrtTensor> = { input_ids: new this.ort.Tensor('int64', ids, [B, L]) };
    const names = this.session.inputNames;
    if (names.includes('attention_mask')) feeds.attention_mask = new this.ort.Tensor('int64', mask, [B, L]);
    if (names.includes('token_type_ids')) feeds.token_type_ids = new this.ort.Tensor('int64', new BigInt64Array(B * L), [B, L]);
    const out = await this.session.run(feeds);
    const hidden = toF32(out[this.output]);
    const H = out[this.output].dims[2];
    const dense = this.bundle.dense;
    let D = H;
    if (dense && dense.in === H) {
      D = dense.out;
      this.projection = `${dense.from} (${dense.in} -> ${dense.out}${dense.bias ? ', with bias' : ''})`;
    } else if (dense && dense.out === H) {
      this.projection = `in the graph (its output is already ${H}-dimensional)`;
    } else if (dense) {
      throw new GraphStructureError(`${this.bundle.name}: 1_Dense maps ${dense.in} -> ${dense.out} dimensions, but the graph's ${this.output} has ${H}`);
    } else {
      throw new ModelFolderError(
        `${this.bundle.name}: no ColBERT projection found: neither 1_Dense/model.safetensors (PyLate's layout) nor a "linear.weight" in model.safetensors (the checkpoint) is there, and the graph gives ${H}-dimensional hidden states. Add the model's 1_Dense/ files or its model.safetensors.`,
      );
    }
    const project = dense && dense.in === H ? dense : null;
    const vectors: Float32Array[] = [];
    for (let b = 0; b < B; b++) {
      const v = new Float32Array(L * D);
      for (let t = 0; t < L; t++) {
        const h = hidden.subarray((b * L + t) * H, (b * L + t + 1) * H);
        if (!project) {
          v.set(h, t * D);
          continue;
        }
        for (let o = 0; o < D; o++) {
          let s = project.bias ? project.bias[o] : 0;
          const w = project.weight.subarray(o * H, (o + 1) * H);
          for (let j = 0; j < H; j++) s += w[j] * h[j];
          v[t * D + o] = s;
        }
      }
      normalizeRowsInPlace(v, D);
      vectors.push(v);
    }
    this.d = D;
    // [CLS]'s attention row (query row 0) of the last layer, averaged over heads, per batch row.
    const probs = this.softmax ? out[this.softmax.tensor] : undefined;
    const p = probs && toF32(probs); // float16 graphs: widened once for the whole batch
    const cls = Array.from({ length: B }, (_, b) => {
      if (!probs || !p) return null;
      const heads = probs.dims[1];
      const row = new Float32Array(L);
      for (let h = 0; h < heads; h++) {
        const base = (b * heads + h) * L * L;
        for (let t = 0; t < L; t++) row[t] += p[base + t] / heads;
      }
      return row;
    });
    return { vectors, cls, L };
  }

  /** Document vectors of each passage (in batches of 8, padded to the longest). */
  embedPassages(texts: string[]): Promise<PassageEmbedding[]> {
    return this.exclusive(async () => {
      const s = this.bundle.settings;
      const out: PassageEmbedding[] = [];
      for (let i = 0; i < texts.length; i += 8) {
        const part = texts.slice(i, i + 8).map((t) => this.sequence(t, s.documentPrefixId, s.documentLength));
        const { vectors, cls } = await this.run(part.map((p) => ({ ids: p.ids, mask: p.ids.map(() => 1) })));
        part.forEach((p, k) => {
          const D = this.d;
          const keep = p.ids.map((id, t) => (s.skiplistIds.has(id) ? -1 : t)).filter((t) => t >= 0);
          const v = new Float32Array(keep.length * D);
          keep.forEach((t, r) => v.set(vectors[k].subarray(t * D, (t + 1) * D), r * D));
          const special = new Set([s.clsId, s.sepId, s.documentPrefixId, s.padId]);
          const { start, end } = alignTokens(texts[i + k], keep.map((t) => (special.has(p.ids[t]) ? null : this.bundle.piece(p.ids[t]))));
          const c = cls[k];
          out.push({ n: keep.length, d: D, vectors: v, tokenIds: keep.map((t) => p.ids[t]), start, end, saliency: c ? Float32Array.from(keep, (t) => c[t]) : null, truncated: p.truncated });
        });
      }
      return out;
    });
  }

  /** Query vectors: all query_length of them, [MASK] expansion included (ColBERT's query augmentation). */
  embedQuery(text: string, _includeSpecial = true): Promise<QueryEmbedding> {
    return this.exclusive(async () => {
      const s = this.bundle.settings;
      const { ids } = this.sequence(text, s.queryPrefixId, s.queryLength);
      const real = ids.length;
      while (ids.length < s.queryLength) ids.push(s.maskId);
      const mask = ids.map((_, t) => (t < real || s.attendToExpansion ? 1 : 0));
      const { vectors } = await this.run([{ ids, mask }]);
      return { text, n: ids.length, d: this.d, vectors: vectors[0], tokenIds: ids, tokens: ids.map((id) => this.tokenLabel(id)), droppedZero: 0, pooled: new Float32Array(this.d) };
    });
  }

  /**
   * Invariants checked on every load: a passage's vectors are the same alone and padded in a batch
   * beside a longer passage (padding is masked out), and every vector has unit length.
   */
  async selfCheck(): Promise<SelfCheckReport> {
    const min = SELF_CHECK_MIN_COSINE[this.dtype];
    const a = 'late interaction keeps one vector per token';
    const b = 'a longer passage pads the shorter one in the same batch, which the attention mask must hide from every token';
    const [alone] = await this.embedPassages([a]);
    const [batched] = await this.embedPassages([a, b]);
    let c = 1;
    for (let t = 0; t < alone.n; t++) c = Math.min(c, cosine(alone.vectors, t * alone.d, batched.vectors, t * alone.d, alone.d));
    if (alone.n !== batched.n) c = 0;
    const ok = c >= min;
    const check = 'passage alone = the same passage padded in a batch';
    const message = ok ? `passed (padding cosine ${c.toFixed(5)}, minimum ${min})` : `${check}: cosine ${c.toFixed(5)}, must be at least ${min}`;
    return { ok, vision: { check, cosine: c }, text: { check: 'query marker and expansion', cosine: 1, position: 1 }, minCosine: min, message };
  }

  async release(): Promise<void> {
    await this.session.release?.();
  }
}
