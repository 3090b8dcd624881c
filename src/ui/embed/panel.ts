/**
 * The "Embed on this device" panel: pick a model and where it comes from, load it (one progress
 * bar for all downloads, then a compile/warm-up step with the self-check), drop files, watch them
 * embed, and search them with uncompressed MaxSim. All model work runs in workers/embed.worker.ts.
 */
import type { MultiVector } from '../../core/multivector.ts';
import type { DemoCorpus } from '../../demo/scenes.ts';
import { initDemoButtons } from './demo.ts';
import { isJsonl, isTextFile } from '../../embed/textDocs.ts';
import { isColbertFolder } from '../../embed/colbertBundle.ts';
import { EmbedClient } from '../../clients/embedClient.ts';
import type { EmbeddedCorpus } from '../corpusStore.ts';
export type { EmbeddedCorpus } from '../corpusStore.ts';
import type { Dtype } from '../../embed/embedder.ts';
import { DEFAULT_HUB_HOST, folderFiles, getModel, MODELS, type ModelSource } from '../../embed/registry.ts';
import { looksLikeWebm, sampleVideo } from '../../media/video.ts';
import { looksLikeMp4 } from '../../media/videoDecode.ts';
import type { EmbedItem, LoadedModel } from '../../clients/embedClient.ts';
import { listenForDrops } from './drop.ts';
import { initStreamIndex } from './stream.ts';
import { initSearch } from './search.ts';
import { corpusChanged } from '../corpusStore.ts';
import { METHOD_CHOICES, storageSelect } from '../rail/compareSettings.ts';
import type { PageState } from '../state/schema.ts';
import { effect, type Store } from '../state/store.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** What other panels read from this one: the embedded corpus and a way to embed queries. */

export function initEmbedPanel(store: Store): EmbeddedCorpus {
  const client = new EmbedClient();
  const modelSelect = $<HTMLSelectElement>('model');
  const deviceSelect = $<HTMLSelectElement>('device');
  const dtypeSelect = $<HTMLSelectElement>('dtype');
  const hostInput = $<HTMLInputElement>('model-host');
  const folderInput = $<HTMLInputElement>('model-folder');
  const modelNote = $<HTMLParagraphElement>('model-note');
  const modelProgress = $<HTMLProgressElement>('model-progress');
  const modelStatus = $<HTMLParagraphElement>('model-status');
  const filesInput = $<HTMLInputElement>('files');
  const tilesInput = $<HTMLInputElement>('tiles');
  const framesInput = $<HTMLInputElement>('frames');
  const cancelButton = $<HTMLButtonElement>('embed-cancel');
  const embedProgress = $<HTMLProgressElement>('embed-progress');
  const embedStatus = $<HTMLParagraphElement>('embed-status');
  const errorList = $<HTMLUListElement>('file-errors');
  const table = $<HTMLTableElement>('embedded');
  const searchForm = $<HTMLFormElement>('search-form');
  const hits = $<HTMLOListElement>('hits');

  for (const m of MODELS) modelSelect.add(new Option(m.label, m.id));
  hostInput.value = DEFAULT_HUB_HOST;

  const describe = () => {
    const m = getModel(modelSelect.value)!;
    const picked = folderInput.files;
    if (!picked?.length) {
      modelNote.textContent = m.note;
      return;
    }
    // The folder is loaded instead of the menu's model: describe the folder, not the menu entry.
    const name = picked[0].webkitRelativePath.split('/')[0] || 'folder';
    const kind = isColbertFolder(folderFiles(picked).keys()) ? 'a ColBERT text model (onnx/model.onnx): it embeds .txt, .md and JSONL files' : 'an image model (onnx/vision_model.onnx and onnx/text_model.onnx): it embeds pictures, videos and PDF pages';
    modelNote.textContent = `The local folder "${name}" (${picked.length} files) will be loaded instead of the menu's model: ${kind}.`;
  };
  modelSelect.addEventListener('change', describe);
  folderInput.addEventListener('change', describe);
  describe();
  const streamMethod = $<HTMLSelectElement>('stream-method');
  for (const m of METHOD_CHOICES) if (m.id !== 'none') streamMethod.add(new Option(m.label, m.id, m.id === 'agc', m.id === 'agc'));
  storageSelect($<HTMLSelectElement>('stream-storage'), 'fp16');
  // The model, device and weights are page state: a link carries them, the controls show them.
  effect(() => {
    const s = store.state.value;
    modelSelect.value = s.model;
    deviceSelect.value = s.device;
    dtypeSelect.value = s.dtype;
    describe();
  });
  modelSelect.addEventListener('change', () => store.update({ model: modelSelect.value }));
  deviceSelect.addEventListener('change', () => store.update({ device: deviceSelect.value as PageState['device'] }));
  dtypeSelect.addEventListener('change', () => store.update({ dtype: dtypeSelect.value as PageState['dtype'] }));

  let loaded: LoadedModel | undefined;
  const docs: MultiVector[] = [];
  const sources = new Map<string, Blob>();
  let busy = false;
  let abort: AbortController | undefined;

  client.probe().then((p) => {
    if (!p.webgpu) {
      modelStatus.replaceChildren();
      modelStatus.append(Object.assign(document.createElement('span'), { className: 'fallback', textContent: `WebGPU unavailable: ${p.reason}. Models will run on WASM (CPU).` }));
    }
  });

  $<HTMLFormElement>('model-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void loadModel();
  });

  async function loadModel(): Promise<void> {
    if (busy) return;
    busy = true;
    const entry = getModel(modelSelect.value)!;
    let source: ModelSource;
    if (folderInput.files && folderInput.files.length > 0) {
      source = { kind: 'files', label: folderInput.files[0].webkitRelativePath.split('/')[0] || 'folder', files: folderFiles(folderInput.files) };
    } else if (entry.builtin) {
      source = { kind: 'url', base: new URL(`${import.meta.env.BASE_URL}models/${entry.id}`, location.href).href };
    } else {
      source = { kind: 'hub', host: hostInput.value.trim() || DEFAULT_HUB_HOST, repo: entry.repo! };
    }
    modelProgress.hidden = false;
    modelProgress.removeAttribute('value');
    modelStatus.textContent = 'Loading…';
    const notes: string[] = [];
    // Progress travels on its own port and can arrive after the load settled: ignore it then, or
    // a late "Compiling…" would hide the error.
    let settled = false;
    // Loading a model drops the worker's streaming index (its vectors belong to the old model).
    stream.reset();
    try {
      loaded = await client.load({ modelId: entry.id, source, device: deviceSelect.value as 'auto', dtype: (dtypeSelect.value || undefined) as Dtype | undefined }, (p) => {
        if (settled) return;
        if (p.step === 'download') {
          const { loaded: l, total, file, fromCache } = p.progress;
          if (total > 0) {
            modelProgress.max = total;
            modelProgress.value = l;
          }
          modelStatus.textContent = `${fromCache ? 'Reading cached' : 'Downloading'} model files: ${(l / 1e6).toFixed(1)}${total ? ` of ${(total / 1e6).toFixed(1)}` : ''} MB (${file})`;
        } else if (p.step === 'compile') {
          modelProgress.removeAttribute('value');
          modelStatus.textContent = `Compiling for ${p.device.toUpperCase()} (${p.dtype}) and running the self-check…`;
        } else {
          notes.push(p.reason);
        }
      });
      settled = true;
      modelProgress.hidden = true;
      modelStatus.replaceChildren();
      const line = document.createElement('span');
      const shape = loaded.colbert
        ? `one ${loaded.dim}-dimensional vector per token (ColBERT text model: queries of ${loaded.colbert.queryLength} tokens with [MASK] expansion, passages of up to ${loaded.colbert.documentLength} tokens; projection ${loaded.colbert.projection}). Drop .txt, .md or JSONL files`
        : `${loaded.dim}-dimensional vectors, ${loaded.grid}x${loaded.grid} patches per view`;
      line.textContent = `Loaded ${loaded.label} on ${loaded.device.toUpperCase()} (${loaded.dtype}) in ${(loaded.loadMs / 1000).toFixed(1)} s: ${shape}. Self-check ${loaded.selfCheck.message}. Saliency: ${loaded.saliency}.`;
      line.dataset.device = loaded.device;
      modelStatus.append(line);
      for (const n of notes) modelStatus.append(document.createElement('br'), Object.assign(document.createElement('span'), { className: 'fallback', textContent: n }));
      docs.length = 0;
      sources.clear();
      corpusChanged('cleared');
      embedStatus.textContent = '';
      errorList.replaceChildren();
      hits.replaceChildren();
      table.tBodies[0].replaceChildren();
      table.hidden = true;
      searchForm.hidden = true;
    } catch (err) {
      settled = true;
      modelProgress.hidden = true;
      modelStatus.replaceChildren();
      modelStatus.append(Object.assign(document.createElement('span'), { className: 'error', textContent: `Could not load the model: ${(err as Error).message}` }));
      loaded = undefined;
    } finally {
      busy = false;
    }
  }

  const stream = initStreamIndex(client);

  /** Loads the chosen model when none is loaded (a click that needs one never just refuses). */
  async function ensureModel(): Promise<boolean> {
    if (!loaded && !busy) await loadModel();
    if (!loaded) embedStatus.textContent = busy ? 'The model is still loading: try again when it is ready.' : 'The model could not be loaded (see above); pick another one or a local folder.';
    return !!loaded;
  }

  async function embedFiles(files: File[], extra: EmbedItem[] = []) {
    if (files.length === 0 && extra.length === 0) return;
    if (!(await ensureModel())) return;
    if (busy) {
      embedStatus.textContent = 'Still busy with the previous batch: wait for it or cancel it.';
      return;
    }
    busy = true;
    cancelButton.disabled = false;
    // Created first, so Cancel also stops the page-side video sampling below.
    abort = new AbortController();
    const signal = abort.signal;
    errorList.replaceChildren();
    const frames = Math.max(1, Math.min(256, Number(framesInput.value) || 24));
    const fpsValue = Number($<HTMLInputElement>('fps').value);
    const fps = Number.isFinite(fpsValue) && fpsValue > 0 ? Math.min(60, fpsValue) : undefined;
    const tiles = Math.max(1, Math.min(4, Number(tilesInput.value) || 1));
    const pdf = { size: Math.max(64, Math.min(4096, Number($<HTMLInputElement>('pdf-size').value) || 1024)), tiles: Math.max(1, Math.min(4, Number($<HTMLInputElement>('pdf-tiles').value) || 3)) };
    const items: EmbedItem[] = [...extra];
    // One entry per file: progress messages travel on their own channel and may arrive after the
    // result, so errors are keyed by file and late progress of a finished batch is ignored.
    const failed = new Map<string, string>();
    const addError = (name: string, message: string) => {
      if (failed.has(name)) return;
      failed.set(name, message);
      errorList.append(Object.assign(document.createElement('li'), { textContent: `${name}: ${message}` }));
    };
    let finished = false;
    embedProgress.hidden = false;
    embedProgress.max = files.length + extra.length;
    embedProgress.value = 0;
    const pageSample = async (f: Blob & { name: string }) => {
      embedStatus.textContent = `Sampling ${fps ? `at ${fps} fps (at most ${frames} frames)` : `${frames} frames`} from ${f.name}…`;
      try {
        return { name: f.name, frames: await sampleVideo(f, frames, fps), fps, source: f as Blob };
      } catch (err) {
        addError(f.name, (err as Error).message);
        return undefined;
      }
    };
    // Why a video was sampled on the page rather than in the worker, shown on its decoder cell.
    const pageReason = new Map<string, string>();
    for (const f of files) {
      if (signal.aborted) break;
      if (isTextFile(f.name, f.type)) {
        items.push({ name: f.name, text: f, jsonl: isJsonl(f.name, f.type) }); // passages, embedded by a text model
      } else if (f.type === 'application/pdf' || /\.pdf$/i.test(f.name)) {
        items.push({ name: f.name, pdf: f }); // every page a document, rendered in the worker
      } else if (looksLikeMp4(f.name, f.type) || looksLikeWebm(f.name, f.type)) {
        items.push({ name: f.name, video: { blob: f, frames, fps } }); // demuxed and decoded in the worker
      } else if (f.type.startsWith('video/')) {
        pageReason.set(f.name, `the worker demuxes MP4, MOV, WebM and Matroska only, and this is ${f.type}`);
        const item = await pageSample(f);
        if (item) items.push(item);
      } else if (f.type.startsWith('image/') || f.type === '') {
        items.push({ name: f.name, blob: f, rgba: demoFiles.decoded.get(f) });
      } else {
        addError(f.name, `not an image, video, PDF or text file (${f.type}); skipped`);
      }
    }
    const t0 = performance.now();
    const byName = new Map(files.map((f) => [f.name, f]));
    try {
      await stream.sync();
      const onProgress = (p: Parameters<Parameters<EmbedClient['embed']>[2]>[0]) => {
        if (finished) return;
        if (p.step === 'total') {
          embedProgress.max = p.total;
        } else if (p.step === 'item') {
          embedProgress.value = p.done;
          const per = (performance.now() - t0) / p.done;
          const left = ((p.total - p.done) * per) / 1000;
          embedStatus.textContent = `Embedded ${p.done} of ${p.total} (${p.name}); about ${left.toFixed(0)} s left`;
        } else {
          addError(p.name, p.message);
        }
      };
      const result = await client.embed(items, { tiles, pdf }, onProgress, signal);
      for (const e of result.errors) addError(e.name, e.message);
      for (const x of result.needsPageDecode) pageReason.set(x.name, `the worker could not decode it (${x.reason})`);
      if (result.needsPageDecode.length > 0 && !result.cancelled) {
        // Videos the worker could not decode (e.g. WebM, or no WebCodecs): sample them here instead.
        const retry: EmbedItem[] = [];
        for (const { name } of result.needsPageDecode) {
          if (signal.aborted) break;
          const item = await pageSample(byName.get(name)!);
          if (item) retry.push(item);
        }
        const more = await client.embed(retry, { tiles, pdf }, onProgress, signal);
        for (const e of more.errors) addError(e.name, e.message);
        result.docs.push(...more.docs);
        Object.assign(result.decoders, more.decoders);
        result.fromStore += more.fromStore;
        result.storeNotes.push(...more.storeNotes);
        result.notes.push(...more.notes);
        result.cancelled = more.cancelled;
      }
      finished = true;
      stream.show(result.stream);
      const compressedTo = new Map(result.indexed.map((x) => [x.id, x.stored]));
      for (const x of result.indexed) {
        if (result.docs.some((d) => d.id === x.id)) continue;
        // Indexed only: the full vectors were dropped in the worker.
        table.tBodies[0].querySelector(`tr[data-doc="${CSS.escape(x.id)}"]`)?.remove();
        const tr = table.tBodies[0].insertRow();
        tr.dataset.doc = x.id;
        tr.dataset.indexedOnly = '1';
        for (const v of [x.id, '', `${x.n} x ${loaded?.dim ?? ''} → ${x.stored} stored`, '', '', result.decoders[x.id] ?? '']) tr.insertCell().textContent = v;
      }
      for (const d of result.docs) {
        // The same file name again replaces the earlier document (ids must stay unique).
        const at = docs.findIndex((x) => x.id === d.id);
        if (at >= 0) {
          docs[at] = d;
          table.tBodies[0].querySelector(`tr[data-doc="${CSS.escape(d.id)}"]`)?.remove();
        } else {
          docs.push(d);
        }
        const f = byName.get(d.id);
        if (f && !d.grid?.frames && f.type.startsWith('image/')) sources.set(d.id, f);
        else if (result.pictures[d.id]) sources.set(d.id, result.pictures[d.id]); // a rendered PDF page
        const tr = table.tBodies[0].insertRow();
        tr.dataset.doc = d.id;
        const views = d.text ? 'passage' : String(d.grid?.frames ?? new Set(d.positions?.tile ?? []).size);
        const times = d.grid?.frames ? [...new Set(Array.from(d.positions?.time ?? [], (t) => t.toFixed(2)))].join(', ') : '';
        const stored = compressedTo.get(d.id);
        for (const v of [d.id, views, `${d.n} x ${d.d}${stored !== undefined ? ` → ${stored} stored` : ''}`, d.saliencySource ?? '', times, result.decoders[d.id] ?? '']) tr.insertCell().textContent = v;
        const why = pageReason.get(d.id);
        if (why && result.decoders[d.id] === 'video-element') tr.cells[5].title = `Sampled through a <video> element on the page: ${why}.`;
      }
      table.hidden = table.tBodies[0].rows.length === 0;
      searchForm.hidden = docs.length === 0 && !stream.active();
      if (result.docs.length > 0) corpusChanged('embedded');
      embedStatus.textContent = `${result.cancelled ? 'Cancelled' : 'Done'}: ${Math.max(result.docs.length, result.indexed.length)} embedded${result.fromStore ? ` (${result.fromStore} read from stored embeddings)` : ''}, ${failed.size} skipped, ${result.msPerItem.toFixed(1)} ms per item. ${docs.length} documents in the index.${result.notes.length ? ` ${result.notes.join('; ')}.` : ''}${result.storeError ? ` Embeddings could not be stored for reuse: ${result.storeError}` : ''}${result.storeNotes.length ? ` ${result.storeNotes.length} stored embedding${result.storeNotes.length > 1 ? 's were' : ' was'} not used (another format version, or damaged) and embedded again: ${result.storeNotes.slice(0, 3).join('; ')}.` : ''}`;
    } catch (err) {
      finished = true;
      const e = err as Error;
      const early = e.name === 'AbortError' && e.message === 'Cancelled before embedding';
      embedStatus.textContent = early ? 'Cancelled.' : e.name === 'AbortError' ? 'Cancelled (the worker was stopped; load the model again).' : `Embedding failed: ${e.message}`;
      if (e.name === 'AbortError' && !early) loaded = undefined;
    } finally {
      embedProgress.hidden = true;
      cancelButton.disabled = true;
      busy = false;
      void showStorage();
    }
  }

  const storage = $<HTMLSpanElement>('storage');
  async function showStorage() {
    try {
      const s = await client.storedStats();
      const est = await navigator.storage?.estimate?.();
      storage.textContent = `Stored embeddings: ${s.documents} documents, ${(s.bytes / 1e6).toFixed(2)} MB${est?.usage !== undefined ? `; this site uses ${(est.usage / 1e6).toFixed(1)} MB of storage in all (model files included)` : ''}.`;
    } catch (err) {
      storage.textContent = `Stored embeddings unavailable: ${(err as Error).message}`;
    }
  }
  $<HTMLButtonElement>('clear-stored').addEventListener('click', async () => {
    await client.clearStored();
    await showStorage();
  });
  void showStorage();

  cancelButton.addEventListener('click', () => {
    cancelButton.disabled = true;
    embedStatus.textContent = 'Cancelling…';
    abort?.abort();
  });
  filesInput.addEventListener('change', () => void embedFiles([...(filesInput.files ?? [])]));
  // A picked folder: every file in it and its subfolders; hidden files (.DS_Store) are ignored.
  $<HTMLInputElement>('folder').addEventListener('change', (ev) => {
    const files = [...((ev.target as HTMLInputElement).files ?? [])].filter((f) => !f.name.startsWith('.'));
    void embedFiles(files);
  });
  listenForDrops((files) => void embedFiles(files));
  const demoFiles = initDemoButtons({
    ensureModel,
    loaded: () => loaded,
    busy: () => busy,
    say: (text) => (embedStatus.textContent = text),
    frames: () => Math.max(1, Math.min(256, Number(framesInput.value) || 24)),
    embedFiles,
  });
  initSearch(client, () => docs, () => stream.active() && !stream.settings().keepFull);

  return {
    docs: () => docs,
    demo: () => demoFiles.judged(docs),
    model: () => loaded,
    embedQuery: (text) => client.query(text),
    loadModel,
    addDemo: demoFiles.addDemo,
    addFiles: (files) => embedFiles(files.filter((f) => !f.name.startsWith('.'))),
    source: (name) => sources.get(name),
  };
}
