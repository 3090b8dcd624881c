/**
 * A ColBERT model folder read into what src/embed/colbert.ts runs: the ONNX encoder, the
 * tokenizer (Transformers.js's, from tokenizer.json), ColBERT's settings (PyLate's
 * config_sentence_transformers.json, else ColBERT's defaults) resolved to token ids, and the
 * projection (1_Dense/, or the checkpoint's linear.weight). Also where each token sits in the text.
 */
import type * as transformers from '@huggingface/transformers';
import { readSafetensors } from '../core/safetensors.ts';
import { DTYPE_SUFFIX, makeTokenizer, ModelFolderError } from './bundle.ts';
import type { Dtype } from './embedder.ts';

export const COLBERT_REQUIRED = (dtype: Dtype) => ['config.json', 'tokenizer.json', 'tokenizer_config.json', `onnx/model${DTYPE_SUFFIX[dtype]}.onnx`];
/** Read when present: the projection and PyLate's settings. */
export const COLBERT_OPTIONAL = ['1_Dense/config.json', '1_Dense/model.safetensors', 'config_sentence_transformers.json'];

/**
 * Where the worker puts `linear.weight` read alone from the root model.safetensors (a Stanford
 * HF_ColBERT checkpoint) when the folder has no 1_Dense/: the key of a one-tensor safetensors file.
 */
export const CHECKPOINT_LINEAR = 'model.safetensors#linear.weight';

/** PyLate's and Stanford ColBERT's defaults, used where config_sentence_transformers.json is silent. */
export const COLBERT_DEFAULTS = {
  queryPrefix: '[unused0]',
  documentPrefix: '[unused1]',
  queryLength: 32,
  documentLength: 180,
  attendToExpansion: false,
  skiplist: [...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'],
};

export interface ColbertSettings {
  queryPrefixId: number;
  documentPrefixId: number;
  queryLength: number;
  documentLength: number;
  attendToExpansion: boolean;
  skiplistIds: Set<number>;
  clsId: number;
  sepId: number;
  maskId: number;
  padId: number;
}

export interface ColbertBundle {
  name: string;
  model: Uint8Array;
  /** Token ids of a text, without special tokens. */
  encode: (text: string) => number[];
  /** The vocabulary entry of an id (e.g. "##ing"), for aligning tokens with the text. */
  piece: (id: number) => string;
  settings: ColbertSettings;
  /** The projection, out x in (row-major), or null when the graph's output is already projected. */
  dense: { weight: Float32Array; bias?: Float32Array; in: number; out: number; from: string } | null;
}

const json = (files: Map<string, Uint8Array>, path: string): Record<string, unknown> | undefined => {
  const b = files.get(path);
  if (!b) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>;
  } catch (err) {
    throw new ModelFolderError(`${path} is not valid JSON (${(err as Error).message})`);
  }
};

/** Whether a model folder's files are a ColBERT text model (the encoder at onnx/model*.onnx). */
export function isColbertFolder(paths: Iterable<string>): boolean {
  return [...paths].some((p) => /^onnx\/model(_fp16|_quantized)?\.onnx$/.test(p));
}

export function loadColbertBundle(name: string, files: Map<string, Uint8Array>, dtype: Dtype): ColbertBundle {
  const get = (p: string) => {
    const b = files.get(p);
    if (!b) throw new ModelFolderError(`${name}: ${p} is missing`);
    return b;
  };
  const tokJson = json(files, 'tokenizer.json')!;
  const tokenizer = makeTokenizer(name, tokJson, json(files, 'tokenizer_config.json') ?? {});
  const vocab = ((tokJson.model as { vocab?: Record<string, number> } | undefined)?.vocab ?? {}) as Record<string, number>;
  const pieces: string[] = [];
  for (const [t, id] of Object.entries(vocab)) pieces[id] = t;
  for (const t of (tokJson.added_tokens as { id: number; content: string }[] | undefined) ?? []) pieces[t.id] = t.content;
  const idOf = (t: string, what: string) => {
    const id = vocab[t] ?? ((tokJson.added_tokens as { id: number; content: string }[] | undefined) ?? []).find((a) => a.content === t)?.id;
    if (id === undefined) throw new ModelFolderError(`${name}: the tokenizer has no ${what} token "${t}"`);
    return id;
  };
  const st = json(files, 'config_sentence_transformers.json') ?? {};
  const num = (v: unknown, d: number) => (typeof v === 'number' && v > 2 && v <= 8192 ? v : d);
  const prefix = (v: unknown, d: string) => (typeof v === 'string' && v.trim() ? v.trim() : d);
  const skipWords = Array.isArray(st.skiplist_words) ? (st.skiplist_words as unknown[]).filter((w): w is string => typeof w === 'string') : COLBERT_DEFAULTS.skiplist;
  const encode = (text: string) => {
    const enc = tokenizer(text, { add_special_tokens: false }) as { input_ids: transformers.Tensor };
    return Array.from(enc.input_ids.data as BigInt64Array, Number);
  };
  const skiplistIds = new Set<number>();
  for (const w of skipWords) {
    const ids = encode(w);
    if (ids.length === 1) skiplistIds.add(ids[0]);
  }
  const tk = tokenizer as unknown as Record<string, number | undefined>;
  const maskId = tk.mask_token_id ?? idOf('[MASK]', 'mask');
  const settings: ColbertSettings = {
    queryPrefixId: idOf(prefix(st.query_prefix, COLBERT_DEFAULTS.queryPrefix), 'query marker'),
    documentPrefixId: idOf(prefix(st.document_prefix, COLBERT_DEFAULTS.documentPrefix), 'document marker'),
    queryLength: num(st.query_length, COLBERT_DEFAULTS.queryLength),
    documentLength: num(st.document_length, COLBERT_DEFAULTS.documentLength),
    attendToExpansion: st.attend_to_expansion_tokens === true,
    skiplistIds,
    clsId: idOf('[CLS]', 'classification'),
    sepId: idOf('[SEP]', 'separator'),
    maskId,
    // PyLate saves pad_token = [MASK] (it pads queries with it); documents are padded with [PAD].
    padId: vocab['[PAD]'] ?? tk.pad_token_id ?? 0,
  };
  // Lengths the encoder cannot take are refused here, with the file named, rather than by
  // onnxruntime on every text file later (its position embedding table ends at this size).
  const positions = json(files, 'config.json')?.max_position_embeddings;
  if (typeof positions === 'number')
    for (const [key, v] of [['query_length', settings.queryLength], ['document_length', settings.documentLength]] as const)
      if (v > positions) throw new ModelFolderError(`${name}: config_sentence_transformers.json sets ${key} ${v}, but config.json's max_position_embeddings is ${positions}: the encoder cannot take that many tokens`);
  let dense: ColbertBundle['dense'] = null;
  // PyLate's 1_Dense/, else the Stanford checkpoint's own linear layer (read alone, see CHECKPOINT_LINEAR).
  const densePath = files.has('1_Dense/model.safetensors') ? '1_Dense/model.safetensors' : files.has(CHECKPOINT_LINEAR) ? CHECKPOINT_LINEAR : undefined;
  const denseBytes = densePath && files.get(densePath);
  if (denseBytes) {
    const t = readSafetensors(denseBytes, `${name}: ${densePath}`).tensors;
    const w = t.get('linear.weight') ?? t.get('weight');
    if (!w || w.shape.length !== 2) throw new ModelFolderError(`${name}: ${densePath} has no 2-D "linear.weight"`);
    const b = t.get('linear.bias') ?? t.get('bias');
    const cfg = json(files, '1_Dense/config.json') ?? {};
    if (cfg.activation_function && !/Identity/.test(String(cfg.activation_function)))
      throw new ModelFolderError(`${name}: 1_Dense uses the activation ${String(cfg.activation_function)}; only the identity (a plain linear projection) is supported`);
    dense = { weight: Float32Array.from(w.data as ArrayLike<number>), ...(b ? { bias: Float32Array.from(b.data as ArrayLike<number>) } : {}), out: w.shape[0], in: w.shape[1], from: densePath === CHECKPOINT_LINEAR ? 'the checkpoint\'s linear.weight' : '1_Dense' };
  }
  return {
    name,
    model: get(`onnx/model${DTYPE_SUFFIX[dtype]}.onnx`),
    encode,
    piece: (id) => pieces[id] ?? `#${id}`,
    settings,
    dense,
  };
}

/**
 * Character offsets of each token in `text`, matched in order on the lower-cased, accent-stripped
 * text (as BertNormalizer sees it); -1 where a token is not found (special tokens, [UNK]).
 */
export function alignTokens(text: string, pieces: (string | null)[]): { start: Int32Array; end: Int32Array } {
  const norm: string[] = [];
  const from: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const n = text[i].normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    for (const c of n) {
      norm.push(c);
      from.push(i);
    }
  }
  const s = norm.join('');
  const start = new Int32Array(pieces.length).fill(-1);
  const end = new Int32Array(pieces.length).fill(-1);
  let cursor = 0;
  pieces.forEach((p, k) => {
    if (!p) return;
    const piece = p.startsWith('##') ? p.slice(2) : p;
    if (!piece) return;
    const at = s.indexOf(piece, cursor);
    // Only whitespace (or characters the tokenizer dropped) may lie between tokens: a short gap.
    if (at < 0 || at - cursor > 8) return;
    start[k] = from[at];
    end[k] = from[at + piece.length - 1] + 1;
    cursor = at + piece.length;
  });
  return { start, end };
}

