/**
 * CLIP-like and SigLIP-like dual encoders as ONNX graphs, with the input/output names and node
 * patterns of the Hugging Face exports (`onnx/vision_model.onnx`, `onnx/text_model.onnx`):
 * unfused attention with a Softmax per layer, LayerNormalization fused (opset 17) or decomposed
 * (opset 14), quick-GELU (CLIP) or tanh-GELU (SigLIP), and an optional dynamically quantised (q8)
 * variant where every Linear is DynamicQuantizeLinear + MatMulInteger, as onnxruntime's
 * `quantize_dynamic` writes it. Weights come from a provider, so the same graph code builds the
 * random test models and the hand-set teaching model.
 */
import { DataType, GraphBuilder, type IOSpec } from '../onnx/builder.ts';
import type { ModelProto } from '../onnx/proto.ts';

export type Family = 'clip' | 'siglip';

export interface ArchSpec {
  family: Family;
  hidden: number;
  heads: number;
  layers: number;
  intermediate: number;
  /** Joint embedding size (CLIP's projection_dim; SigLIP uses hidden). */
  projection: number;
  imageSize: number;
  patchSize: number;
  vocabSize: number;
  maxPositions: number;
  eosTokenId: number;
  layerNorm: 'fused' | 'decomposed';
  quantize: boolean;
  layerNormEps: number;
  /**
   * 'softmax' (default): a Softmax node per attention, as in eager exports. 'exp-normalise':
   * Exp / ReduceSum instead, standing in for graphs whose attention exposes no Softmax (fused).
   */
  attentionProbs?: 'softmax' | 'exp-normalise';
  /** The MLP's activation; by default quick-GELU for CLIP, tanh-GELU for SigLIP (BERT: 'gelu-erf'). */
  activation?: 'quick-gelu' | 'gelu-tanh' | 'gelu-erf';
}

/** Supplies every weight by its torch parameter name; linear weights are [in, out]. */
export type WeightProvider = (name: string, dims: number[]) => Float32Array;

/** Parameters, layer norms, linears, attention and MLPs of the generated graphs (also used by ./bert.ts). */
export class Net {
  readonly g = new GraphBuilder();
  constructor(
    readonly spec: ArchSpec,
    readonly w: WeightProvider,
  ) {}

  param(name: string, dims: number[]): string {
    const data = this.w(name, dims);
    if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`weight ${name}: wrong size`);
    return this.g.init(name, dims, data);
  }

  layerNorm(scope: string, x: string, paramPrefix: string, dim: number): string {
    const scale = this.param(`${paramPrefix}.weight`, [dim]);
    const bias = this.param(`${paramPrefix}.bias`, [dim]);
    const g = this.g;
    if (this.spec.layerNorm === 'fused') {
      return g.op1(scope, 'LayerNormalization', [x, scale, bias], { axis: -1, epsilon: { float: this.spec.layerNormEps } });
    }
    const mean = g.op1(scope, 'ReduceMean', [x], { axes: [-1] });
    const centred = g.op1(scope, 'Sub', [x, mean]);
    const sq = g.op1(scope, 'Pow', [centred, g.f32([2], true)]);
    const variance = g.op1(scope, 'ReduceMean', [sq], { axes: [-1] });
    const eps = g.op1(scope, 'Add', [variance, g.f32([this.spec.layerNormEps], true)]);
    const std = g.op1(scope, 'Sqrt', [eps]);
    const normed = g.op1(scope, 'Div', [centred, std]);
    const scaled = g.op1(scope, 'Mul', [normed, scale]);
    return g.op1(scope, 'Add', [scaled, bias]);
  }

  /** x @ W (+ b). W is [in, out]. With `quantize`, the q8 pattern of onnxruntime's quantize_dynamic. */
  linear(scope: string, x: string, paramPrefix: string, dIn: number, dOut: number, bias = true): string {
    const g = this.g;
    const weight = this.w(`${paramPrefix}.weight`, [dIn, dOut]);
    let y: string;
    if (!this.spec.quantize) {
      const wName = g.init(`onnx::MatMul_${paramPrefix}`, [dIn, dOut], weight);
      y = g.op1(scope, 'MatMul', [x, wName]);
    } else {
      let maxAbs = 0;
      for (const v of weight) maxAbs = Math.max(maxAbs, Math.abs(v));
      const wScale = maxAbs > 0 ? maxAbs / 127 : 1;
      const q = Int8Array.from(weight, (v) => Math.max(-127, Math.min(127, Math.round(v / wScale))));
      const wq = g.init(`onnx::MatMul_${paramPrefix}_quantized`, [dIn, dOut], q);
      const ws = g.init(`onnx::MatMul_${paramPrefix}_scale`, [], Float32Array.of(wScale));
      const wz = g.init(`onnx::MatMul_${paramPrefix}_zero_point`, [], Int8Array.of(0));
      const [xq, xs, xz] = g.op(scope, 'DynamicQuantizeLinear', [x], {}, 3);
      const acc = g.op1(scope, 'MatMulInteger', [xq, wq, xz, wz]);
      const accF = g.op1(scope, 'Cast', [acc], { to: DataType.FLOAT });
      const scale = g.op1(scope, 'Mul', [xs, ws]);
      y = g.op1(scope, 'Mul', [accF, scale]);
    }
    if (!bias) return y;
    const b = this.param(`${paramPrefix}.bias`, [dOut]);
    return g.op1(scope, 'Add', [y, b]);
  }

  activation(scope: string, x: string): string {
    const g = this.g;
    const kind = this.spec.activation ?? (this.spec.family === 'clip' ? 'quick-gelu' : 'gelu-tanh');
    if (kind === 'gelu-erf') {
      // gelu: 0.5 x (1 + erf(x / sqrt 2)), the exact form BERT uses
      const e = g.op1(scope, 'Erf', [g.op1(scope, 'Div', [x, g.f32([Math.SQRT2], true)])]);
      return g.op1(scope, 'Mul', [g.op1(scope, 'Mul', [x, g.op1(scope, 'Add', [e, g.f32([1], true)])]), g.f32([0.5], true)]);
    }
    if (kind === 'quick-gelu') {
      // quick_gelu: x * sigmoid(1.702 x)
      const m = g.op1(scope, 'Mul', [x, g.f32([1.702], true)]);
      const s = g.op1(scope, 'Sigmoid', [m]);
      return g.op1(scope, 'Mul', [x, s]);
    }
    // gelu_pytorch_tanh: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    const x3 = g.op1(scope, 'Pow', [x, g.f32([3], true)]);
    const a = g.op1(scope, 'Mul', [x3, g.f32([0.044715], true)]);
    const inner = g.op1(scope, 'Add', [x, a]);
    const sc = g.op1(scope, 'Mul', [inner, g.f32([Math.sqrt(2 / Math.PI)], true)]);
    const t = g.op1(scope, 'Tanh', [sc]);
    const one = g.op1(scope, 'Add', [t, g.f32([1], true)]);
    const half = g.op1(scope, 'Mul', [x, g.f32([0.5], true)]);
    return g.op1(scope, 'Mul', [half, one]);
  }

  /**
   * Multi-head attention with an explicit Softmax (the unfused pattern of eager-mode exports).
   * q comes from `xq` ([B, Tq, H]), keys and values from `xkv` ([B, Tk, H]).
   */
  attention(scope: string, xq: string, xkv: string, prefix: string, mask?: string): string {
    const { hidden: H, heads } = this.spec;
    const hd = H / heads;
    const g = this.g;
    const q = this.linear(`${scope}/q_proj`, xq, `${prefix}.q_proj`, H, H);
    const k = this.linear(`${scope}/k_proj`, xkv, `${prefix}.k_proj`, H, H);
    const v = this.linear(`${scope}/v_proj`, xkv, `${prefix}.v_proj`, H, H);
    const split = g.i64([0, 0, heads, hd]);
    const qh = g.op1(scope, 'Transpose', [g.op1(scope, 'Reshape', [q, split])], { perm: [0, 2, 1, 3] });
    const khT = g.op1(scope, 'Transpose', [g.op1(scope, 'Reshape', [k, split])], { perm: [0, 2, 3, 1] });
    const vh = g.op1(scope, 'Transpose', [g.op1(scope, 'Reshape', [v, split])], { perm: [0, 2, 1, 3] });
    let scores = g.op1(scope, 'MatMul', [qh, khT]);
    scores = g.op1(scope, 'Mul', [scores, g.f32([1 / Math.sqrt(hd)], true)]);
    if (mask) scores = g.op1(scope, 'Add', [scores, mask]);
    let probs: string;
    if (this.spec.attentionProbs === 'exp-normalise') {
      const e = g.op1(scope, 'Exp', [scores]);
      probs = g.op1(scope, 'Div', [e, g.op1(scope, 'ReduceSum', [e, g.i64([-1])], { keepdims: 1 })]);
    } else {
      probs = g.op1(scope, 'Softmax', [scores], { axis: -1 });
    }
    const ctx = g.op1(scope, 'MatMul', [probs, vh]);
    const merged = g.op1(scope, 'Reshape', [g.op1(scope, 'Transpose', [ctx], { perm: [0, 2, 1, 3] }), g.i64([0, 0, H])]);
    return this.linear(`${scope}/out_proj`, merged, `${prefix}.out_proj`, H, H);
  }

  mlp(scope: string, x: string, prefix: string): string {
    const { hidden: H, intermediate: I } = this.spec;
    const h = this.linear(`${scope}/fc1`, x, `${prefix}.fc1`, H, I);
    const a = this.activation(`${scope}/activation_fn`, h);
    return this.linear(`${scope}/fc2`, a, `${prefix}.fc2`, I, H);
  }

  encoder(tower: string, x: string, mask?: string): string {
    const H = this.spec.hidden;
    for (let l = 0; l < this.spec.layers; l++) {
      const scope = `/${tower}/encoder/layers.${l}`;
      const prefix = `${tower}.encoder.layers.${l}`;
      const h1 = this.layerNorm(`${scope}/layer_norm1`, x, `${prefix}.layer_norm1`, H);
      const att = this.attention(`${scope}/self_attn`, h1, h1, `${prefix}.self_attn`, mask);
      x = this.g.op1(scope, 'Add', [x, att]);
      const h2 = this.layerNorm(`${scope}/layer_norm2`, x, `${prefix}.layer_norm2`, H);
      const m = this.mlp(`${scope}/mlp`, h2, `${prefix}.mlp`);
      x = this.g.op1(scope, 'Add', [x, m]);
    }
    return x;
  }

  opset(): number {
    return this.spec.layerNorm === 'fused' ? 17 : 14;
  }
}

/** onnx/vision_model.onnx: pixel_values -> (image_embeds | pooler_output), last_hidden_state. */
export function buildVisionModel(spec: ArchSpec, w: WeightProvider): ModelProto {
  const net = new Net(spec, w);
  const g = net.g;
  const { hidden: H, patchSize: P, imageSize: S } = spec;
  const grid = S / P;
  const tower = 'vision_model';
  const clip = spec.family === 'clip';

  const convW = net.param(`${tower}.embeddings.patch_embedding.weight`, [H, 3, P, P]);
  const convInputs = ['pixel_values', convW];
  if (!clip) convInputs.push(net.param(`${tower}.embeddings.patch_embedding.bias`, [H]));
  const conv = g.op1(`/${tower}/embeddings/patch_embedding`, 'Conv', convInputs, {
    kernel_shape: [P, P],
    strides: [P, P],
    pads: [0, 0, 0, 0],
    dilations: [1, 1],
    group: 1,
  });
  const flat = g.op1(`/${tower}/embeddings`, 'Reshape', [conv, g.i64([0, 0, -1])]);
  let x = g.op1(`/${tower}/embeddings`, 'Transpose', [flat], { perm: [0, 2, 1] });
  const tokens = clip ? grid * grid + 1 : grid * grid;
  if (clip) {
    const cls = net.param(`${tower}.embeddings.class_embedding`, [H]);
    const cls3 = g.op1(`/${tower}/embeddings`, 'Reshape', [cls, g.i64([1, 1, H])]);
    const shape = g.op1(`/${tower}/embeddings`, 'Shape', ['pixel_values']);
    const batch = g.op1(`/${tower}/embeddings`, 'Gather', [shape, g.i64([0])], { axis: 0 });
    const target = g.op1(`/${tower}/embeddings`, 'Concat', [batch, g.i64([1, H])], { axis: 0 });
    const clsB = g.op1(`/${tower}/embeddings`, 'Expand', [cls3, target]);
    x = g.op1(`/${tower}/embeddings`, 'Concat', [clsB, x], { axis: 1 });
  }
  const pos = net.param(`${tower}.embeddings.position_embedding.weight`, [1, tokens, H]);
  x = g.op1(`/${tower}/embeddings`, 'Add', [x, pos]);
  if (clip) x = net.layerNorm(`/${tower}/pre_layrnorm`, x, `${tower}.pre_layrnorm`, H);
  x = net.encoder(tower, x);

  let pooled: string;
  let pooledName: string;
  if (clip) {
    g.op1(`/${tower}/encoder`, 'Identity', [x]);
    const lhs = g.renameLastOutput('last_hidden_state');
    const cls = g.op1(`/${tower}`, 'Gather', [lhs, g.i64([0], true)], { axis: 1 });
    const normed = net.layerNorm(`/${tower}/post_layernorm`, cls, `${tower}.post_layernorm`, H);
    pooled = net.linear('/visual_projection', normed, 'visual_projection', H, spec.projection, false);
    pooledName = 'image_embeds';
  } else {
    net.layerNorm(`/${tower}/post_layernorm`, x, `${tower}.post_layernorm`, H);
    const lhs = g.renameLastOutput('last_hidden_state');
    pooled = sigLipHead(net, lhs);
    pooledName = 'pooler_output';
  }
  g.op1(`/${tower}`, 'Identity', [pooled]);
  g.renameLastOutput(pooledName);
  const D = clip ? spec.projection : H;
  const inputs: IOSpec[] = [{ name: 'pixel_values', elemType: DataType.FLOAT, dims: ['batch_size', 3, S, S] }];
  const outputs: IOSpec[] = [
    { name: pooledName, elemType: DataType.FLOAT, dims: ['batch_size', D] },
    { name: 'last_hidden_state', elemType: DataType.FLOAT, dims: ['batch_size', tokens, H] },
  ];
  return g.build(inputs, outputs, net.opset());
}

/** SigLIP's multihead attention pooling head: a learned probe attends over all patches. */
function sigLipHead(net: Net, lhs: string): string {
  const g = net.g;
  const H = net.spec.hidden;
  const scope = '/vision_model/head';
  const prefix = 'vision_model.head';
  const probe = net.param(`${prefix}.probe`, [1, 1, H]);
  const shape = g.op1(scope, 'Shape', [lhs]);
  const batch = g.op1(scope, 'Gather', [shape, g.i64([0])], { axis: 0 });
  const target = g.op1(scope, 'Concat', [batch, g.i64([1, H])], { axis: 0 });
  const q = g.op1(scope, 'Expand', [probe, target]);
  const att = net.attention(`${scope}/attention`, q, lhs, `${prefix}.attention`);
  const normed = net.layerNorm(`${scope}/layernorm`, att, `${prefix}.layernorm`, H);
  const m = net.mlp(`${scope}/mlp`, normed, `${prefix}.mlp`);
  const out = g.op1(scope, 'Add', [att, m]);
  return g.op1(scope, 'Gather', [out, g.i64([0], true)], { axis: 1 });
}

/** onnx/text_model.onnx: input_ids (+ attention_mask for CLIP) -> (text_embeds | pooler_output), last_hidden_state. */
export function buildTextModel(spec: ArchSpec, w: WeightProvider): ModelProto {
  const net = new Net(spec, w);
  const g = net.g;
  const H = spec.hidden;
  const tower = 'text_model';
  const clip = spec.family === 'clip';
  const L = spec.maxPositions;

  const tok = net.param(`${tower}.embeddings.token_embedding.weight`, [spec.vocabSize, H]);
  let x = g.op1(`/${tower}/embeddings/token_embedding`, 'Gather', [tok, 'input_ids'], { axis: 0 });
  const idsShape = g.op1(`/${tower}/embeddings`, 'Shape', ['input_ids']);
  const seqLen = g.op1(`/${tower}/embeddings`, 'Gather', [idsShape, g.i64([1])], { axis: 0 });
  const posAll = net.param(`${tower}.embeddings.position_embedding.weight`, [L, H]);
  const pos = g.op1(`/${tower}/embeddings`, 'Slice', [posAll, g.i64([0]), seqLen, g.i64([0])]);
  x = g.op1(`/${tower}/embeddings`, 'Add', [x, pos]);

  let mask: string | undefined;
  if (clip) {
    // Causal mask [L, L] sliced to the sequence, plus the padding mask from attention_mask.
    const causal = new Float32Array(L * L);
    for (let i = 0; i < L; i++) for (let j = i + 1; j < L; j++) causal[i * L + j] = -1e9;
    const causalAll = g.constant([L, L], causal, 'Causal');
    const zero = g.i64([0, 0]);
    const ends = g.op1(`/${tower}`, 'Concat', [seqLen, seqLen], { axis: 0 });
    const causalL = g.op1(`/${tower}`, 'Slice', [causalAll, zero, ends, g.i64([0, 1])]);
    const am = g.op1(`/${tower}`, 'Cast', ['attention_mask'], { to: DataType.FLOAT });
    const inv = g.op1(`/${tower}`, 'Sub', [g.f32([1], true), am]);
    const pad = g.op1(`/${tower}`, 'Mul', [inv, g.f32([-1e9], true)]);
    const pad4 = g.op1(`/${tower}`, 'Unsqueeze', [pad, g.i64([1, 2])]);
    mask = g.op1(`/${tower}`, 'Add', [pad4, causalL]);
  }
  x = net.encoder(tower, x, mask);
  net.layerNorm(`/${tower}/final_layer_norm`, x, `${tower}.final_layer_norm`, H);
  const lhs = g.renameLastOutput('last_hidden_state');

  let out: string;
  let outName: string;
  if (clip) {
    // pooled = last_hidden_state[arange(B), (input_ids == eos).int().argmax(-1)]
    const isEos = g.op1(`/${tower}`, 'Equal', ['input_ids', g.i64([spec.eosTokenId], true)]);
    const asInt = g.op1(`/${tower}`, 'Cast', [isEos], { to: DataType.INT32 });
    const eosPos = g.op1(`/${tower}`, 'ArgMax', [asInt], { axis: -1, keepdims: 0 });
    const shape = g.op1(`/${tower}`, 'Shape', [lhs]);
    const batch = g.op1(`/${tower}`, 'Gather', [shape, g.i64([0], true)], { axis: 0 });
    const len = g.op1(`/${tower}`, 'Gather', [shape, g.i64([1], true)], { axis: 0 });
    const rows = g.op1(`/${tower}`, 'Range', [g.i64([0], true), batch, g.i64([1], true)]);
    const base = g.op1(`/${tower}`, 'Mul', [rows, len]);
    const index = g.op1(`/${tower}`, 'Add', [base, eosPos]);
    const flat = g.op1(`/${tower}`, 'Reshape', [lhs, g.i64([-1, H])]);
    const pooled = g.op1(`/${tower}`, 'Gather', [flat, index], { axis: 0 });
    out = net.linear('/text_projection', pooled, 'text_projection', H, spec.projection, false);
    outName = 'text_embeds';
  } else {
    const last = g.op1(`/${tower}`, 'Gather', [lhs, g.i64([-1], true)], { axis: 1 });
    out = net.linear(`/${tower}/head`, last, `${tower}.head`, H, H);
    outName = 'pooler_output';
  }
  g.op1(`/${tower}`, 'Identity', [out]);
  g.renameLastOutput(outName);
  const D = clip ? spec.projection : H;
  const inputs: IOSpec[] = [{ name: 'input_ids', elemType: DataType.INT64, dims: ['batch_size', 'sequence_length'] }];
  if (clip) inputs.push({ name: 'attention_mask', elemType: DataType.INT64, dims: ['batch_size', 'sequence_length'] });
  const outputs: IOSpec[] = [
    { name: outName, elemType: DataType.FLOAT, dims: ['batch_size', D] },
    { name: 'last_hidden_state', elemType: DataType.FLOAT, dims: ['batch_size', 'sequence_length', H] },
  ];
  return g.build(inputs, outputs, net.opset());
}
