/**
 * The model part of the embedding panel: the menu, device and weights (page state), a local folder
 * instead of the menu's model, and loading with one progress bar and a status line. The text of
 * each status is built by the pure functions below (unit-tested without a browser).
 */
import type { EmbedClient, LoadedModel } from '../../clients/embedClient.ts';
import { isColbertFolder } from '../../embed/colbertBundle.ts';
import { isColVisionFolder } from '../../embed/colvisionBundle.ts';
import type { Dtype } from '../../embed/embedder.ts';
import { DEFAULT_HUB_HOST, folderFiles, getModel, MODELS, type ModelEntry, type ModelSource } from '../../embed/registry.ts';
import type { LoadProgress } from '../../embed/workerTypes.ts';
import type { PageState } from '../state/schema.ts';
import { effect, type Store } from '../state/store.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Where the model comes from: a picked folder, the page's own built-in files, or the Hub. */
export function modelSource(entry: ModelEntry, folder: FileList | null, host: string, builtinBase: string): ModelSource {
  if (folder && folder.length > 0) return { kind: 'files', label: folder[0].webkitRelativePath.split('/')[0] || 'folder', files: folderFiles(folder) };
  if (entry.builtin) return { kind: 'url', base: new URL(`${builtinBase}models/${entry.id}`, location.href).href };
  return { kind: 'hub', host: host.trim() || DEFAULT_HUB_HOST, repo: entry.repo! };
}

/** The note under the menu: the entry's, or what a picked folder holds (it is loaded instead). */
export function modelNote(entry: ModelEntry, folder: FileList | null): string {
  if (!folder?.length) return entry.note;
  const name = folder[0].webkitRelativePath.split('/')[0] || 'folder';
  const paths = [...folderFiles(folder).keys()];
  const kind = isColVisionFolder(paths)
    ? 'a ColModernVBERT visual document model (processor_config.json, model.onnx): it embeds pictures and PDF pages'
    : isColbertFolder(paths)
    ? 'a ColBERT text model (onnx/model.onnx): it embeds .txt, .md and JSONL files'
    : 'an image model (onnx/vision_model.onnx and onnx/text_model.onnx): it embeds pictures, videos and PDF pages';
  return `The local folder "${name}" (${folder.length} files) will be loaded instead of the menu's model: ${kind}.`;
}

/** A load progress message as the status line and the bar show it (no text: a note for the end). */
export function loadProgressView(p: LoadProgress): { text?: string; value?: number; max?: number; indeterminate?: boolean; note?: string } {
  if (p.step === 'download') {
    const { loaded, total, file, fromCache } = p.progress;
    const text = `${fromCache ? 'Reading cached' : 'Downloading'} model files: ${(loaded / 1e6).toFixed(1)}${total ? ` of ${(total / 1e6).toFixed(1)}` : ''} MB (${file})`;
    return total > 0 ? { text, value: loaded, max: total } : { text };
  }
  if (p.step === 'compile') return { text: `Compiling for ${p.device.toUpperCase()} (${p.dtype}) and running the self-check…`, indeterminate: true };
  return { note: p.reason };
}

/** The status line after a load: what was loaded, where, in which weights, and what it embeds. */
export function loadedSummary(loaded: LoadedModel): string {
  const v = loaded.colvision;
  const shape = v
    ? `one ${loaded.dim}-dimensional vector per token (ColModernVBERT-class visual document model: ${v.seqLen} image tokens per ${v.imageSize} x ${v.imageSize} tile, tile setting 1-${v.maxTiles} (longest edge k x ${v.imageSize}; 1 is the global view alone), the prompt's text tokens kept; ${v.graph}). Drop pictures or PDFs`
    : loaded.colbert
    ? `one ${loaded.dim}-dimensional vector per token (ColBERT text model: queries of ${loaded.colbert.queryLength} tokens with [MASK] expansion, passages of up to ${loaded.colbert.documentLength} tokens; projection ${loaded.colbert.projection}). Drop .txt, .md or JSONL files`
    : `${loaded.dim}-dimensional vectors, ${loaded.grid}x${loaded.grid} patches per view`;
  return `Loaded ${loaded.label} on ${loaded.device.toUpperCase()} (${loaded.dtype}) in ${(loaded.loadMs / 1000).toFixed(1)} s: ${shape}. Self-check ${loaded.selfCheck.message}. Saliency: ${loaded.saliency}.`;
}

const span = (className: string, textContent: string) => Object.assign(document.createElement('span'), { className, textContent });

export interface ModelPicker {
  loaded(): LoadedModel | undefined;
  /** Forgets the loaded model (its worker was terminated). */
  forget(): void;
  /** Loads the chosen model; resolves when loaded or failed (the status line says which). */
  load(): Promise<void>;
  /** The local folder the loaded model came from, when it did. */
  folder(): string | undefined;
}

/**
 * Binds the model controls to the store and loads on submit. `lock` is shared with the embedding
 * of files (one thing at a time); `onLoaded` runs after every successful load.
 */
export function initModelPicker(store: Store, client: EmbedClient, lock: { busy: boolean }, hooks: { beforeLoad(): void; onLoaded(): void }): ModelPicker {
  const select = $<HTMLSelectElement>('model');
  const device = $<HTMLSelectElement>('device');
  const dtype = $<HTMLSelectElement>('dtype');
  const folder = $<HTMLInputElement>('model-folder');
  const note = $<HTMLParagraphElement>('model-note');
  const bar = $<HTMLProgressElement>('model-progress');
  const status = $<HTMLParagraphElement>('model-status');
  let loaded: LoadedModel | undefined;
  let fromFolder: string | undefined;

  for (const m of MODELS) select.add(new Option(m.label, m.id));
  const describe = () => (note.textContent = modelNote(getModel(select.value)!, folder.files));
  select.addEventListener('change', describe);
  folder.addEventListener('change', describe);
  // The model, device and weights are page state: a link carries them, the controls show them.
  effect(() => {
    const s = store.state.value;
    select.value = s.model;
    device.value = s.device;
    dtype.value = s.dtype;
    describe();
  });
  select.addEventListener('change', () => store.update({ model: select.value }));
  device.addEventListener('change', () => store.update({ device: device.value as PageState['device'] }));
  dtype.addEventListener('change', () => store.update({ dtype: dtype.value as PageState['dtype'] }));
  client.probe().then((p) => {
    if (!p.webgpu) status.replaceChildren(span('fallback', `WebGPU unavailable: ${p.reason}. Models will run on WASM (CPU).`));
  });

  async function load(): Promise<void> {
    if (lock.busy) return;
    lock.busy = true;
    const entry = getModel(select.value)!;
    const source = modelSource(entry, folder.files, store.get().host, import.meta.env.BASE_URL);
    bar.hidden = false;
    bar.removeAttribute('value');
    status.textContent = 'Loading…';
    const notes: string[] = [];
    // Progress travels on its own port and can arrive after the load settled: ignore it then, or
    // a late "Compiling…" would hide the error.
    let settled = false;
    hooks.beforeLoad();
    try {
      loaded = await client.load({ modelId: entry.id, source, device: device.value as 'auto', dtype: (dtype.value || undefined) as Dtype | undefined }, (p) => {
        if (settled) return;
        const view = loadProgressView(p);
        if (view.note) notes.push(view.note);
        if (view.max !== undefined) [bar.max, bar.value] = [view.max, view.value!];
        if (view.indeterminate) bar.removeAttribute('value');
        if (view.text) status.textContent = view.text;
      });
      settled = true;
      bar.hidden = true;
      const line = span('', loadedSummary(loaded));
      line.removeAttribute('class');
      line.dataset.device = loaded.device;
      status.replaceChildren(line);
      for (const n of notes) status.append(document.createElement('br'), span('fallback', n));
      fromFolder = source.kind === 'files' ? source.label : undefined;
      hooks.onLoaded();
    } catch (err) {
      settled = true;
      bar.hidden = true;
      status.replaceChildren(span('error', `Could not load the model: ${(err as Error).message}`));
      loaded = undefined;
    } finally {
      lock.busy = false;
    }
  }

  $<HTMLFormElement>('model-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void load();
  });
  return { loaded: () => loaded, forget: () => (loaded = undefined), load, folder: () => fromFolder };
}
