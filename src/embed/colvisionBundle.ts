/**
 * A ColModernVBERT model folder (the layout of the Hub repository Qdrant/colmodernvbert, FastEmbed's
 * export) read into what src/embed/colvision.ts runs, and the model's processor: how a picture is
 * split into tiles and which prompt carries them.
 *
 * Splitting is Idefics3's, computed by Transformers.js's Idefics3ImageProcessor (its longest-edge
 * resize, then its resize to whole tiles of `max_image_size`): rows x cols tiles of S x S plus one
 * global view of the whole picture, in that order. The tile setting k (1 up to the processor's
 * longest edge / S) sets the longest edge to k x S: k = 1 is the processor's unsplit form, the
 * global view alone. The pixels themselves are drawn by the worker from the original picture
 * straight to each S x S view (one resampling; see colvisionPages.ts).
 *
 * The prompt is Idefics3's (Hugging Face's `_prompt_split_image` / `_prompt_single_image`) inside
 * ColModernVBERT's document template; queries are the text followed by ten <end_of_utterance>
 * (FastEmbed's query augmentation).
 */
import * as transformers from '@huggingface/transformers';
import { makeTokenizer, ModelFolderError } from './bundle.ts';

export const COLVISION_REQUIRED = ['config.json', 'preprocessor_config.json', 'processor_config.json', 'tokenizer.json', 'tokenizer_config.json'];
/** Where the graph may be: FastEmbed's layout (root), or Transformers.js's (onnx/). */
export const COLVISION_GRAPHS = ['model.onnx', 'onnx/model.onnx'];
export const DOCUMENT_TEMPLATE = '<|begin_of_text|>User:<image>Describe the image.<end_of_utterance>\nAssistant:';
export const QUERY_AUGMENTATION = 10;
const IMAGE_TOKENS = ['<fake_token_around_image>', '<global-img>', '<image>', '<end_of_utterance>'];

export interface ColVisionBundle {
  name: string;
  model: Uint8Array;
  /** Which file the graph came from. */
  graphPath: string;
  /** Tile side S and the processor's longest edge. */
  imageSize: number;
  longestEdge: number;
  /** <image> tokens per view, and their grid (sqrt). */
  seqLen: number;
  seqGrid: number;
  imageTokenId: number;
  padId: number;
  padLeft: boolean;
  /** Token ids of a text, with [CLS] ... [SEP] (the tokenizer's post-processor). */
  encode: (text: string) => number[];
  piece: (id: number) => string;
  mean: number[];
  std: number[];
  rescale: number;
  processor: transformers.Idefics3ImageProcessor;
}

/** Whether a model folder's files are a visual late-interaction model of this kind. */
export function isColVisionFolder(paths: Iterable<string>): boolean {
  return [...paths].includes('processor_config.json');
}

const parse = (name: string, files: Map<string, Uint8Array>, path: string): Record<string, unknown> => {
  const b = files.get(path);
  if (!b) throw new ModelFolderError(`${name}: ${path} is missing; a ColModernVBERT folder holds ${COLVISION_REQUIRED.join(', ')} and model.onnx (the processor's files say how pages are tiled and prompted)`);
  try {
    return JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>;
  } catch (err) {
    throw new ModelFolderError(`${name}: ${path} is not valid JSON (${(err as Error).message})`);
  }
};

const edge = (v: unknown): number | undefined => {
  const e = (v as { longest_edge?: unknown } | undefined)?.longest_edge;
  return typeof e === 'number' && Number.isInteger(e) && e > 0 && e <= 8192 ? e : undefined;
};

/** The processor's numbers, each checked, and the model's own cross-check of image_seq_len. */
function processorSettings(name: string, files: Map<string, Uint8Array>) {
  const config = parse(name, files, 'config.json');
  const pre = parse(name, files, 'preprocessor_config.json');
  const proc = parse(name, files, 'processor_config.json');
  const S = edge(pre.max_image_size);
  const longest = edge(pre.size);
  if (!S || !longest) throw new ModelFolderError(`${name}: preprocessor_config.json needs max_image_size.longest_edge and size.longest_edge (whole numbers of pixels, Idefics3ImageProcessor's settings)`);
  const seqLen = proc.image_seq_len;
  const grid = Math.round(Math.sqrt(Number(seqLen)));
  if (typeof seqLen !== 'number' || grid < 1 || grid * grid !== seqLen) throw new ModelFolderError(`${name}: processor_config.json's image_seq_len must be a square number of tokens per tile, got ${JSON.stringify(seqLen)}`);
  const vision = config.vision_config as { image_size?: number; patch_size?: number } | undefined;
  const shuffle = Number(config.pixel_shuffle_factor ?? config.scale_factor);
  if (vision?.image_size && vision.patch_size && shuffle > 0) {
    const expected = (vision.image_size / vision.patch_size / shuffle) ** 2;
    if (expected !== seqLen) throw new ModelFolderError(`${name}: the tile grid does not match the prompt: config.json's vision tower gives (${vision.image_size} / ${vision.patch_size} / ${shuffle})^2 = ${expected} tokens per tile, processor_config.json's image_seq_len says ${seqLen}`);
    if (vision.image_size !== S) throw new ModelFolderError(`${name}: config.json's vision image_size is ${vision.image_size}, preprocessor_config.json's max_image_size ${S}: tiles must be the vision tower's input size`);
  }
  return { config, pre, S, longest, seqLen, grid };
}

export function loadColVisionBundle(name: string, files: Map<string, Uint8Array>): ColVisionBundle {
  const { config, pre, S, longest, seqLen, grid } = processorSettings(name, files);
  const tokJson = parse(name, files, 'tokenizer.json');
  const tokConfig = parse(name, files, 'tokenizer_config.json');
  const tokenizer = makeTokenizer(name, tokJson, tokConfig);
  const added = new Map(((tokJson.added_tokens as { id: number; content: string }[] | undefined) ?? []).map((a) => [a.content, a.id]));
  const missing = IMAGE_TOKENS.filter((t) => !added.has(t));
  if (missing.length) throw new ModelFolderError(`${name}: the tokenizer has no ${missing.join(', ')} token${missing.length > 1 ? 's' : ''}; a ColModernVBERT tokenizer carries the image tokens as added tokens`);
  const imageTokenId = added.get('<image>')!;
  if (typeof config.image_token_id === 'number' && config.image_token_id !== imageTokenId)
    throw new ModelFolderError(`${name}: config.json's image_token_id is ${config.image_token_id}, the tokenizer's <image> is ${imageTokenId}`);
  const vocab = ((tokJson.model as { vocab?: Record<string, number> } | undefined)?.vocab ?? {}) as Record<string, number>;
  const pieces: string[] = [];
  for (const [t, id] of Object.entries(vocab)) pieces[id] = t;
  for (const [t, id] of added) pieces[id] = t;
  const padding = tokJson.padding as { direction?: string; pad_id?: number } | null | undefined;
  const tk = tokenizer as unknown as Record<string, number | undefined>;
  const graphPath = COLVISION_GRAPHS.find((p) => files.has(p));
  if (!graphPath) throw new ModelFolderError(`${name}: no model.onnx (FastEmbed's layout) or onnx/model.onnx`);
  const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
  return {
    name,
    model: files.get(graphPath)!,
    graphPath,
    imageSize: S,
    longestEdge: longest,
    seqLen,
    seqGrid: grid,
    imageTokenId,
    padId: padding?.pad_id ?? tk.pad_token_id ?? 0,
    padLeft: (padding?.direction ?? tokConfig.padding_side ?? 'left').toString().toLowerCase() !== 'right',
    encode: (text) => {
      const enc = tokenizer(text, { add_special_tokens: true }) as { input_ids: transformers.Tensor };
      return Array.from(enc.input_ids.data as BigInt64Array, Number);
    },
    piece: (id) => pieces[id] ?? `#${id}`,
    mean: (pre.image_mean as number[] | undefined) ?? [0.5, 0.5, 0.5],
    std: (pre.image_std as number[] | undefined) ?? [0.5, 0.5, 0.5],
    rescale: pre.do_rescale === false ? 1 : num(pre.rescale_factor, 1 / 255),
    processor: new transformers.Idefics3ImageProcessor(pre),
  };
}

/** The most tiles per side the processor makes (its longest edge over the tile side). */
export const maxTileSetting = (b: Pick<ColVisionBundle, 'longestEdge' | 'imageSize'>) => Math.max(1, Math.floor(b.longestEdge / b.imageSize));

/**
 * Rows x cols of a width x height picture at tile setting k (longest edge k x S), as the
 * Idefics3 processor splits it; 0 x 0 when it is not split (the global view alone).
 */
export function tileGrid(b: ColVisionBundle, width: number, height: number, k: number): { rows: number; cols: number } {
  const S = b.imageSize;
  const longest = Math.min(b.longestEdge, Math.max(1, Math.round(k)) * S);
  const p = b.processor as unknown as {
    get_resize_output_image_size(image: { size: [number, number] }, size: { longest_edge: number }): [number, number];
    get_resize_for_vision_encoder(t: { dims: number[] }, max: number): { width: number; height: number };
  };
  const [w, h] = p.get_resize_output_image_size({ size: [width, height] }, { longest_edge: longest });
  const r = p.get_resize_for_vision_encoder({ dims: [3, h, w] }, S);
  if (r.height > S || r.width > S) return { rows: Math.ceil(r.height / S), cols: Math.ceil(r.width / S) };
  return { rows: 0, cols: 0 };
}

/** The <image> part of the prompt: each tile's tokens, row by row, then the global view's. */
export function imagePrompt(rows: number, cols: number, seqLen: number): string {
  const img = '<image>'.repeat(seqLen);
  const global = `<fake_token_around_image><global-img>${img}<fake_token_around_image>`;
  if (rows === 0) return global;
  let s = '';
  for (let r = 1; r <= rows; r++) {
    for (let c = 1; c <= cols; c++) s += `<fake_token_around_image><row_${r}_col_${c}>${img}`;
    s += '\n';
  }
  return `${s}\n${global}`;
}

export const documentPrompt = (rows: number, cols: number, seqLen: number) => DOCUMENT_TEMPLATE.replace('<image>', imagePrompt(rows, cols, seqLen));
export const queryPrompt = (text: string) => text + '<end_of_utterance>'.repeat(QUERY_AUGMENTATION);
