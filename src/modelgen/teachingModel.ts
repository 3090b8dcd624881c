/**
 * The teaching model: a CLIP-shaped model whose weights are set by hand so that every patch vector
 * says which colour the patch is and, for coloured patches, which half of the picture it sits in;
 * the text tokens of those words point the same way. It knows 8 colours and 4 positions, nothing else.
 */
import { assemble, CLIP_MEAN, CLIP_STD } from './assemble.ts';
import type { ArchSpec, WeightProvider } from './architecture.ts';
import { clipTokenizer, type TokenizerFiles } from './tokenizers.ts';
import type { ModelFiles } from './weights.ts';

/** Colour and position words the teaching model knows, with the feature each one names. */
export const TEACHING_COLOURS = ['red', 'green', 'blue', 'yellow', 'magenta', 'cyan', 'white', 'black'] as const;
export const TEACHING_POSITIONS = ['left', 'right', 'top', 'bottom'] as const;
const SYNONYMS: Record<string, string> = {
  purple: 'magenta',
  pink: 'magenta',
  background: 'white',
  empty: 'white',
  dark: 'black',
  upper: 'top',
  lower: 'bottom',
};
const FILLERS = ['a', 'an', 'the', 'in', 'on', 'at', 'of', 'and', 'with', 'is', 'circle', 'square', 'triangle', 'shape', 'corner', 'side', 'half', 'image', 'photo', 'picture', 'frame', 'video', 'object'];

// Hidden layout (48 dims).
const R = 0, G = 1, B = 2, IS_PATCH = 3, IS_SPECIAL = 4, BALLAST_P = 5, BALLAST_N = 6, SINK = 7, POS = 8, FEAT = 12, CTX = 24;
const H = 48;
const BALLAST = 50;
/** LayerNorm std with the ballast pair dominating: sqrt(2 * 50^2 / 48). */
const SIGMA = Math.sqrt((2 * BALLAST * BALLAST) / H);
const SHARP = 10; // quick_gelu(10 z) / 10 ~ relu(z)
const JOINT = 13;

function teachingSpec(vocabSize: number, eos: number): ArchSpec {
  return {
    family: 'clip',
    hidden: H,
    heads: 2,
    layers: 2,
    intermediate: 64,
    projection: JOINT,
    imageSize: 64,
    patchSize: 8,
    vocabSize,
    maxPositions: 16,
    eosTokenId: eos,
    layerNorm: 'fused',
    quantize: false,
    layerNormEps: 1e-5,
  };
}

/**
 * Sets `row` of an [in, out] linear weight so that output `out` = sum(coef[i] * h[i]); a
 * compensating weight on the always-zero SINK dim makes the coefficients sum to zero, so the
 * output ignores the mean that LayerNorm subtracts.
 */
function zeroSum(W: Float32Array, outDim: number, cols: number, coef: Record<number, number>, scale = 1) {
  let sum = 0;
  for (const [i, c] of Object.entries(coef)) {
    W[Number(i) * cols + outDim] += c * scale;
    sum += c;
  }
  W[SINK * cols + outDim] -= sum * scale;
}

type Get = (name: string, dims: number[]) => Float32Array;
const HIDDEN_MLP = 64;

/** Layer norms near identity (SIGMA scales, so the ballast dims keep the rest small). */
function layerNorms(get: Get): void {
  for (const tower of ['vision_model', 'text_model']) {
    for (let l = 0; l < 2; l++) {
      for (const ln of ['layer_norm1', 'layer_norm2']) get(`${tower}.encoder.layers.${l}.${ln}.weight`, [H]).fill(SIGMA);
    }
  }
  get('vision_model.pre_layrnorm.weight', [H]).fill(SIGMA);
  get('vision_model.post_layernorm.weight', [H]).fill(1);
  get('text_model.final_layer_norm.weight', [H]).fill(1);
}

/**
 * Vision embeddings: the conv averages each channel over the patch (undoing the normalisation's
 * scale; its mean comes back through the position embedding, since CLIP's conv has no bias).
 */
function visionEmbeddings(get: Get, grid: number): void {
  const conv = get('vision_model.embeddings.patch_embedding.weight', [H, 3, 8, 8]);
  for (let c = 0; c < 3; c++) for (let k = 0; k < 64; k++) conv[(c * 3 + c) * 64 + k] = CLIP_STD[c] / 64;
  const vpos = get('vision_model.embeddings.position_embedding.weight', [1, grid * grid + 1, H]);
  for (let tkn = 0; tkn <= grid * grid; tkn++) {
    const o = tkn * H;
    vpos[o + BALLAST_P] = BALLAST;
    vpos[o + BALLAST_N] = -BALLAST;
    if (tkn === 0) {
      vpos[o + IS_SPECIAL] = 1;
      continue;
    }
    const r = Math.floor((tkn - 1) / grid);
    const c = (tkn - 1) % grid;
    for (let ch = 0; ch < 3; ch++) vpos[o + ch] = CLIP_MEAN[ch];
    vpos[o + IS_PATCH] = 1;
    vpos[o + POS + 0] = c < grid / 2 ? 1 : 0;
    vpos[o + POS + 1] = c >= grid / 2 ? 1 : 0;
    vpos[o + POS + 2] = r < grid / 2 ? 1 : 0;
    vpos[o + POS + 3] = r >= grid / 2 ? 1 : 0;
  }
}

/** Layer 0 MLP: colour detectors, relu of linear functions of the patch's mean RGB. */
function colourDetectors(get: Get): void {
  const I = HIDDEN_MLP;
  const detectors: [Record<number, number>, number][] = [
    [{ [R]: 1, [G]: -1, [B]: -1 }, 0], // red
    [{ [G]: 1, [R]: -1, [B]: -1 }, 0], // green
    [{ [B]: 1, [R]: -1, [G]: -1 }, 0], // blue
    [{ [R]: 1, [G]: 1, [B]: -1 }, -1], // yellow
    [{ [R]: 1, [B]: 1, [G]: -1 }, -1], // magenta
    [{ [G]: 1, [B]: 1, [R]: -1 }, -1], // cyan
    [{ [R]: 1, [G]: 1, [B]: 1 }, -2], // white
    [{ [IS_PATCH]: 1, [R]: -1, [G]: -1, [B]: -1 }, 0], // black
  ];
  const v0fc1 = get('vision_model.encoder.layers.0.mlp.fc1.weight', [H, I]);
  const v0b1 = get('vision_model.encoder.layers.0.mlp.fc1.bias', [I]);
  const v0fc2 = get('vision_model.encoder.layers.0.mlp.fc2.weight', [I, H]);
  detectors.forEach(([coef, bias], u) => {
    zeroSum(v0fc1, u, I, coef, SHARP);
    v0b1[u] = bias * SHARP;
    v0fc2[u * H + FEAT + u] = 1 / SHARP;
  });
}

/**
 * Layer 1 attention (both heads alike): CLS attends to patches by how far their colour is from
 * the white background (3 - R - G - B, so partly covered patches get partial weight); values
 * carry the colour features into the context dims.
 */
function poolingAttention(get: Get, tower: 'vision_model' | 'text_model', carried: number): void {
  const p = `${tower}.encoder.layers.1.self_attn`;
  const q = get(`${p}.q_proj.weight`, [H, H]);
  const k = get(`${p}.k_proj.weight`, [H, H]);
  const v = get(`${p}.v_proj.weight`, [H, H]);
  const o = get(`${p}.out_proj.weight`, [H, H]);
  if (tower === 'vision_model') {
    // A fully coloured patch (3 - R - G - B ~ 1.9 for the demo blue) gets a logit of about 4.
    const beta = (4 * Math.sqrt(24)) / 1.9;
    for (const head of [0, 24]) {
      zeroSum(q, head, H, { [IS_SPECIAL]: 1 });
      zeroSum(k, head, H, { [IS_PATCH]: 3, [R]: -1, [G]: -1, [B]: -1 }, beta);
    }
  }
  for (let c = 0; c < carried; c++) {
    zeroSum(v, c, H, { [FEAT + c]: 1 });
    o[c * H + CTX + c] = 1;
  }
}

/** Layer 1 MLP: the special token (CLS / EOS) takes the context as its features; vision patches get position features. */
function poolingMlp(get: Get, tower: 'vision_model' | 'text_model', carried: number): void {
  const I = HIDDEN_MLP;
  const fc1 = get(`${tower}.encoder.layers.1.mlp.fc1.weight`, [H, I]);
  const b1 = get(`${tower}.encoder.layers.1.mlp.fc1.bias`, [I]);
  const fc2 = get(`${tower}.encoder.layers.1.mlp.fc2.weight`, [I, H]);
  for (let c = 0; c < carried; c++) {
    zeroSum(fc1, c, I, { [CTX + c]: 1, [IS_SPECIAL]: 2 }, SHARP);
    b1[c] = -2 * SHARP;
    fc2[c * H + FEAT + c] = 1 / SHARP;
  }
  if (tower !== 'vision_model') return;
  const objectDims = [0, 1, 2, 3, 4, 5, 7].map((u) => FEAT + u); // every colour but white
  // Position features for coloured patches only: relu(position + objectness - 1.05).
  for (let p4 = 0; p4 < 4; p4++) {
    const u = 8 + p4;
    // Sharper than the other units and a hair past the boundary: a white patch sits at -0.05,
    // where quick-GELU's small negative lobe is ~0 instead of leaking its position.
    const sharp = 5 * SHARP;
    zeroSum(fc1, u, I, { [POS + p4]: 1, ...Object.fromEntries(objectDims.map((d) => [d, 1])) }, sharp);
    b1[u] = -1.05 * sharp;
    fc2[u * H + FEAT + 8 + p4] = 1 / sharp;
  }
}

/** Text: words write their feature; EOS is the special token that pools the sentence. */
function textEmbeddings(get: Get, tok: TokenizerFiles): void {
  const emb = get('text_model.embeddings.token_embedding.weight', [tok.vocab.size, H]);
  const wordFeature = (w: string): number => {
    const word = SYNONYMS[w] ?? w;
    const ci = (TEACHING_COLOURS as readonly string[]).indexOf(word);
    if (ci >= 0) return FEAT + ci;
    const pi = (TEACHING_POSITIONS as readonly string[]).indexOf(word);
    return pi >= 0 ? FEAT + 8 + pi : -1;
  };
  for (const [token, id] of tok.vocab) {
    if (!token.endsWith('</w>')) continue;
    const f = wordFeature(token.slice(0, -4));
    if (f >= 0) emb[id * H + f] = 1;
  }
  emb[tok.specials.eos * H + IS_SPECIAL] = 1;
  const tpos = get('text_model.embeddings.position_embedding.weight', [16, H]);
  for (let i = 0; i < 16; i++) {
    tpos[i * H + BALLAST_P] = BALLAST;
    tpos[i * H + BALLAST_N] = -BALLAST;
  }
}

function teachingWeights(tok: TokenizerFiles): WeightProvider {
  const t: Record<string, Float32Array> = {};
  const get: Get = (name, dims) => (t[name] ??= new Float32Array(dims.reduce((a, b) => a * b, 1)));
  layerNorms(get);
  visionEmbeddings(get, 8);
  colourDetectors(get);
  for (const tower of ['vision_model', 'text_model'] as const) {
    const carried = tower === 'vision_model' ? 8 : 12;
    poolingAttention(get, tower, carried);
    poolingMlp(get, tower, carried);
  }
  // Projections into the 13-dim joint space: 8 colours, 4 positions, and a small "patch" constant
  // so that no patch vector is ever zero.
  for (const [name, withPatch] of [['visual_projection.weight', true], ['text_projection.weight', false]] as const) {
    const W = get(name, [H, JOINT]);
    for (let j = 0; j < 12; j++) zeroSum(W, j, JOINT, { [FEAT + j]: 1 });
    if (withPatch) zeroSum(W, 12, JOINT, { [IS_PATCH]: 0.1 });
  }
  textEmbeddings(get, tok);
  return (name, dims) => {
    const n = dims.reduce((a, b) => a * b, 1);
    const v = t[name];
    if (v && v.length !== n) throw new Error(`teaching weight ${name}: size ${v.length}, wanted ${n}`);
    return v ?? new Float32Array(n);
  };
}

export function teachingModel(): ModelFiles {
  const words = [...TEACHING_COLOURS, ...TEACHING_POSITIONS, ...Object.keys(SYNONYMS), ...FILLERS];
  const tok = clipTokenizer(words, 16);
  const spec = teachingSpec(tok.vocab.size, tok.specials.eos);
  return assemble(spec, teachingWeights(tok), tok, 'teaching-clip', {
    'mvc_playground': {
      teaching_model: true,
      description:
        'Hand-built teaching model, not CLIP: patch vectors encode 8 colours and, for coloured patches, left/right/top/bottom; text tokens of those words point the same way.',
      colours: TEACHING_COLOURS,
      positions: TEACHING_POSITIONS,
      synonyms: SYNONYMS,
    },
  }, false); // no q8 variant: its 8-bit activations cannot carry the LayerNorm ballast (self-check fails)
}
