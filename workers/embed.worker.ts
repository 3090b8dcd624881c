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
import { documentFromViews, type ViewMeta } from '../src/embed/document.ts';
import { Embedder, ModelCheckError, StaticExportError, type Dtype, type OrtModule } from '../src/embed/embedder.ts';
import { inputSize, rgbaToPixelValues, viewRects, type Rect } from '../src/embed/preprocess.ts';
import { chooseDtype, fetchModelFiles, fetchOptional, getModel, readSafetensorsTensor } from '../src/embed/registry.ts';
import type { MultiVector } from '../src/core/multivector.ts';
import { maxSimScores, packCorpus, topK } from '../src/core/maxsim.ts';
import { decodeMp4Frames, WebCodecsUnavailable } from '../src/media/videoDecode.ts';
import { clearStored, getStored, putStored, sha256, storedStats } from '../src/embed/store.ts';
import { ENGINE_VERSION } from '../src/core/experiment.ts';
import { IndexBuilder, indexFileBlobs, indexFiles } from '../src/core/exportIndex.ts';
import { formatMethodSpec, parseMethodSpec } from '../src/core/methodSpec.ts';
import { DocumentError } from '../src/core/multivector.ts';
import { WEBGPU_LOAD_FAILED } from '../src/embed/loadErrors.ts';
import { embedPdfItem } from '../src/embed/pdfItem.ts';
import { probe } from '../src/embed/deviceProbe.ts';
import { isEbml } from '../src/media/webmDecode.ts';
import { decodeWebmIsolated } from '../src/clients/webmClient.ts';
import { queryForStorage, scoreStored, storedBytes } from '../src/core/storage/stored.ts';
import { ColbertEmbedder } from '../src/embed/colbert.ts';
import { CHECKPOINT_LINEAR, COLBERT_OPTIONAL, COLBERT_REQUIRED, isColbertFolder, loadColbertBundle } from '../src/embed/colbertBundle.ts';
import { embedTextItem, type ItemContext } from '../src/embed/textItem.ts';
import { PDF_DEFAULTS, type EmbedItem, type EmbedOptions, type EmbedProgress, type EmbedResult, type LoadedModel, type LoadProgress, type LoadRequest, type StreamInfo, type StreamSettings } from '../src/embed/workerTypes.ts';

let embedder: Embedder | undefined;
/** The loaded text model (ColBERT), when the loaded model is one; then `embedder` is undefined. */
let colbert: ColbertEmbedder | undefined;
/** Whichever model is loaded, for queries. */
const queryModel = () => embedder ?? colbert;
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
let stream: { settings: StreamSettings; builder: IndexBuilder; ids: Set<string>; model: string } | undefined;

function streamInfo(): StreamInfo | undefined {
  if (!stream) return undefined;
  const stored = stream.builder.view();
  const bytes = storedBytes(stored);
  const documents = stored.ids.length;
  return { ...stream.settings, documents, vectors: stored.offsets[documents], tokensIn: stream.builder.tokensIn, bytes, bytesPerDoc: documents ? bytes / documents : 0 };
}

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
    // A local folder is what its files say (onnx/model.onnx: a text encoder); else the registry entry.
    const text = req.source.kind === 'files' ? isColbertFolder(req.source.files.keys()) : entry?.modality === 'text';
    const names = text ? COLBERT_REQUIRED(dtype) : modelFiles(dtype);
    const files = await fetchModelFiles(req.source, names, (progress) => onProgress({ step: 'download', progress }));
    if (text) {
      for (const [path, bytes] of await fetchOptional(req.source, COLBERT_OPTIONAL)) files.set(path, bytes);
      if (!files.has('1_Dense/model.safetensors')) {
        const linear = await readSafetensorsTensor(req.source, 'model.safetensors', 'linear.weight');
        if (linear) files.set(CHECKPOINT_LINEAR, linear);
      }
    }
    await embedder?.release();
    await colbert?.release();
    embedder = undefined;
    colbert = undefined;
    loaded = undefined;
    stream = undefined; // its vectors belong to the previous model
    onProgress({ step: 'compile', device, dtype });
    const options = { executionProviders: [device], graphOptimizationLevel: 'all', logSeverityLevel: 3 };
    let e: Embedder | ColbertEmbedder;
    try {
      e = text ? await ColbertEmbedder.create(ort as unknown as OrtModule, loadColbertBundle(label, files, dtype), dtype, options) : await createOn(device, files, req, dtype, label);
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
    if (e instanceof ColbertEmbedder) {
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
    if (!e && !c) throw new Error('no model is loaded');
    cancelRequested = false;
    const docs: MultiVector[] = [];
    const errors: { name: string; message: string }[] = [];
    const needsPageDecode: { name: string; reason: string }[] = [];
    const decoders: EmbedResult['decoders'] = {};
    let fromStore = 0;
    let storeError: string | undefined;
    const storeNotes: string[] = [];
    const notes: string[] = [];
    const indexed: { id: string; n: number; stored: number }[] = [];
    /** A finished document: into the streaming index (if any), and to the page if it keeps full vectors. */
    const accept = (doc: MultiVector) => {
      if (stream) {
        if (stream.ids.has(doc.id)) throw new Error('already in the streaming index (start a new one to re-embed it)');
        const before = stream.builder.vectorCount;
        try {
          stream.builder.add(doc);
        } catch (err) {
          throw new Error(err instanceof DocumentError ? `not indexed: ${err.message}` : (err as Error).message);
        }
        stream.ids.add(doc.id);
        indexed.push({ id: doc.id, n: doc.n, stored: stream.builder.vectorCount - before });
        if (!stream.settings.keepFull) return;
      }
      docs.push(doc);
    };
    const info = loaded!;
    const S = e ? inputSize(e.bundle.preprocessor) : 1;
    const canvas = new OffscreenCanvas(S, S);
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    /** Draws each view at the model's input size and embeds them all as one document. */
    const embedBitmaps = async (id: string, views: { bitmap: ImageBitmap; rect: Rect; meta: ViewMeta }[]) => {
      if (!e) throw new Error(TEXT_MODEL_ONLY);
      const pix = new Float32Array(views.length * 3 * S * S);
      views.forEach((v, i) => {
        ctx.clearRect(0, 0, S, S);
        ctx.imageSmoothingEnabled = true;
        ctx.imageSmoothingQuality = 'high';
        ctx.drawImage(v.bitmap, v.rect.x, v.rect.y, v.rect.w, v.rect.h, 0, 0, S, S);
        rgbaToPixelValues(ctx.getImageData(0, 0, S, S).data, S, e.bundle.preprocessor, pix, i * 3 * S * S);
      });
      const emb = await e.embedViews(pix, views.length);
      return documentFromViews(id, emb, views.map((v) => v.meta), e.saliencySource);
    };
    const pictures: Record<string, Blob> = {};
    const t0 = performance.now();
    let done = 0;
    let total = items.length;
    const cancelledResult = (): EmbedResult => ({ docs, indexed, stream: streamInfo(), errors, needsPageDecode, decoders, pictures, fromStore, storeError, storeNotes, notes, cancelled: true, msPerItem: (performance.now() - t0) / Math.max(1, done) });
    /** Closes the page-decoded frames of items that will not be processed (cancel). */
    const closeFrames = (from: number) => items.slice(from).forEach((it) => it.frames?.forEach((f) => f.bitmap.close()));
    /** What the per-kind handlers (src/embed/textItem.ts) need of this batch. */
    const itemContext: ItemContext = {
      storeKey: (what, settings) => [...what, info.modelId, modelFingerprint, info.dtype, info.device, ...settings, ENGINE_VERSION].join('|'),
      accept,
      fail: (name, message) => (errors.push({ name, message }), onProgress({ step: 'error', name, message })),
      done: (name, ms) => (done++, onProgress({ step: 'item', done, total, name, ms })),
      grow: (n) => onProgress({ step: 'total', total: (total += n) }),
      cancelled: () => cancelRequested,
      decoders,
      notes,
      async recall(key, id) {
        const got = key ? await getStored(key).catch(() => undefined) : undefined;
        if (got && 'problem' in got) storeNotes.push(`${id}: a stored embedding was not used (${got.problem}); embedded again`);
        return got && 'doc' in got ? got.doc : undefined;
      },
      async keep(key, doc, decoder) {
        if (key) await putStored(key, { doc, decoder }).catch((err) => (storeError ??= (err as Error).message));
      },
      fromStore: () => fromStore++,
    };
    for (const [index, item] of items.entries()) {
      if (cancelRequested) {
        closeFrames(index);
        return cancelledResult();
      }
      const ti = performance.now();
      if (!e && !item.text) {
        errors.push({ name: item.name, message: TEXT_MODEL_ONLY });
        onProgress({ step: 'error', name: item.name, message: TEXT_MODEL_ONLY });
        item.frames?.forEach((f) => f.bitmap.close());
        done++;
        onProgress({ step: 'item', done, total, name: item.name, ms: 0 });
        continue;
      }
      if (item.text || item.pdf) {
        // A file of several documents (passages, pages): the handler reports each as it is done.
        const settings = options.pdf ?? PDF_DEFAULTS;
        const embedPage = (id: string, bitmap: ImageBitmap) =>
          embedBitmaps(id, viewRects(bitmap.width, bitmap.height, e!.bundle.preprocessor, settings.tiles).map((rect, i) => ({ bitmap, rect, meta: { tile: i - 1, frame: -1, time: NaN } })));
        const count = item.text
          ? await embedTextItem(c, item.name, item.text, !!item.jsonl, itemContext)
          : await embedPdfItem(item.name, item.pdf!, settings, embedPage, pictures, itemContext);
        if (count === 0) {
          done++;
          onProgress({ step: 'item', done, total, name: item.name, ms: performance.now() - ti });
        }
        if (cancelRequested) {
          closeFrames(index + 1);
          return cancelledResult();
        }
        continue;
      }
      // From here on an image model is loaded (`e`): other items were refused above.
      const file = item.blob ?? item.video?.blob ?? item.source;
      let key: string | undefined;
      let storedDoc: MultiVector | undefined;
      try {
        if (file && file.size > 0) {
          const frames = item.video?.frames ?? item.frames?.length ?? 0;
          key = [await sha256(file), info.modelId, modelFingerprint, info.dtype, info.device, `tiles=${item.blob ? options.tiles : 1}`, `frames=${frames}`, `fps=${item.video?.fps ?? item.fps ?? ''}`, ENGINE_VERSION].join('|');
          storedDoc = await itemContext.recall(key, item.name);
        }
      } catch (err) {
        storeError ??= (err as Error).message; // storage unavailable (private mode, quota): embed without it
        key = undefined;
      }
      if (storedDoc) {
        try {
          accept({ ...storedDoc, id: item.name });
          decoders[item.name] = 'stored';
          fromStore++;
        } catch (err) {
          errors.push({ name: item.name, message: (err as Error).message });
          onProgress({ step: 'error', name: item.name, message: (err as Error).message });
        }
        item.frames?.forEach((f) => f.bitmap.close());
        done++;
        onProgress({ step: 'item', done, total, name: item.name, ms: performance.now() - ti });
        continue;
      }
      const views: { bitmap: ImageBitmap; rect: Rect; meta: ViewMeta }[] = [];
      try {
        let frames = item.frames;
        let decoder: EmbedResult['decoders'][string] = frames ? 'video-element' : 'image';
        if (item.video) {
          if (item.video.blob.size === 0) throw new Error('the file is empty (0 bytes)');
          try {
            const buffer = await item.video.blob.arrayBuffer();
            // By content, not name: WebM and Matroska start with an EBML header, MP4 and MOV with boxes.
            frames = isEbml(new Uint8Array(buffer, 0, Math.min(4, buffer.byteLength)))
              ? await decodeWebmIsolated(buffer, item.video.frames, item.video.fps)
              : await decodeMp4Frames(buffer, item.video.frames, item.video.fps);
            decoder = 'webcodecs-worker';
          } catch (err) {
            if (!(err instanceof WebCodecsUnavailable)) throw err;
            needsPageDecode.push({ name: item.name, reason: err.message });
            done++;
            onProgress({ step: 'item', done, total, name: item.name, ms: performance.now() - ti });
            continue;
          }
        }
        if (frames) {
          const list = frames;
          if (list.length === 0) throw new Error('no frames could be decoded');
          list.forEach((f, i) => {
            const [rect] = viewRects(f.bitmap.width, f.bitmap.height, e!.bundle.preprocessor, 1);
            views.push({ bitmap: f.bitmap, rect, meta: { tile: -1, frame: i, time: f.time } });
          });
        } else if (item.blob) {
          if (item.blob.size === 0) throw new Error('the file is empty (0 bytes)');
          let bitmap: ImageBitmap;
          try {
            bitmap = item.rgba
              ? await createImageBitmap(new ImageData(item.rgba.data, item.rgba.width, item.rgba.height))
              : await createImageBitmap(item.blob, { imageOrientation: 'from-image' });
          } catch {
            throw new Error(`the browser cannot decode it as an image${item.blob.type ? ` (${item.blob.type})` : ''}`);
          }
          viewRects(bitmap.width, bitmap.height, e!.bundle.preprocessor, options.tiles).forEach((rect, i) =>
            views.push({ bitmap, rect, meta: { tile: i - 1, frame: -1, time: NaN } }),
          );
        } else {
          throw new Error('nothing to embed');
        }
        const doc = await embedBitmaps(item.name, views);
        accept(doc);
        decoders[item.name] = decoder;
        await itemContext.keep(key, doc, decoder);
      } catch (err) {
        const message = (err as Error).message;
        errors.push({ name: item.name, message });
        onProgress({ step: 'error', name: item.name, message });
      } finally {
        // Every bitmap of the item, on success and on error: decoded frames are large.
        for (const b of new Set([...views.map((v) => v.bitmap), ...(item.frames ?? []).map((f) => f.bitmap)])) b.close();
      }
      done++;
      onProgress({ step: 'item', done, total, name: item.name, ms: performance.now() - ti });
    }
    return { docs, indexed, stream: streamInfo(), errors, needsPageDecode, decoders, pictures, fromStore, storeError, storeNotes, notes, cancelled: false, msPerItem: (performance.now() - t0) / Math.max(1, done) };
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
    const spec = parseMethodSpec(settings.method);
    stream = { settings: { ...settings, method: formatMethodSpec(spec) }, builder: new IndexBuilder({ d: loaded.dim, spec, budget: settings.budget, storage: settings.storage, seed: settings.seed }), ids: new Set(), model: loaded.label };
    return streamInfo()!;
  },

  stopStream(): void {
    stream = undefined;
  },

  streamInfo,

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
