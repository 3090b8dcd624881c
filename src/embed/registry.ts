/**
 * Models the playground can embed with, and where their files come from.
 *
 * Sources: the Hugging Face Hub (or a mirror: the host is configurable) through the browser's
 * Cache API, so a second visit downloads nothing; a URL on this site (the built-in teaching
 * model); or a folder the user picked, which needs no network at all.
 */
import type { Dtype } from './embedder.ts';

export interface ModelEntry {
  id: string;
  label: string;
  /** Hub repository, for Hub models. */
  repo?: string;
  /** Served by this site (public/models/<id>/), works offline. */
  builtin?: boolean;
  /**
   * What it embeds: pictures (CLIP, SigLIP; the default), text (ColBERT, src/embed/colbert.ts), or
   * pictures and PDF pages through a visual late-interaction model (ColModernVBERT, src/embed/colvision.ts).
   */
  modality?: 'image' | 'text' | 'page';
  /** Weight types offered per device, best first. fp16 needs the adapter's `shader-f16`. */
  dtypes: { webgpu: Dtype[]; wasm: Dtype[] };
  note: string;
}

export const MODELS: ModelEntry[] = [
  {
    id: 'teaching-clip',
    label: 'Teaching model (built in, offline)',
    builtin: true,
    dtypes: { webgpu: ['fp32'], wasm: ['fp32'] },
    note: 'A hand-built CLIP-shaped model, not CLIP: patch vectors encode 8 colours and, for coloured patches, left/right/top/bottom. 64x64 input, 8x8 patches, 13 dimensions.',
  },
  {
    id: 'clip-vit-base-patch32',
    label: 'CLIP ViT-B/32',
    repo: 'Xenova/clip-vit-base-patch32',
    dtypes: { webgpu: ['fp32', 'fp16'], wasm: ['q8', 'fp32'] },
    note: 'OpenAI CLIP, 224x224 input, 7x7 patches + CLS, 512 dimensions.',
  },
  {
    id: 'clip-vit-base-patch16',
    label: 'CLIP ViT-B/16',
    repo: 'Xenova/clip-vit-base-patch16',
    dtypes: { webgpu: ['fp32', 'fp16'], wasm: ['q8', 'fp32'] },
    note: 'OpenAI CLIP, 224x224 input, 14x14 patches + CLS, 512 dimensions.',
  },
  {
    id: 'siglip-base-patch16-224',
    label: 'SigLIP base/16',
    repo: 'Xenova/siglip-base-patch16-224',
    dtypes: { webgpu: ['fp32', 'fp16'], wasm: ['q8', 'fp32'] },
    note: 'Google SigLIP, 224x224 input, 14x14 patches, attention-pooling head, 768 dimensions.',
  },
  {
    id: 'answerai-colbert-small-v1',
    label: 'answerai-colbert-small-v1 (text)',
    repo: 'answerdotai/answerai-colbert-small-v1',
    modality: 'text',
    dtypes: { webgpu: ['fp32', 'fp16'], wasm: ['q8', 'fp32'] },
    note: 'Answer.AI ColBERT for text documents (.txt, .md, JSONL): 33M parameters, one 96-dimensional vector per token, queries of 32 tokens with [MASK] expansion. Reads the ONNX encoder and the PyLate projection in 1_Dense/ (or the checkpoint\'s linear.weight).',
  },
  {
    id: 'colmodernvbert',
    label: 'ColModernVBERT (visual documents)',
    repo: 'Qdrant/colmodernvbert',
    modality: 'page',
    dtypes: { webgpu: ['fp32'], wasm: ['fp32'] },
    note: 'ModernVBERT\'s ColModernVBERT (250M parameters, MIT), trained for late interaction on document pages: one 128-dimensional vector per image token, 64 per 512 x 512 tile, up to 4 x 4 tiles plus a global view per page (about 1,100 vectors), FastEmbed\'s ONNX export. The download is about 1 GB (fp32), kept in the browser cache after the first load. Tiles: the Image tiles / PDF tiles setting k (1-4) sets the longest edge to k x 512.',
  },
];

export const DEFAULT_HUB_HOST = 'https://huggingface.co';

export type ModelSource =
  | { kind: 'hub'; host: string; repo: string; revision?: string }
  | { kind: 'url'; base: string }
  | { kind: 'files'; label: string; files: Map<string, Blob> };

export function getModel(id: string): ModelEntry | undefined {
  return MODELS.find((m) => m.id === id);
}

/** Picks the weight type: the first the device supports (fp16 only with shader-f16). */
export function chooseDtype(entry: ModelEntry, device: 'webgpu' | 'wasm', shaderF16: boolean): Dtype {
  const list = entry.dtypes[device].filter((d) => d !== 'fp16' || shaderF16);
  return list[0] ?? 'fp32';
}

/**
 * Files of a folder picked with <input webkitdirectory> or dropped, keyed by their path inside
 * the model folder (the picked folder's own name is stripped). Accepts a parent folder holding
 * exactly one model folder too.
 */
export function folderFiles(files: Iterable<File & { webkitRelativePath?: string }>): Map<string, Blob> {
  const all = [...files].map((f) => ({ path: (f.webkitRelativePath || f.name).split('/'), file: f }));
  const map = new Map<string, Blob>();
  for (const { path, file } of all) {
    const rest = path.length > 1 ? path.slice(1) : path;
    map.set(rest.join('/'), file);
  }
  if (!map.has('config.json')) {
    // A parent of the model folder: strip one more level.
    const deeper = new Map<string, Blob>();
    for (const { path, file } of all) if (path.length > 2) deeper.set(path.slice(2).join('/'), file);
    if (deeper.has('config.json')) return deeper;
  }
  return map;
}

export class ModelFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFetchError';
  }
}

export interface DownloadProgress {
  file: string;
  /** Bytes loaded over all files so far, and the total where known (0 when not yet known). */
  loaded: number;
  total: number;
  fromCache: boolean;
}

const CACHE_NAME = 'mvc-playground-models-v1';

function sourceUrl(source: ModelSource, path: string): string | undefined {
  if (source.kind === 'hub') {
    const host = source.host.replace(/\/+$/, '');
    return `${host}/${source.repo}/resolve/${encodeURIComponent(source.revision ?? 'main')}/${path}`;
  }
  if (source.kind === 'url') return `${source.base.replace(/\/+$/, '')}/${path}`;
  return undefined;
}

/** Files that a model may have: each one present is returned, each missing one (404, not in the folder) left out. */
export async function fetchOptional(source: ModelSource, paths: string[]): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const p of paths) {
    if (source.kind === 'files' && !source.files.has(p)) continue;
    try {
      for (const [k, v] of await fetchModelFiles(source, [p])) out.set(k, v);
    } catch (err) {
      if (!(err instanceof ModelFetchError)) throw err;
    }
  }
  return out;
}

/**
 * The graph of a ColModernVBERT folder: model.onnx (FastEmbed's layout) or else onnx/model.onnx,
 * with download progress; a ModelFetchError naming both when neither is there.
 */
export async function fetchModelGraph(source: ModelSource, onProgress?: (p: DownloadProgress) => void): Promise<Map<string, Uint8Array>> {
  const tried: string[] = [];
  for (const path of ['model.onnx', 'onnx/model.onnx']) {
    if (source.kind === 'files' && !source.files.has(path)) {
      tried.push(path);
      continue;
    }
    try {
      return await fetchModelFiles(source, [path], onProgress);
    } catch (err) {
      if (!(err instanceof ModelFetchError) || !/HTTP 404/.test(err.message)) throw err;
      tried.push(path);
    }
  }
  throw new ModelFetchError(`no ${tried.join(' or ')} in ${source.kind === 'files' ? `the folder "${source.label}"` : 'the model repository'}: a ColModernVBERT folder holds its graph there`);
}

/**
 * Bytes [start, end) of a model file: a slice of a picked file, or an HTTP Range request (a host
 * that ignores Range is read only as far as needed, then the download is cancelled).
 */
export async function readRange(source: ModelSource, path: string, start: number, end: number): Promise<Uint8Array> {
  if (source.kind === 'files') {
    const blob = source.files.get(path);
    if (!blob) throw new ModelFetchError(`the folder "${source.label}" has no ${path}`);
    return new Uint8Array(await blob.slice(start, end).arrayBuffer());
  }
  const url = sourceUrl(source, path)!;
  let response: Response;
  try {
    response = await fetch(url, { headers: { Range: `bytes=${start}-${end - 1}` }, cache: 'no-store' });
  } catch (err) {
    throw new ModelFetchError(`could not read ${path} from ${url} (${(err as Error).message})`);
  }
  if (!response.ok) throw new ModelFetchError(`${url}: HTTP ${response.status}`);
  if (response.status === 206) return new Uint8Array(await response.arrayBuffer());
  // 200: the whole file is coming; keep [start, end) and stop reading there.
  const reader = response.body!.getReader();
  const out = new Uint8Array(end - start);
  let at = 0;
  while (at < end) {
    const { done, value } = await reader.read();
    if (done) break;
    const from = Math.max(start, at);
    const to = Math.min(end, at + value.length);
    if (to > from) out.set(value.subarray(from - at, to - at), from - start);
    at += value.length;
  }
  await reader.cancel().catch(() => undefined);
  if (at < end) throw new ModelFetchError(`${path} ended at byte ${at}, before byte ${end}`);
  return out;
}

/**
 * One tensor of a (possibly large) safetensors file, read with two ranges (the header, then the
 * tensor's bytes) rather than the whole file: e.g. ColBERT's 96 x 384 `linear.weight` out of a
 * checkpoint of ~130 MB (33M float32 parameters). Returned as a safetensors file holding that tensor alone, or undefined when
 * the file or the tensor is not there.
 */
/** The most one tensor read alone may take (readSafetensorsTensor). */
export const MAX_TENSOR_READ = 64 * 2 ** 20;

export async function readSafetensorsTensor(source: ModelSource, path: string, name: string): Promise<Uint8Array | undefined> {
  let head: Uint8Array;
  try {
    head = await readRange(source, path, 0, 8);
  } catch (err) {
    if (err instanceof ModelFetchError) return undefined;
    throw err;
  }
  const n = Number(new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true));
  if (n <= 0 || n > 100_000_000) throw new ModelFetchError(`${path}: not a safetensors file (header length ${n})`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(await readRange(source, path, 8, 8 + n)));
  } catch (err) {
    if (err instanceof ModelFetchError) throw err;
    throw new ModelFetchError(`${path}: its header is not JSON`);
  }
  const t = header[name];
  if (!t || !Array.isArray(t.data_offsets)) return undefined;
  const [b0, b1] = t.data_offsets;
  // Declared, not yet read: a header can claim 4 TB (a host that ignores Range then streams the
  // whole file, and a buffer of the claimed size cannot be made).
  if (!Number.isSafeInteger(b0) || !Number.isSafeInteger(b1) || b0 < 0 || b1 < b0) throw new ModelFetchError(`${path}: ${name} has data_offsets ${JSON.stringify(t.data_offsets)}; they must be whole numbers, begin <= end`);
  if (b1 - b0 > MAX_TENSOR_READ) throw new ModelFetchError(`${path}: ${name} declares ${(b1 - b0).toLocaleString('en')} bytes; a tensor read alone is at most ${MAX_TENSOR_READ / 2 ** 20} MiB here (a ColBERT projection is well under 1 MiB)`);
  const data = await readRange(source, path, 8 + n + b0, 8 + n + b1);
  const own = new TextEncoder().encode(JSON.stringify({ [name]: { dtype: t.dtype, shape: t.shape, data_offsets: [0, b1 - b0] } }));
  const out = new Uint8Array(8 + own.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(own.length), true);
  out.set(own, 8);
  out.set(data, 8 + own.length);
  return out;
}

/** A response body read whole: into one buffer of the declared length, else gathered and joined. */
async function readBody(reader: ReadableStreamDefaultReader<Uint8Array> | undefined, declared: number, onChunk: (got: number) => void): Promise<Uint8Array> {
  let whole: Uint8Array | undefined = declared ? new Uint8Array(declared) : undefined;
  const chunks: Uint8Array[] = [];
  let got = 0;
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (whole && got + value.length <= whole.length) whole.set(value, got);
      else {
        if (whole) chunks.push(whole.subarray(0, got)); // more than declared: gathered instead
        whole = undefined;
        chunks.push(value);
      }
      got += value.length;
      onChunk(got);
    }
  }
  if (whole) return got === whole.length ? whole : whole.slice(0, got);
  const bytes = new Uint8Array(got);
  let o = 0;
  for (const c of chunks) {
    bytes.set(c, o);
    o += c.length;
  }
  return bytes;
}

/**
 * Fetches a set of files with one aggregate progress report. Hub files go through the Cache API
 * (a second load reads the cache and downloads nothing).
 */
export async function fetchModelFiles(
  source: ModelSource,
  paths: string[],
  onProgress?: (p: DownloadProgress) => void,
  signal?: AbortSignal,
): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const sizes = new Map<string, number>();
  const loaded = new Map<string, number>();
  const report = (file: string, fromCache: boolean) => {
    let l = 0;
    let t = 0;
    for (const p of paths) {
      l += loaded.get(p) ?? 0;
      t += sizes.get(p) ?? 0;
    }
    onProgress?.({ file, loaded: l, total: t, fromCache });
  };
  if (source.kind === 'files') {
    for (const p of paths) {
      const blob = source.files.get(p);
      if (!blob) throw new ModelFetchError(`the folder "${source.label}" has no ${p}; a model folder holds ${paths.join(', ')}`);
      sizes.set(p, blob.size);
    }
    for (const p of paths) {
      out.set(p, new Uint8Array(await source.files.get(p)!.arrayBuffer()));
      loaded.set(p, sizes.get(p)!);
      report(p, true);
    }
    return out;
  }
  const cache = source.kind === 'hub' && typeof caches !== 'undefined' ? await caches.open(CACHE_NAME).catch(() => undefined) : undefined;
  await Promise.all(
    paths.map(async (p) => {
      const url = sourceUrl(source, p)!;
      let response = cache ? await cache.match(url) : undefined;
      const fromCache = !!response;
      if (!response) {
        try {
          response = await fetch(url, { signal, cache: source.kind === 'url' ? 'default' : 'no-store' });
        } catch (err) {
          if ((err as Error).name === 'AbortError') throw err;
          throw new ModelFetchError(`could not download ${p} from ${url} (${(err as Error).message}); check the network or the model host`);
        }
        if (!response.ok) throw new ModelFetchError(`${url}: HTTP ${response.status}${response.status === 404 ? ' (not found: is this model or weight type on the host?)' : ''}`);
      }
      const total = Number(response.headers.get('content-length') ?? 0);
      if (total > 0) sizes.set(p, total);
      // Read once (a clone would tee the body: the browser holding a 1 GB graph a second time until
      // the cache took it); the cache is then given the bytes read.
      const reader = response.body?.getReader();
      // With a declared length (and no content encoding, which would make it the compressed size)
      // the bytes are written into one buffer as they arrive: a 1 GB model is not held twice.
      const declared = total > 0 && !response.headers.get('content-encoding') ? total : 0;
      const bytes = await readBody(reader, declared, (got) => {
        loaded.set(p, got);
        if (!sizes.has(p) || sizes.get(p)! < got) sizes.set(p, got);
        report(p, fromCache);
      });
      const got = bytes.length;
      sizes.set(p, got);
      loaded.set(p, got);
      report(p, fromCache);
      if (cache && !fromCache) await cache.put(url, new Response(bytes as BlobPart, { status: 200, headers: response.headers })).catch(() => undefined);
      out.set(p, bytes);
    }),
  );
  return out;
}
