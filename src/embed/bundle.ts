/**
 * Reads a model folder in the Hugging Face layout into a ModelBundle, whatever the files come from
 * (the Hub through the browser cache, a URL on this site, a folder the user picked, or the disk
 * in Node). Tokenizers are Transformers.js's, built from tokenizer.json + tokenizer_config.json.
 */
import * as transformers from '@huggingface/transformers';
import type { Dtype, ModelBundle } from './embedder.ts';
import type { PreprocessorConfig } from './preprocess.ts';

export type FileGetter = (path: string) => Promise<Uint8Array>;

/** File suffix of each weight type in `onnx/`, as Transformers.js names them. */
export const DTYPE_SUFFIX: Record<Dtype, string> = { fp32: '', fp16: '_fp16', q8: '_quantized' };

export function modelFiles(dtype: Dtype): string[] {
  const s = DTYPE_SUFFIX[dtype];
  return [
    'config.json',
    'preprocessor_config.json',
    'tokenizer.json',
    'tokenizer_config.json',
    `onnx/vision_model${s}.onnx`,
    `onnx/text_model${s}.onnx`,
  ];
}

export class ModelFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFolderError';
  }
}

async function getJson(get: FileGetter, name: string, path: string): Promise<Record<string, unknown>> {
  const bytes = await get(path);
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch (err) {
    throw new ModelFolderError(`${name}: ${path} is not valid JSON (${(err as Error).message})`);
  }
}

type TokenizerCtor = new (json: unknown, config: unknown) => transformers.PreTrainedTokenizer;

/** Transformers.js's tokenizer class named by tokenizer_config.json, built from tokenizer.json. */
export function makeTokenizer(name: string, tokJson: Record<string, unknown>, tokConfig: Record<string, unknown>): transformers.PreTrainedTokenizer {
  const cls = tokConfig.tokenizer_class as string | undefined;
  const Ctor = ((cls && (transformers as unknown as Record<string, unknown>)[cls]) ?? transformers.PreTrainedTokenizer) as TokenizerCtor;
  try {
    return new Ctor(tokJson, tokConfig);
  } catch (err) {
    throw new ModelFolderError(`${name}: tokenizer.json could not be loaded (${(err as Error).message})`);
  }
}

export async function loadBundle(name: string, get: FileGetter, dtype: Dtype): Promise<ModelBundle> {
  const [config, preprocessor, tokJson, tokConfig] = await Promise.all([
    getJson(get, name, 'config.json'),
    getJson(get, name, 'preprocessor_config.json'),
    getJson(get, name, 'tokenizer.json'),
    getJson(get, name, 'tokenizer_config.json'),
  ]);
  const s = DTYPE_SUFFIX[dtype];
  const [vision, text] = await Promise.all([get(`onnx/vision_model${s}.onnx`), get(`onnx/text_model${s}.onnx`)]);
  const tokenizer = makeTokenizer(name, tokJson, tokConfig);
  const family = config.model_type === 'siglip' ? 'siglip' : 'clip';
  const maxLength = Number(tokConfig.model_max_length) > 0 && Number(tokConfig.model_max_length) < 1e6 ? Number(tokConfig.model_max_length) : 77;
  const padTo = family === 'siglip' ? maxLength : undefined;
  const tokenize = (t: string) => {
    const enc = tokenizer(t, { padding: padTo ? 'max_length' : false, truncation: true, max_length: padTo ?? maxLength }) as {
      input_ids: transformers.Tensor;
      attention_mask: transformers.Tensor;
    };
    return {
      ids: Array.from(enc.input_ids.data as BigInt64Array, Number),
      mask: Array.from(enc.attention_mask.data as BigInt64Array, Number),
    };
  };
  const tk = tokenizer as unknown as Record<string, number | undefined>;
  const specialIds = new Set<number>(
    [tk.bos_token_id, tk.eos_token_id, tk.pad_token_id, tk.cls_token_id, tk.sep_token_id].filter((v): v is number => typeof v === 'number' && v >= 0),
  );
  const eosId = tk.eos_token_id ?? Number((config.text_config as Record<string, unknown> | undefined)?.eos_token_id ?? 0);
  return {
    name,
    config: config as ModelBundle['config'],
    preprocessor: preprocessor as PreprocessorConfig,
    vision,
    text,
    tokenize,
    tokenText: (id: number) => tokenizer.decode([id], { skip_special_tokens: false }).trim() || `#${id}`,
    specialIds,
    eosId,
    padTo,
  };
}
