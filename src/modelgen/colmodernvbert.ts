/**
 * `tiny-colmodernvbert`: a ColModernVBERT-shaped visual late-interaction model in the file layout
 * of the Hub repository Qdrant/colmodernvbert (FastEmbed's export): one graph at `model.onnx` with
 * inputs input_ids, attention_mask (int64, [batch, tokens]) and pixel_values (float32, [batch,
 * tiles, 3, S, S]) and one output, [batch, tokens, 128], L2-normalised and multiplied by the
 * attention mask in the graph; config.json, preprocessor_config.json (Idefics3ImageProcessor:
 * longest edge, tile size), processor_config.json (image_seq_len), a tokenizer with the model's
 * image tokens (<fake_token_around_image>, <global-img>, <row_r_col_c>, <image>,
 * <end_of_utterance>) and left padding.
 *
 * Inside, the same stages as the real model, small: a SigLIP-like vision tower (Conv patches,
 * learned positions, pre-LN encoder, post-LayerNorm) per tile; the Idefics3 pixel-shuffle
 * connector (factor 2: 8 x 8 patches -> 16 tokens of 4 x the width) and its bias-free linear
 * projection; the merge that puts the k-th tile's tokens at the k-th run of <image> ids; a
 * bidirectional ModernBERT-like encoder (embedding LayerNorm, pre-LN layers with fused Wqkv,
 * rotary positions, an unfused Softmax per layer, a GLU MLP, final LayerNorm); and the
 * `custom_text_proj` linear (with bias) to 128 dimensions. Random (seeded) weights, the residual
 * branches damped as the ColBERT fixture's are. scripts/make_colmodernvbert_fixture.py computes
 * the same forward pass in NumPy from these files.
 */
import { DataType, type IOSpec } from '../onnx/builder.ts';
import { encodeModel, type ModelProto } from '../onnx/proto.ts';
import { Net, type WeightProvider } from './architecture.ts';
import { randomWeights, type ModelFiles } from './weights.ts';
import { wordPieceTokenizer } from './wordpiece.ts';

const json = (v: unknown) => new TextEncoder().encode(`${JSON.stringify(v, null, 2)}\n`);

export interface ColVisionSpec {
  /** Tile side S (max_image_size.longest_edge) and the vision patch side. */
  imageSize: number;
  patchSize: number;
  /** Pixel-shuffle factor: image_seq_len = (S / patch / factor)^2. */
  shuffle: number;
  hidden: number;
  heads: number;
  visionLayers: number;
  textLayers: number;
  /** The text encoder's MLP width (GLU: Wi is hidden -> 2 x this). */
  intermediate: number;
  /** The vision tower's MLP width (the text encoder's when unset). */
  visionIntermediate?: number;
  dim: number;
  vocabSize: number;
  imageTokenId: number;
  ropeTheta: number;
  eps: number;
}

/** The model's own image and prompt tokens (ModernVBERT's additional vocabulary). */
export function colVisionSpecialTokens(maxRowsCols = 6): string[] {
  const rc: string[] = [];
  for (let r = 1; r <= maxRowsCols; r++) for (let c = 1; c <= maxRowsCols; c++) rc.push(`<row_${r}_col_${c}>`);
  return ['<global-img>', ...rc, '<end_of_utterance>', '<fake_token_around_image>', '<image>'];
}

/** Words the tiny tokenizer knows whole: the prompt's, and the demo's captions. */
const WORDS = [
  'begin', 'of', 'text', 'user', 'describe', 'the', 'image', 'assistant', 'a', 'at', 'in', 'and', 'with', 'page', 'title',
  'red', 'green', 'blue', 'yellow', 'black', 'white', 'magenta', 'cyan', 'circle', 'square', 'triangle', 'shape', 'top', 'bottom', 'left', 'right',
];

/** Rotary tables as HF computes them: cos/sin of position x inv_freq, the half repeated. */
export function ropeTables(maxPos: number, headDim: number, theta: number): { cos: Float32Array; sin: Float32Array } {
  const half = headDim / 2;
  const cos = new Float32Array(maxPos * headDim);
  const sin = new Float32Array(maxPos * headDim);
  for (let p = 0; p < maxPos; p++) {
    for (let i = 0; i < half; i++) {
      const a = p / theta ** ((2 * i) / headDim);
      cos[p * headDim + i] = cos[p * headDim + i + half] = Math.cos(a);
      sin[p * headDim + i] = sin[p * headDim + i + half] = Math.sin(a);
    }
  }
  return { cos, sin };
}

class ColVisionNet extends Net {
  constructor(
    readonly cv: ColVisionSpec,
    w: WeightProvider,
  ) {
    super(
      { family: 'siglip', hidden: cv.hidden, heads: cv.heads, layers: cv.visionLayers, intermediate: cv.visionIntermediate ?? cv.intermediate, projection: cv.hidden, imageSize: cv.imageSize, patchSize: cv.patchSize, vocabSize: cv.vocabSize, maxPositions: 0, eosTokenId: 0, layerNorm: 'fused', quantize: false, layerNormEps: cv.eps, activation: 'gelu-tanh' },
      w,
    );
  }

  /** pixel_values [B, T, 3, S, S] -> image tokens [B*T*seq, hidden], tile by tile, token by token. */
  vision(): string {
    const { g, cv } = this;
    const { imageSize: S, patchSize: P, hidden: H, shuffle: f } = cv;
    const grid = S / P;
    const tower = 'model.vision_model';
    const flat = g.op1('/model/vision_model', 'Reshape', ['pixel_values', g.i64([-1, 3, S, S])]);
    const convW = this.param(`${tower}.embeddings.patch_embedding.weight`, [H, 3, P, P]);
    const convB = this.param(`${tower}.embeddings.patch_embedding.bias`, [H]);
    const conv = g.op1('/model/vision_model/embeddings/patch_embedding', 'Conv', [flat, convW, convB], { kernel_shape: [P, P], strides: [P, P], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 });
    let x = g.op1('/model/vision_model/embeddings', 'Transpose', [g.op1('/model/vision_model/embeddings', 'Reshape', [conv, g.i64([0, 0, -1])])], { perm: [0, 2, 1] });
    x = g.op1('/model/vision_model/embeddings', 'Add', [x, this.param(`${tower}.embeddings.position_embedding.weight`, [1, grid * grid, H])]);
    x = this.encoder('model.vision_model', x);
    x = this.layerNorm('/model/vision_model/post_layernorm', x, `${tower}.post_layernorm`, H);
    // Idefics3's pixel_shuffle: (h, w, C) -> (w', h, f C) -> (h', w', f^2 C), h' w' row-major.
    const s = '/model/connector';
    const G = grid / f;
    x = g.op1(s, 'Reshape', [x, g.i64([-1, grid, G, H * f])]);
    x = g.op1(s, 'Transpose', [x], { perm: [0, 2, 1, 3] });
    x = g.op1(s, 'Reshape', [x, g.i64([-1, G, G, H * f * f])]);
    x = g.op1(s, 'Transpose', [x], { perm: [0, 2, 1, 3] });
    x = g.op1(s, 'Reshape', [x, g.i64([-1, H * f * f])]);
    return this.linear('/model/connector/modality_projection/proj', x, 'model.connector.modality_projection.proj', H * f * f, H, false);
  }

  /** Text embeddings with the k-th <image> id (counted over the flattened batch) replaced by the k-th image token. */
  merge(image: string): string {
    const { g, cv } = this;
    const s = '/model/inputs_merger';
    const words = this.param('model.text_model.embeddings.tok_embeddings.weight', [cv.vocabSize, cv.hidden]);
    const emb = g.op1('/model/text_model/embeddings/tok_embeddings', 'Gather', [words, 'input_ids'], { axis: 0 });
    const isImage = g.op1(s, 'Equal', ['input_ids', g.i64([cv.imageTokenId], true)]);
    const counts = g.op1(s, 'CumSum', [g.op1(s, 'Reshape', [g.op1(s, 'Cast', [isImage], { to: DataType.INT64 }), g.i64([-1])]), g.i64([0], true)]);
    const index = g.op1(s, 'Max', [g.op1(s, 'Sub', [counts, g.i64([1], true)]), g.i64([0], true)]);
    const picked = g.op1(s, 'Reshape', [g.op1(s, 'Gather', [image, index], { axis: 0 }), g.op1(s, 'Shape', [emb])]);
    const merged = g.op1(s, 'Where', [g.op1(s, 'Unsqueeze', [isImage, g.i64([-1])]), picked, emb]);
    return this.layerNorm('/model/text_model/embeddings/norm', merged, 'model.text_model.embeddings.norm', cv.hidden);
  }

  /** x * cos + rotate_half(x) * sin, x [B, heads, L, hd]; tables sliced to L. */
  rope(scope: string, x: string, cos: string, sin: string): string {
    const g = this.g;
    const hd = this.cv.hidden / this.cv.heads;
    const x1 = g.op1(scope, 'Slice', [x, g.i64([0]), g.i64([hd / 2]), g.i64([-1])]);
    const x2 = g.op1(scope, 'Slice', [x, g.i64([hd / 2]), g.i64([hd]), g.i64([-1])]);
    const rotated = g.op1(scope, 'Concat', [g.op1(scope, 'Neg', [x2]), x1], { axis: -1 });
    return g.op1(scope, 'Add', [g.op1(scope, 'Mul', [x, cos]), g.op1(scope, 'Mul', [rotated, sin])]);
  }

  textLayer(l: number, x: string, mask: string, cos: string, sin: string): string {
    const { g, cv } = this;
    const { hidden: H, heads, intermediate: I } = cv;
    const hd = H / heads;
    const scope = `/model/text_model/layers.${l}`;
    const p = `model.text_model.layers.${l}`;
    const h = this.layerNorm(`${scope}/attn_norm`, x, `${p}.attn_norm`, H);
    const qkv = this.linear(`${scope}/attn/Wqkv`, h, `${p}.attn.Wqkv`, H, 3 * H, false);
    const [q, k, v] = g.op(`${scope}/attn`, 'Split', [qkv, g.i64([H, H, H])], { axis: -1 }, 3);
    const heads4 = (t: string) => g.op1(`${scope}/attn`, 'Transpose', [g.op1(`${scope}/attn`, 'Reshape', [t, g.i64([0, 0, heads, hd])])], { perm: [0, 2, 1, 3] });
    const qh = this.rope(`${scope}/attn/rotary_q`, heads4(q), cos, sin);
    const kh = this.rope(`${scope}/attn/rotary_k`, heads4(k), cos, sin);
    let scores = g.op1(`${scope}/attn`, 'MatMul', [qh, g.op1(`${scope}/attn`, 'Transpose', [kh], { perm: [0, 1, 3, 2] })]);
    scores = g.op1(`${scope}/attn`, 'Add', [g.op1(`${scope}/attn`, 'Mul', [scores, g.f32([1 / Math.sqrt(hd)], true)]), mask]);
    const probs = g.op1(`${scope}/attn`, 'Softmax', [scores], { axis: -1 });
    const ctx = g.op1(`${scope}/attn`, 'MatMul', [probs, heads4(v)]);
    const merged = g.op1(`${scope}/attn`, 'Reshape', [g.op1(`${scope}/attn`, 'Transpose', [ctx], { perm: [0, 2, 1, 3] }), g.i64([0, 0, H])]);
    x = g.op1(scope, 'Add', [x, this.linear(`${scope}/attn/Wo`, merged, `${p}.attn.Wo`, H, H, false)]);
    // ModernBERT's GLU MLP: Wi to 2I, act(first half) * second half, Wo back.
    const m = this.layerNorm(`${scope}/mlp_norm`, x, `${p}.mlp_norm`, H);
    const [input, gate] = g.op(`${scope}/mlp`, 'Split', [this.linear(`${scope}/mlp/Wi`, m, `${p}.mlp.Wi`, H, 2 * I, false), g.i64([I, I])], { axis: -1 }, 2);
    const glu = g.op1(`${scope}/mlp`, 'Mul', [this.activation(`${scope}/mlp/act`, input), gate]);
    return g.op1(scope, 'Add', [x, this.linear(`${scope}/mlp/Wo`, glu, `${p}.mlp.Wo`, I, H, false)]);
  }

  build(maxPositions: number): ModelProto {
    const { g, cv } = this;
    const hd = cv.hidden / cv.heads;
    let x = this.merge(this.vision());
    const am = g.op1('/model/text_model', 'Cast', ['attention_mask'], { to: DataType.FLOAT });
    const mask = g.op1('/model/text_model', 'Unsqueeze', [g.op1('/model/text_model', 'Mul', [g.op1('/model/text_model', 'Sub', [g.f32([1], true), am]), g.f32([-3.4028234663852886e38], true)]), g.i64([1, 2])]);
    const tables = ropeTables(maxPositions, hd, cv.ropeTheta);
    const L = g.op1('/model/text_model/rotary_emb', 'Gather', [g.op1('/model/text_model/rotary_emb', 'Shape', ['input_ids']), g.i64([1])], { axis: 0 });
    const cos = g.op1('/model/text_model/rotary_emb', 'Slice', [g.init('model.text_model.rotary_emb.cos_cached', [maxPositions, hd], tables.cos), g.i64([0]), L, g.i64([0])]);
    const sin = g.op1('/model/text_model/rotary_emb', 'Slice', [g.init('model.text_model.rotary_emb.sin_cached', [maxPositions, hd], tables.sin), g.i64([0]), L, g.i64([0])]);
    for (let l = 0; l < cv.textLayers; l++) x = this.textLayer(l, x, mask, cos, sin);
    x = this.layerNorm('/model/text_model/final_norm', x, 'model.text_model.final_norm', cv.hidden);
    const proj = this.linear('/custom_text_proj', x, 'custom_text_proj', cv.hidden, cv.dim, true);
    // proj / max(||proj||, 1e-12) * attention_mask, as colpali-engine's ColModernVBert does.
    const norm = g.op1('/normalize', 'Max', [g.op1('/normalize', 'Sqrt', [g.op1('/normalize', 'ReduceSum', [g.op1('/normalize', 'Mul', [proj, proj]), g.i64([-1])], { keepdims: 1 })]), g.f32([1e-12], true)]);
    g.op1('/normalize', 'Mul', [g.op1('/normalize', 'Div', [proj, norm]), g.op1('/normalize', 'Unsqueeze', [am, g.i64([-1])])]);
    g.renameLastOutput('embeddings');
    const inputs: IOSpec[] = [
      { name: 'input_ids', elemType: DataType.INT64, dims: ['batch_size', 'sequence_length'] },
      { name: 'attention_mask', elemType: DataType.INT64, dims: ['batch_size', 'sequence_length'] },
      { name: 'pixel_values', elemType: DataType.FLOAT, dims: ['batch_size', 'num_images', 3, cv.imageSize, cv.imageSize] },
    ];
    return g.build(inputs, [{ name: 'embeddings', elemType: DataType.FLOAT, dims: ['batch_size', 'sequence_length', cv.dim] }], 17);
  }
}

/** The ColModernVBERT graph for `spec` (also used by the benchmark at the real model's shapes). */
export function buildColVisionModel(spec: ColVisionSpec, w: WeightProvider, maxPositions: number): ModelProto {
  return new ColVisionNet(spec, w).build(maxPositions);
}

/**
 * ColModernVBERT's real shapes (ModernVBERT/colmodernvbert: SigLIP2 base/16 at 512 px, pixel
 * shuffle 4, the ettin-encoder-150m ModernBERT with 22 layers, 128-d projection; about 250M
 * parameters), for the benchmark with random weights. Attention here is global in every layer
 * (ModernBERT alternates local windows of 128 with global layers: the cost differs little at
 * these lengths).
 */
export const COLMODERNVBERT_SHAPES: ColVisionSpec = { imageSize: 512, patchSize: 16, shuffle: 4, hidden: 768, heads: 12, visionLayers: 12, textLayers: 22, intermediate: 1152, visionIntermediate: 3072, dim: 128, vocabSize: 50408, imageTokenId: 50407, ropeTheta: 160000, eps: 1e-5 };

export function tinyColModernVbert(seed = 23): ModelFiles {
  const tok = wordPieceTokenizer(WORDS, 1024, colVisionSpecialTokens());
  const id = (t: string) => tok.vocab.get(t)!;
  // The real tokenizer pads on the left (colpali-engine sets padding_side="left").
  tok.tokenizer.padding = { strategy: 'BatchLongest', direction: 'Left', pad_to_multiple_of: null, pad_id: tok.specials.pad, pad_type_id: 0, pad_token: '[PAD]' };
  const spec: ColVisionSpec = { imageSize: 64, patchSize: 8, shuffle: 2, hidden: 32, heads: 4, visionLayers: 1, textLayers: 2, intermediate: 48, dim: 128, vocabSize: tok.vocab.size, imageTokenId: id('<image>'), ropeTheta: 10000, eps: 1e-5 };
  const maxPositions = 1024;
  const base = randomWeights(seed);
  const w: WeightProvider = (name, dims) => {
    // ModernBERT's norms (attn_norm, mlp_norm, final_norm, embeddings.norm) get LayerNorm's
    // initialisation (scales near 1), as randomWeights gives parameters named "layer_norm".
    const v = base(name.replace(/(^|[._])norm\.(weight|bias)$/, '$1layer_norm.$2'), dims);
    // Queries and keys x 3: a random encoder's attention is otherwise nearly flat, and so would be
    // the saliency that the tests check and the teaching view draws.
    const damp = /position_embedding/.test(name) ? 0.2 : /(Wo|out_proj|fc2)\.weight$/.test(name) ? 0.5 : /Wqkv\.weight$/.test(name) ? 3 : 1;
    for (let i = 0; i < v.length; i++) v[i] *= damp;
    return v;
  };
  const S = spec.imageSize;
  const files: ModelFiles = new Map();
  files.set('config.json', json({
    _name_or_path: 'tiny-colmodernvbert',
    architectures: ['ColModernVBert'],
    model_type: 'modernvbert',
    image_token_id: spec.imageTokenId,
    pixel_shuffle_factor: spec.shuffle,
    embedding_dim: spec.dim,
    vision_config: { model_type: 'siglip_vision_model', image_size: S, patch_size: spec.patchSize, hidden_size: spec.hidden, num_attention_heads: spec.heads, num_hidden_layers: spec.visionLayers, intermediate_size: spec.intermediate },
    text_config: { model_type: 'modernbert', hidden_size: spec.hidden, num_attention_heads: spec.heads, num_hidden_layers: spec.textLayers, intermediate_size: spec.intermediate, vocab_size: spec.vocabSize, max_position_embeddings: maxPositions, global_rope_theta: spec.ropeTheta, norm_eps: spec.eps, pad_token_id: tok.specials.pad },
  }));
  files.set('preprocessor_config.json', json({
    do_convert_rgb: true, do_image_splitting: true, do_normalize: true, do_pad: true, do_rescale: true, do_resize: true,
    image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5], image_processor_type: 'Idefics3ImageProcessor',
    max_image_size: { longest_edge: S }, resample: 1, rescale_factor: 1 / 255, size: { longest_edge: 4 * S },
  }));
  files.set('processor_config.json', json({ image_seq_len: (S / spec.patchSize / spec.shuffle) ** 2, processor_class: 'ColModernVBertProcessor' }));
  files.set('tokenizer.json', json(tok.tokenizer));
  files.set('tokenizer_config.json', json({ ...tok.config, padding_side: 'left', model_max_length: maxPositions }));
  files.set('special_tokens_map.json', json({ cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', mask_token: '[MASK]', unk_token: '[UNK]', additional_special_tokens: colVisionSpecialTokens() }));
  files.set('model.onnx', encodeModel(buildColVisionModel(spec, w, maxPositions)));
  return files;
}
