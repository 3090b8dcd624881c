/**
 * On-device embedding in a Web Worker: model files, onnxruntime-web (WebGPU, with WASM as the
 * fallback and the reason shown), decoding and preprocessing of images, and one document per
 * file. The page's main thread never runs model code. One inference at a time (the Embedder
 * serialises its runs); `cancel` stops a batch between items, and the page terminates the worker
 * if a single run does not return soon enough.
 */
import '../src/trustedTypes.ts';
import './ortSetup.ts';
import * as Comlink from 'comlink';
import * as ort from 'onnxruntime-web/webgpu';
import { loadBundle, modelFiles } from '../src/embed/bundle.ts';
import { Embedder, ModelCheckError, StaticExportError, type Dtype, type OrtModule } from '../src/embed/embedder.ts';
import { viewRects } from '../src/embed/preprocess.ts';
import { chooseDtype, fetchModelFiles, fetchOptional, getModel, readSafetensorsTensor } from '../src/embed/registry.ts';
import type { MultiVector } from '../src/core/multivector.ts';
import { maxSimScores, packCorpus, topK } from '../src/core/maxsim.ts';
import { clearStored, sha256, storedStats } from '../src/embed/store.ts';
import { ENGINE_VERSION } from '../src/core/experiment.ts';
import { indexFileBlobs, indexFiles } from '../src/core/exportIndex.ts';
import { parseMethodSpec } from '../src/core/methodSpec.ts';
import { WEBGPU_LOAD_FAILED } from '../src/embed/loadErrors.ts';
import { embedPdfItem } from '../src/embed/pdfItem.ts';
import { probe } from '../src/embed/deviceProbe.ts';
import { decodeWebmIsolated } from '../src/clients/webmClient.ts';
import { queryForStorage, scoreStored } from '../src/core/storage/stored.ts';
import { EmbedBatch } from '../src/embed/batch.ts';
import { bitmapEmbedder, embedPictureItem } from '../src/embed/pictureItem.ts';
import { StreamIndex } from '../src/embed/streamIndex.ts';
import { ColbertEmbedder } from '../src/embed/colbert.ts';
import { CHECKPOINT_LINEAR, COLBERT_OPTIONAL, COLBERT_REQUIRED, isColbertFolder, loadColbertBundle } from '../src/embed/colbertBundle.ts';
import { embedTextItem } from '../src/embed/textItem.ts';
import { ColVisionEmbedder } from '../src/embed/colvision.ts';
import { COLVISION_REQUIRED, isColVisionFolder, loadColVisionBundle, maxTileSetting } from '../src/embed/colvisionBundle.ts';
import { clampTiles, embedColVisionPicture, pageDrawer } from '../src/embed/colvisionPages.ts';
import { fetchModelGraph } from '../src/embed/registry.ts';
import { PDF_DEFAULTS, type EmbedItem, type EmbedOptions, type EmbedProgress, type EmbedResult, type LoadedModel, type LoadProgress, type LoadRequest, type StreamInfo, type StreamSettings } from '../src/embed/workerTypes.ts';

let embedder: Embedder | undefined;
/** The loaded text model (ColBERT), when the loaded model is one; then `embedder` is undefined. */
let colbert: ColbertEmbedder | undefined;
/** The loaded visual late-interaction model (ColModernVBERT), when the loaded model is one. */
let colvision: ColVisionEmbedder | undefined;
/** Whichever model is loaded, for queries. */
const queryModel = () => embedder ?? colbert ?? colvision;
const PAGE_MODEL_ONLY = 'this is a visual document model (ColModernVBERT): it embeds pictures and PDF pages; load a text model (ColBERT) for .txt, .md and JSONL files';
const TEXT_MODEL_ONLY = 'this is a text model (ColBERT): it embeds .txt, .md and JSONL files; load an image model (CLIP, SigLIP) for pictures, videos and PDF pages';
let loaded: LoadedModel | undefined;
let cancelRequested = false;
/**
 * SHA-256 over the bytes of the loaded model's files: stored embeddings are keyed by it, so a
 * different local folder (or a changed upload) under the same model name never reuses vectors.
 */
let modelFingerprint = '';

/**
 * The streaming index: each document is compressed and encoded the moment it is embedded, and its
 * full-length vectors are dropped unless the page asked to keep them.
 */
let stream: StreamIndex | undefined;

async function fingerprint(files: Map<string, Uint8Array>, names: string[]): Promise<string> {
  const parts: BlobPart[] = [];
  for (const name of names) {
    const b = files.get(name);
    if (b) parts.push(`${name}:${b.byteLength}:`, b as BlobPart);
  }
  return sha256(new Blob(parts));
}

async function createOn(device: 'webgpu' | 'wasm', bundleBytes: Map<string, Uint8Array>, req: LoadRequest, dtype: Dtype, label: string): Promise<Embedder> {
  const bundle = await loadBundle(label, async (p) => {
    const b = bundleBytes.get(p);
    if (!b) throw new Error(`${p} was not downloaded`);
    return b;
  }, dtype);
  return Embedder.create(ort as unknown as OrtModule, bundle, dtype, { executionProviders: [device], graphOptimizationLevel: 'all', logSeverityLevel: 3 });
}

const api = {
  probe,

  async load(req: LoadRequest, onProgress: (p: LoadProgress) => void): Promise<LoadedModel> {
    const t0 = performance.now();
    const entry = getModel(req.modelId);
    // A local folder is named as what it is, not as the registry entry that happened to be selected.
    const label = req.source.kind === 'files' ? `the local folder "${req.source.label}"` : entry?.label ?? req.modelId;
    const p = await probe();
    const device: 'webgpu' | 'wasm' = req.device === 'wasm' ? 'wasm' : p.webgpu ? 'webgpu' : 'wasm';
    let fallbackReason = req.fallbackReason;
    if (req.device !== 'wasm' && !p.webgpu) {
      fallbackReason = `using WASM: ${p.reason}`;
      onProgress({ step: 'fallback', reason: fallbackReason });
    }
    const dtype = req.dtype ?? (entry ? chooseDtype(entry, device, p.shaderF16) : 'fp32');
    // A local folder is what its files say (processor_config.json: ColModernVBERT; onnx/model.onnx:
    // a text encoder); else the registry entry.
    const local = req.source.kind === 'files' ? [...req.source.files.keys()] : undefined;
    const page = local ? isColVisionFolder(local) : entry?.modality === 'page';
    const text = !page && (local ? isColbertFolder(local) : entry?.modality === 'text');
    const names = page ? COLVISION_REQUIRED : text ? COLBERT_REQUIRED(dtype) : modelFiles(dtype);
    const files = await fetchModelFiles(req.source, names, (progress) => onProgress({ step: 'download', progress }));
    if (page) for (const [path, bytes] of await fetchModelGraph(req.source, (progress) => onProgress({ step: 'download', progress }))) files.set(path, bytes);
    if (text) {
      for (const [path, bytes] of await fetchOptional(req.source, COLBERT_OPTIONAL)) files.set(path, bytes);
      if (!files.has('1_Dense/model.safetensors')) {
        const linear = await readSafetensorsTensor(req.source, 'model.safetensors', 'linear.weight');
        if (linear) files.set(CHECKPOINT_LINEAR, linear);
      }
    }
    await embedder?.release();
    await colbert?.release();
    await colvision?.release();
    embedder = undefined;
    colbert = undefined;
    colvision = undefined;
    loaded = undefined;
    stream = undefined; // its vectors belong to the previous model
    onProgress({ step: 'compile', device, dtype });
    const options = { executionProviders: [device], graphOptimizationLevel: 'all', logSeverityLevel: 3 };
    let e: Embedder | ColbertEmbedder | ColVisionEmbedder;
    try {
      e = page
        ? await ColVisionEmbedder.create(ort as unknown as OrtModule, loadColVisionBundle(label, files), dtype, options)
        : text
          ? await ColbertEmbedder.create(ort as unknown as OrtModule, loadColbertBundle(label, files, dtype), dtype, options)
          : await createOn(device, files, req, dtype, label);
    } catch (err) {
      // A failed check or a static export is the file's problem: another device would not help.
      if (device !== 'webgpu' || err instanceof ModelCheckError || err instanceof StaticExportError || (err as Error).name === 'ModelFolderError') throw err;
      // WebGPU failed (no device, no adapter memory, unsupported op, lost device). onnxruntime-web's
      // WebAssembly instance is not usable after a failed WebGPU start: a WASM session created next
      // in this worker never finishes (seen with a GPU that refuses a device). So the client starts
      // a fresh worker and loads on WASM there, with this reason.
      throw Object.assign(new Error(`WebGPU failed to run this model (${(err as Error).message.split('\n')[0]}); using WASM`), { name: WEBGPU_LOAD_FAILED });
    }
    // In a fixed order (downloads finish in any order): the required files, then the optional ones by name.
    modelFingerprint = await fingerprint(files, [...names, ...[...files.keys()].filter((k) => !names.includes(k)).sort()]);
    const common = { modelId: req.modelId, label, device, dtype, fallbackReason, selfCheck: e.selfCheckReport!, saliency: e.saliencyNote, dim: e.d, loadMs: performance.now() - t0 };
    if (e instanceof ColVisionEmbedder) {
      colvision = e;
      const b = e.bundle;
      loaded = { ...common, grid: b.seqGrid, inputSize: b.imageSize, centerCrop: false, modality: 'page', colvision: { imageSize: b.imageSize, seqLen: b.seqLen, maxTiles: maxTileSetting(b), graph: b.graphPath } };
    } else if (e instanceof ColbertEmbedder) {
      colbert = e;
      const st = e.bundle.settings;
      loaded = { ...common, grid: 0, inputSize: 0, centerCrop: false, modality: 'text', colbert: { queryLength: st.queryLength, documentLength: st.documentLength, projection: e.projection } };
    } else {
      embedder = e;
      loaded = { ...common, grid: e.grid, inputSize: e.size, centerCrop: !!e.bundle.preprocessor.do_center_crop, modality: 'image' };
    }
    loaded.loadMs = performance.now() - t0;
    return loaded;
  },

  cancel(): void {
    cancelRequested = true;
  },

  async embed(items: EmbedItem[], options: EmbedOptions, onProgress: (p: EmbedProgress) => void): Promise<EmbedResult> {
    const e = embedder;
    const c = colbert;
    const v = colvision;
    if (!e && !c && !v) throw new Error('no model is loaded');
    cancelRequested = false;
    const info = loaded!;
    const batch = new EmbedBatch(items.length, [info.modelId, modelFingerprint, info.dtype, info.device], ENGINE_VERSION, onProgress, stream, () => cancelRequested);
    const tools = e && { e, embed: bitmapEmbedder(e), webm: decodeWebmIsolated };
    const draw = v && pageDrawer(v);
    for (const [index, item] of items.entries()) {
      if (cancelRequested) {
        EmbedBatch.closeFrames(items.slice(index));
        return batch.result(true);
      }
      if (item.text || item.pdf) {
        const t0 = performance.now();
        // A file of several documents (passages, pages): the handler reports each as it is done.
        const asked = options.pdf ?? PDF_DEFAULTS;
        const settings = v ? { ...asked, tiles: clampTiles(v, asked.tiles) } : asked;
        const embedPage = (id: string, bitmap: ImageBitmap) =>
          draw
            ? draw(id, bitmap, settings.tiles)
            : tools!.embed(id, viewRects(bitmap.width, bitmap.height, e!.bundle.preprocessor, settings.tiles).map((rect, i) => ({ bitmap, rect, meta: { tile: i - 1, frame: -1, time: NaN } })));
        const count = item.text
          ? v
            ? (batch.fail(item.name, PAGE_MODEL_ONLY), 0)
            : await embedTextItem(c, item.name, item.text, !!item.jsonl, batch)
          : tools || draw
            ? await embedPdfItem(item.name, item.pdf!, settings, embedPage, batch.pictures, batch)
            : (batch.fail(item.name, TEXT_MODEL_ONLY), 0);
        if (count === 0) batch.done(item.name, performance.now() - t0);
        if (cancelRequested) {
          EmbedBatch.closeFrames(items.slice(index + 1));
          return batch.result(true);
        }
      } else if (v && draw) {
        await embedColVisionPicture(item, options.tiles, v, draw, batch);
      } else if (!tools) {
        batch.fail(item.name, TEXT_MODEL_ONLY);
        item.frames?.forEach((f) => f.bitmap.close());
        batch.done(item.name, 0);
      } else {
        await embedPictureItem(item, options, tools, batch);
      }
    }
    return batch.result(false);
  },

  async query(text: string, includeSpecial = false) {
    const m = queryModel();
    if (!m) throw new Error('no model is loaded');
    return m.embedQuery(text, includeSpecial);
  },

  /** Uncompressed MaxSim search of `docs` (used by the embedding panel to check results). */
  async search(text: string, docs: MultiVector[], k = 5, includeSpecial = false) {
    const m = queryModel();
    if (!m) throw new Error('no model is loaded');
    const q = await m.embedQuery(text, includeSpecial);
    if (q.n === 0) throw new Error(`the model gives none of the words of "${text}" a direction; try other words`);
    const corpus = packCorpus(docs);
    const scores = maxSimScores(q.vectors, q.n, corpus);
    return { queryTokens: q.n, hits: topK(scores, k).map((h) => ({ id: corpus.ids[h.doc], score: h.score })) };
  },

  storedStats,
  clearStored,

  /** Starts a new streaming index (the previous one, if any, is dropped). */
  startStream(settings: StreamSettings): StreamInfo {
    if (!loaded) throw new Error('no model is loaded');
    stream = new StreamIndex(settings, loaded.dim, loaded.label);
    return stream.info();
  },

  stopStream(): void {
    stream = undefined;
  },

  streamInfo: (): StreamInfo | undefined => stream?.info(),

  /** MaxSim over the streaming index, in its storage type. */
  async searchStream(text: string, k = 5, includeSpecial = false) {
    const m = queryModel();
    if (!m) throw new Error('no model is loaded');
    if (!stream || stream.builder.documents === 0) throw new Error('the streaming index is empty');
    const q = await m.embedQuery(text, includeSpecial);
    if (q.n === 0) throw new Error(`the model gives none of the words of "${text}" a direction; try other words`);
    const stored = stream.builder.view();
    const scores = scoreStored(queryForStorage(q.vectors, q.n, q.d, stored.storage), q.n, stored);
    return { queryTokens: q.n, hits: topK(scores, k).map((h) => ({ id: stored.ids[h.doc], score: h.score })) };
  },

  /** The streaming index as safetensors + manifest (with Qdrant settings) + Qdrant JSONL. */
  exportStream() {
    if (!stream || stream.builder.documents === 0) throw new Error('the streaming index is empty');
    const { settings } = stream;
    return indexFileBlobs(indexFiles(stream.builder.view(), { model: stream.model, spec: parseMethodSpec(settings.method), budget: settings.budget, seed: settings.seed }));
  },

  info(): LoadedModel | undefined {
    return loaded;
  },
};

export type EmbedWorkerApi = typeof api;
Comlink.expose(api);
