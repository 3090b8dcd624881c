/** A generated model folder assembled in the Hugging Face layout: configs, tokenizer and the ONNX towers (q8 variants too). */
import { encodeModel } from '../onnx/proto.ts';
import { buildTextModel, buildVisionModel, type ArchSpec, type WeightProvider } from './architecture.ts';
import type { TokenizerFiles } from './tokenizers.ts';
import type { ModelFiles } from './weights.ts';

export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];

const json = (v: unknown) => new TextEncoder().encode(`${JSON.stringify(v, null, 2)}\n`);


function configs(spec: ArchSpec, tok: TokenizerFiles, name: string, extra: Record<string, unknown> = {}) {
  const common = {
    hidden_size: spec.hidden,
    intermediate_size: spec.intermediate,
    num_attention_heads: spec.heads,
    num_hidden_layers: spec.layers,
    layer_norm_eps: spec.layerNormEps,
  };
  const vision = { ...common, image_size: spec.imageSize, patch_size: spec.patchSize, num_channels: 3 };
  const text = {
    ...common,
    vocab_size: spec.vocabSize,
    max_position_embeddings: spec.maxPositions,
    eos_token_id: tok.specials.eos,
    pad_token_id: tok.specials.pad,
    ...(tok.specials.bos !== undefined ? { bos_token_id: tok.specials.bos } : {}),
  };
  const clip = spec.family === 'clip';
  const config = {
    _name_or_path: name,
    architectures: [clip ? 'CLIPModel' : 'SiglipModel'],
    model_type: clip ? 'clip' : 'siglip',
    ...(clip ? { projection_dim: spec.projection } : {}),
    text_config: { ...text, model_type: clip ? 'clip_text_model' : 'siglip_text_model', ...(clip ? { projection_dim: spec.projection } : {}) },
    vision_config: { ...vision, model_type: clip ? 'clip_vision_model' : 'siglip_vision_model', ...(clip ? { projection_dim: spec.projection } : {}) },
    ...extra,
  };
  const S = spec.imageSize;
  const preprocessor = clip
    ? {
        crop_size: { height: S, width: S },
        do_center_crop: true,
        do_convert_rgb: true,
        do_normalize: true,
        do_rescale: true,
        do_resize: true,
        image_mean: CLIP_MEAN,
        image_std: CLIP_STD,
        image_processor_type: 'CLIPImageProcessor',
        feature_extractor_type: 'CLIPFeatureExtractor',
        resample: 3,
        rescale_factor: 1 / 255,
        size: { shortest_edge: S },
      }
    : {
        do_normalize: true,
        do_rescale: true,
        do_resize: true,
        image_mean: [0.5, 0.5, 0.5],
        image_std: [0.5, 0.5, 0.5],
        image_processor_type: 'SiglipImageProcessor',
        resample: 3,
        rescale_factor: 1 / 255,
        size: { height: S, width: S },
      };
  return { config, preprocessor };
}

export function assemble(spec: ArchSpec, w: WeightProvider, tok: TokenizerFiles, name: string, extra: Record<string, unknown> = {}, quantized = true): ModelFiles {
  const { config, preprocessor } = configs(spec, tok, name, extra);
  const files: ModelFiles = new Map();
  files.set('config.json', json(config));
  files.set('preprocessor_config.json', json(preprocessor));
  files.set('tokenizer.json', json(tok.tokenizer));
  files.set('tokenizer_config.json', json(tok.config));
  files.set('onnx/vision_model.onnx', encodeModel(buildVisionModel(spec, w)));
  files.set('onnx/text_model.onnx', encodeModel(buildTextModel(spec, w)));
  if (!quantized) return files;
  const q = { ...spec, quantize: true };
  files.set('onnx/vision_model_quantized.onnx', encodeModel(buildVisionModel(q, w)));
  files.set('onnx/text_model_quantized.onnx', encodeModel(buildTextModel(q, w)));
  return files;
}
