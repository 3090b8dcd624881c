/**
 * Patch-level multi-vectors from a CLIP/SigLIP dual encoder exported to ONNX.
 *
 * Four onnxruntime sessions per model: the vision tower (with the saliency Softmax exposed as an
 * extra output), the vision head cut out of it (applied to every patch token), the text tower and
 * the text head (applied to every text token). The runtime (onnxruntime-web in the page,
 * onnxruntime-node in Node) is passed in, so the same code runs in both. Every load runs a
 * self-check; a model that fails it is refused.
 */
import { float32ToFloat16 } from '../core/float16.ts';
import { mulberry32 } from '../core/rng.ts';
import { GraphStructureError } from '../onnx/graph.ts';
import { cosine, loadTower, normalizeRowsInPlace, toF32, type OrtModule, type OrtTensor, type Tower } from './tower.ts';
import { inputSize, rgbaToPixelValues, type PreprocessorConfig } from './preprocess.ts';
import { passSelfCheck, SELF_CHECK_MIN_COSINE, type SelfCheckReport } from './selfCheck.ts';

// The self-check's report and errors live in ./selfCheck.ts (shared with the text models); re-exported here.
export { ModelCheckError, ModelRunError, passSelfCheck, SELF_CHECK_MIN_COSINE, type SelfCheckReport } from './selfCheck.ts';
export { cosine, type OrtModule, type OrtSession, type OrtTensor } from './tower.ts';

export interface Tokenized {
  ids: number[];
  mask: number[];
}

export interface ModelBundle {
  name: string;
  config: { model_type?: string; vision_config?: { image_size?: number; patch_size?: number }; [k: string]: unknown };
  preprocessor: PreprocessorConfig;
  vision: Uint8Array;
  text: Uint8Array;
  tokenize: (text: string) => Tokenized;
  /** The text of one token id (for labelling query tokens); optional for hand-made bundles. */
  tokenText?: (id: number) => string;
  /** Ids of special tokens (BOS, EOS, padding), dropped from query vectors unless asked for. */
  specialIds: Set<number>;
  eosId: number;
  /** Sequence length the text tower is fed (SigLIP pads to it); undefined pads to the text. */
  padTo?: number;
}

export type { Dtype } from './tower.ts';
import type { Dtype } from './tower.ts';

export interface ViewEmbeddings {
  views: number;
  /** Patch tokens per view (CLS excluded). */
  patches: number;
  grid: { rows: number; cols: number };
  d: number;
  /** views x patches x d, each row L2-normalised. */
  vectors: Float32Array;
  /** views x patches attention weights averaged over heads, or null (see saliencySource). */
  saliency: Float32Array | null;
  /** views x d pooled embeddings (image_embeds / pooler_output), L2-normalised. */
  pooled: Float32Array;
}

export interface QueryEmbedding {
  text: string;
  n: number;
  d: number;
  vectors: Float32Array;
  /** Token ids kept, one per vector. */
  tokenIds: number[];
  /** Their text, as the tokenizer decodes each alone (e.g. "red", "shape"). */
  tokens: string[];
  /** Tokens dropped because the model gives them no direction (zero vector). */
  droppedZero: number;
  pooled: Float32Array;
}

/**
 * The graph's pooled head was exported with fixed shapes, so it cannot be applied to each token:
 * a structural problem of the file (no other device would help), said with what to do.
 */
export class StaticExportError extends GraphStructureError {
  constructor(message: string) {
    super(message);
    this.name = 'StaticExportError';
  }
}

export class Embedder {
  private queue: Promise<unknown> = Promise.resolve();
  readonly family: 'clip' | 'siglip';
  readonly size: number;
  readonly grid: number;
  readonly tokens: number;
  readonly hasCls: boolean;
  d = 0;
  selfCheckReport?: SelfCheckReport;

  private constructor(
    private readonly ort: OrtModule,
    readonly bundle: ModelBundle,
    readonly vision: Tower,
    readonly text: Tower,
    readonly dtype: Dtype,
  ) {
    this.family = bundle.config.model_type === 'siglip' ? 'siglip' : 'clip';
    this.size = inputSize(bundle.preprocessor);
    const patch = bundle.config.vision_config?.patch_size;
    if (!patch || this.size % patch !== 0) throw new GraphStructureError(`${bundle.name}: config.json vision_config.patch_size is missing or does not divide the image size ${this.size}`);
    this.grid = this.size / patch;
    this.hasCls = this.family === 'clip';
    this.tokens = this.grid * this.grid + (this.hasCls ? 1 : 0);
  }

  /** Builds the sessions and runs the self-check; throws ModelCheckError if the model fails it. */
  static async create(ort: OrtModule, bundle: ModelBundle, dtype: Dtype, sessionOptions: Record<string, unknown> = {}): Promise<Embedder> {
    const vision = await loadTower(ort, bundle.vision, `${bundle.name} vision model`, true, sessionOptions);
    let text: Tower;
    try {
      text = await loadTower(ort, bundle.text, `${bundle.name} text model`, false, sessionOptions);
    } catch (err) {
      // The text tower failed: release the vision sessions already created (GPU memory on WebGPU).
      for (const session of [vision.main, vision.head]) await session.release?.().catch(() => undefined);
      throw err;
    }
    const e = new Embedder(ort, bundle, vision, text, dtype);
    // A head exported with fixed shapes fails the self-check too: say so, rather than blame the device.
    return passSelfCheck(e, bundle.name, (err) => (err instanceof StaticExportError ? Promise.resolve(err) : e.headIsStatic().catch(() => null)));
  }

  /**
   * Whether the cut-out head refuses a batch of one-token sequences (the per-token use): runs the
   * full model on one blank view for the hidden size, then the head on three one-token sequences.
   * Returns the error to throw, or null when the head is fine (the failure was something else).
   */
  private async headIsStatic(): Promise<StaticExportError | null> {
    const S = this.size;
    const out = await this.vision.main.run({ pixel_values: this.floatTensor(this.vision.floatType, new Float32Array(3 * S * S), [1, 3, S, S]) });
    const hidden = out[this.vision.analysis.sequence];
    const H = hidden.dims[hidden.dims.length - 1];
    const probe = new this.ort.Tensor(hidden.type as 'float32', (hidden.data as Float32Array).slice(0, 3 * H), [3, 1, H]);
    let rows: number;
    let why: string;
    try {
      const headOut = await this.vision.head.run({ [this.vision.analysis.headInput]: probe });
      rows = headOut[this.vision.analysis.pooled].dims[0];
      why = `it returned ${rows} row${rows === 1 ? '' : 's'} for 3 one-token sequences`;
    } catch (err) {
      rows = -1;
      why = `it failed on 3 one-token sequences (${(err as Error).message.split('\n')[0]})`;
    }
    if (rows === 3) return null;
    return new StaticExportError(
      `${this.bundle.name}: the vision model's pooled head cannot be applied to one token at a time (${why}), so it cannot give one vector per patch. ` +
        'This is how a static export (fixed shapes) behaves: re-export it with dynamic axes (batch and sequence), e.g. with Optimum or torch.onnx.export(..., dynamic_axes=...).',
    );
  }

  get saliencySource(): string {
    const s = this.vision.analysis.saliency;
    return 'source' in s ? s.source : 'pooled-similarity';
  }

  get saliencyNote(): string {
    const s = this.vision.analysis.saliency;
    return 'source' in s ? `${s.source} from ${s.node}` : `pooled-similarity (${s.reason})`;
  }

  /** One inference at a time per model (concurrent runs fail on WebGPU). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private floatTensor(type: 'float32' | 'float16', data: Float32Array, dims: number[]): OrtTensor {
    if (type === 'float16') return new this.ort.Tensor('float16', Uint16Array.from(data, float32ToFloat16), dims);
    return new this.ort.Tensor('float32', data, dims);
  }

  private async runVision(pixelValues: Float32Array, views: number) {
    const S = this.size;
    const out = await this.vision.main.run({ pixel_values: this.floatTensor(this.vision.floatType, pixelValues, [views, 3, S, S]) });
    const hidden = out[this.vision.analysis.sequence];
    const [, T, H] = hidden.dims;
    if (T !== this.tokens) throw new GraphStructureError(`${this.bundle.name}: the vision model gives ${T} tokens, config.json implies ${this.tokens}`);
    const perToken = new this.ort.Tensor(hidden.type as 'float32', hidden.data as Float32Array, [views * T, 1, H]);
    const headOut = await this.vision.head.run({ [this.vision.analysis.headInput]: perToken });
    const rows = headOut[this.vision.analysis.pooled].dims[0];
    if (rows !== views * T)
      throw new StaticExportError(
        `${this.bundle.name}: the vision model is a static export (its pooled head returned ${rows} rows for ${views * T} tokens), so it cannot give one vector per patch. ` +
          'Re-export it with dynamic axes (batch and sequence), e.g. with Optimum or torch.onnx.export(..., dynamic_axes=...).',
      );
    return { out, hidden, T, H, tokenVectors: toF32(headOut[this.vision.analysis.pooled]), pooled: toF32(out[this.vision.analysis.pooled]) };
  }

  /**
   * Embeds `views` preprocessed images (CHW float32, views x 3 x S x S). Returns one vector per
   * patch (CLS dropped), attention saliency per patch, and the pooled embedding per view.
   */
  embedViews(pixelValues: Float32Array, views: number): Promise<ViewEmbeddings> {
    return this.exclusive(async () => {
      // Views run in chunks: memory stays bounded for 24-frame videos, and with q8 weights one view
      // per run, because DynamicQuantizeLinear takes one scale over the whole batch, so a view's
      // vectors would otherwise depend on the other views it was batched with.
      // A graph exported with a fixed batch of 1 (no dynamic axes) gets one view per run too.
      const chunk = this.dtype === 'q8' || this.vision.fixedBatch === 1 ? 1 : 8;
      if (views <= chunk) return this.embedViewBatch(pixelValues, views);
      const per = pixelValues.length / views;
      const parts: ViewEmbeddings[] = [];
      for (let v = 0; v < views; v += chunk) {
        const n = Math.min(chunk, views - v);
        parts.push(await this.embedViewBatch(pixelValues.subarray(v * per, (v + n) * per), n));
      }
      const cat = (xs: Float32Array[]) => {
        const out = new Float32Array(xs.reduce((s, x) => s + x.length, 0));
        let o = 0;
        for (const x of xs) (out.set(x, o), (o += x.length));
        return out;
      };
      const saliency = parts.every((p) => p.saliency) ? cat(parts.map((p) => p.saliency!)) : null;
      return { ...parts[0], views, vectors: cat(parts.map((p) => p.vectors)), saliency, pooled: cat(parts.map((p) => p.pooled)) };
    });
  }

  private embedViewBatch(pixelValues: Float32Array, views: number): Promise<ViewEmbeddings> {
    return (async () => {
      const { out, T, tokenVectors, pooled } = await this.runVision(pixelValues, views);
      const D = tokenVectors.length / (views * T);
      this.d = D;
      const P = this.grid * this.grid;
      const first = this.hasCls ? 1 : 0;
      const vectors = new Float32Array(views * P * D);
      for (let v = 0; v < views; v++) {
        vectors.set(tokenVectors.subarray((v * T + first) * D, (v * T + first + P) * D), v * P * D);
      }
      normalizeRowsInPlace(vectors, D);
      const pooledN = Float32Array.from(pooled);
      normalizeRowsInPlace(pooledN, D);
      let saliency: Float32Array | null = null;
      const sal = this.vision.analysis.saliency;
      if (sal.tensor && out[sal.tensor]) saliency = this.attentionSaliency(toF32(out[sal.tensor]), out[sal.tensor].dims, views, T);
      return { views, patches: P, grid: { rows: this.grid, cols: this.grid }, d: D, vectors, saliency, pooled: pooledN };
    })();
  }

  /** Averages over heads the attention row of CLS (CLIP) or of the probe (SigLIP) to every patch. */
  private attentionSaliency(probs: Float32Array, dims: readonly number[], views: number, T: number): Float32Array | null {
    const Tk = dims[dims.length - 1];
    const Tq = dims[dims.length - 2];
    if (Tk !== T) return null;
    const heads = dims.length === 4 ? dims[1] : dims[0] / views;
    const P = this.grid * this.grid;
    const first = this.hasCls ? 1 : 0;
    const out = new Float32Array(views * P);
    for (let v = 0; v < views; v++) {
      for (let h = 0; h < heads; h++) {
        const row = ((v * heads + h) * Tq + 0) * Tk; // query row 0: CLS, or the single probe
        for (let p = 0; p < P; p++) out[v * P + p] += probs[row + first + p] / heads;
      }
    }
    return out;
  }

  /** One vector per text token (padding dropped; special tokens only if asked). */
  embedQuery(text: string, includeSpecial = false): Promise<QueryEmbedding> {
    return this.exclusive(async () => {
      const { ids, mask, tokenVectors, pooled, D } = await this.runText(text);
      const keep: number[] = [];
      let droppedZero = 0;
      for (let i = 0; i < ids.length; i++) {
        if (!mask[i]) continue;
        if (!includeSpecial && this.bundle.specialIds.has(ids[i])) continue;
        let s = 0;
        for (let j = 0; j < D; j++) s += tokenVectors[i * D + j] ** 2;
        if (s < 1e-12) {
          droppedZero++;
          continue;
        }
        keep.push(i);
      }
      const vectors = new Float32Array(keep.length * D);
      keep.forEach((i, r) => vectors.set(tokenVectors.subarray(i * D, (i + 1) * D), r * D));
      normalizeRowsInPlace(vectors, D);
      const pooledN = Float32Array.from(pooled);
      normalizeRowsInPlace(pooledN, D);
      const tokenIds = keep.map((i) => ids[i]);
      const tokens = tokenIds.map((id) => this.bundle.tokenText?.(id) ?? `#${id}`);
      return { text, n: keep.length, d: D, vectors, tokenIds, tokens, droppedZero, pooled: pooledN };
    });
  }

  private async runText(text: string) {
    const { ids, mask } = this.bundle.tokenize(text);
    const L = ids.length;
    const feeds: Record<string, OrtTensor> = {
      input_ids: new this.ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, L]),
    };
    if (this.text.main.inputNames.includes('attention_mask')) {
      feeds.attention_mask = new this.ort.Tensor('int64', BigInt64Array.from(mask.map(BigInt)), [1, L]);
    }
    const out = await this.text.main.run(feeds);
    const hidden = out[this.text.analysis.sequence];
    const H = hidden.dims[2];
    const headFeeds: Record<string, OrtTensor> = {
      [this.text.analysis.headInput]: new this.ort.Tensor(hidden.type as 'float32', hidden.data as Float32Array, [L, 1, H]),
    };
    for (const name of this.text.analysis.headInputs) {
      headFeeds[name] = new this.ort.Tensor('int64', new BigInt64Array(L).fill(name === 'input_ids' ? BigInt(this.bundle.eosId) : 1n), [L, 1]);
    }
    const headOut = await this.text.head.run(headFeeds);
    const tokenVectors = toF32(headOut[this.text.analysis.pooled]);
    const pooled = toF32(out[this.text.analysis.pooled]);
    return { ids, mask, tokenVectors, pooled, D: pooled.length };
  }

  /**
   * Invariants checked on every load:
   * - vision, CLS models: the head applied to the CLS token alone equals image_embeds;
   * - vision, attention-pooled models (SigLIP): the cut-out head on the whole sequence equals the
   *   pooled output, and a token's vector from the batched run equals the head run on that token
   *   alone (the per-token batch does not mix tokens);
   * - text: the vector at the pooled position (CLIP: first EOS; SigLIP: last) equals the pooled
   *   text embedding.
   */
  async selfCheck(): Promise<SelfCheckReport> {
    const min = SELF_CHECK_MIN_COSINE[this.dtype];
    const S = this.size;
    const rng = mulberry32(12345);
    const rgba = new Uint8ClampedArray(S * S * 4);
    for (let i = 0; i < S * S; i++) {
      const x = i % S;
      const y = Math.floor(i / S);
      rgba[i * 4] = (255 * x) / S;
      rgba[i * 4 + 1] = (255 * y) / S;
      rgba[i * 4 + 2] = 255 * rng.next();
      rgba[i * 4 + 3] = 255;
    }
    const pix = new Float32Array(3 * S * S);
    rgbaToPixelValues(rgba, S, this.bundle.preprocessor, pix);

    const vision = await this.exclusive(async () => {
      const { hidden, T, H, tokenVectors, pooled } = await this.runVision(pix, 1);
      const D = pooled.length;
      this.d = D;
      if (!this.vision.analysis.attentionPooling) {
        return { check: 'head(CLS token) = pooled output', cosine: cosine(tokenVectors, 0, pooled, 0, D) };
      }
      const hid = hidden.data as Float32Array;
      const whole = await this.vision.head.run({ [this.vision.analysis.headInput]: new this.ort.Tensor(hidden.type as 'float32', hid, [1, T, H]) });
      const c1 = cosine(toF32(whole[this.vision.analysis.pooled]), 0, pooled, 0, D);
      let c2 = 1;
      for (const t of [0, T - 1]) {
        const one = await this.vision.head.run({
          [this.vision.analysis.headInput]: new this.ort.Tensor(hidden.type as 'float32', hid.slice(t * H, (t + 1) * H), [1, 1, H]),
        });
        c2 = Math.min(c2, cosine(toF32(one[this.vision.analysis.pooled]), 0, tokenVectors, t * D, D));
      }
      return { check: 'cut-out head(sequence) = pooled output; batched per-token head = head on each token alone', cosine: Math.min(c1, c2) };
    });

    const text = await this.exclusive(async () => {
      const { ids, tokenVectors, pooled, D } = await this.runText('a photo of a red circle');
      const position = this.family === 'siglip' ? ids.length - 1 : Math.max(0, ids.indexOf(this.bundle.eosId));
      return { check: `head(token ${position}) = pooled text embedding`, cosine: cosine(tokenVectors, position * D, pooled, 0, D), position };
    });

    const ok = vision.cosine >= min && text.cosine >= min;
    const message = ok
      ? `passed (vision cosine ${vision.cosine.toFixed(5)}, text cosine ${text.cosine.toFixed(5)}, minimum ${min})`
      : `vision: ${vision.check}: cosine ${vision.cosine.toFixed(5)}; text: ${text.check}: cosine ${text.cosine.toFixed(5)}; both must be at least ${min}`;
    return { ok, vision, text, minCosine: min, message };
  }

  async release(): Promise<void> {
    for (const s of [this.vision.main, this.vision.head, this.text.main, this.text.head]) await s.release?.();
  }
}
