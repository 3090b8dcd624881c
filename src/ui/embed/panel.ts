/**
 * The "Embed on this device" panel: pick a model and where it comes from (model.ts), load it, drop
 * files, watch them embed, and search them with uncompressed MaxSim. All model work runs in
 * workers/embed.worker.ts; which file goes where and what the status says is in items.ts.
 */
import { initDemoButtons } from './demo.ts';
import { EmbedClient } from '../../clients/embedClient.ts';
import type { EmbeddedCorpus } from '../corpusStore.ts';
export type { EmbeddedCorpus } from '../corpusStore.ts';
import { sampleVideo } from '../../media/video.ts';
import type { EmbedItem, EmbedProgress, EmbedResult } from '../../embed/workerTypes.ts';
import { listenForDrops } from './drop.ts';
import { initStreamIndex } from './stream.ts';
import { initSearch } from './search.ts';
import { corpusChanged, embedActivity } from '../corpusStore.ts';
import { METHOD_CHOICES, storageSelect } from '../rail/compareSettings.ts';
import type { Store } from '../state/store.ts';
import { bindFields } from '../state/fields.ts';
import { batchSummary, embedSettingsOf, failureSummary, mergeResults, routeFile, type EmbedSettings } from './items.ts';
import { initModelPicker, type ModelPicker } from './model.ts';
import { clearTable, showBatch } from './table.ts';
import { CorpusShelf, type Batch } from './shelf.ts';
import { isHidden } from './paths.ts';
import { setAccept, sniffTypes } from './sniff.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;


/** The per-file error list of one batch: one line per file, the first message wins. */
function errorLog(list: HTMLUListElement) {
  const failed = new Map<string, string>();
  list.replaceChildren();
  return {
    add(name: string, message: string) {
      if (failed.has(name)) return;
      failed.set(name, message);
      list.append(Object.assign(document.createElement('li'), { textContent: `${name}: ${message}` }));
    },
    get size() {
      return failed.size;
    },
  };
}

export function initEmbedPanel(store: Store): EmbeddedCorpus {
  return new EmbedPanel(store);
}

type ErrorLog = ReturnType<typeof errorLog>;

/** The panel's state (model, documents, pictures, the batch in flight) and its steps, one method each. */
class EmbedPanel implements EmbeddedCorpus {
  private readonly client = new EmbedClient();
  private readonly cancelButton = $<HTMLButtonElement>('embed-cancel');
  private readonly bar = $<HTMLProgressElement>('embed-progress');
  private readonly status = $<HTMLParagraphElement>('embed-status');
  private readonly table = $<HTMLTableElement>('embedded');
  private readonly searchForm = $<HTMLFormElement>('search-form');
  private readonly shelf: CorpusShelf;
  private readonly lock = { busy: false };
  private abort?: AbortController;
  private readonly stream = initStreamIndex(this.client, () => this.store.get());
  private readonly picker: ModelPicker;
  private readonly demoFiles: ReturnType<typeof initDemoButtons>;
  private readonly showStorage = initStoredEmbeddings(this.client);

  constructor(private readonly store: Store) {
    const streamMethod = $<HTMLSelectElement>('stream-method');
    for (const m of METHOD_CHOICES) if (m.id !== 'none') streamMethod.add(new Option(m.label, m.id));
    storageSelect($<HTMLSelectElement>('stream-storage'), store.get().streamStorage);
    bindFields(store, {
      tiles: 'tiles', pdfTiles: 'pdf-tiles', pdfSize: 'pdf-size', frames: 'frames', fps: 'fps', host: 'model-host',
      streamMethod: 'stream-method', streamM: 'stream-m', streamStorage: 'stream-storage', streamKeep: 'stream-keep', searchQuery: 'query',
    }, (message) => message && (this.status.textContent = `${message} (the last valid value is used)`));
    this.picker = initModelPicker(store, this.client, this.lock, {
      // Loading a model drops the worker's streaming index (its vectors belong to the old model).
      beforeLoad: () => this.stream.reset(),
      onLoaded: () => this.clear(),
    });
    this.shelf = new CorpusShelf(store, {
      loaded: () => this.model(),
      folder: () => this.picker.folder(),
      loadModel: async () => (await this.picker.load(), !!this.model()),
      changed: (reason) => corpusChanged(reason),
      showing: () => this.clearViews(),
      say: (text) => (this.status.textContent = text),
    });
    this.cancelButton.addEventListener('click', () => {
      this.cancelButton.disabled = true;
      this.status.textContent = 'Cancelling…';
      this.abort?.abort();
    });
    setAccept(undefined);
    const filesInput = $<HTMLInputElement>('files');
    filesInput.addEventListener('change', () => void this.addFiles([...(filesInput.files ?? [])]));
    // A picked folder: every file in it and its subfolders; hidden files (.DS_Store) are ignored.
    $<HTMLInputElement>('folder').addEventListener('change', (ev) => void this.addFiles([...((ev.target as HTMLInputElement).files ?? [])]));
    listenForDrops((files) => void this.addFiles(files));
    this.demoFiles = initDemoButtons({
      ensureModel: () => this.ensureModel(),
      loaded: () => this.model(),
      busy: () => this.lock.busy,
      say: (text) => (this.status.textContent = text),
      frames: () => this.store.get().frames,
      embedFiles: (files, extra) => this.embedFiles(files, extra, true),
    });
    initSearch(this.client, () => this.docs(), () => this.stream.active() && !this.stream.settings().keepFull);
  }

  docs = () => this.shelf.current()?.docs ?? [];
  demo = () => this.demoFiles.judged(this.docs());
  model = () => this.picker.loaded();
  embedQuery = (text: string) => this.client.query(text);
  loadModel = () => this.picker.load();
  addDemo = () => this.demoFiles.addDemo();
  addFiles = async (files: File[]) => this.embedFiles(await sniffTypes(files.filter((f) => !isHidden(f))));
  source = (name: string) => this.shelf.current()?.sources.get(name);
  current = () => this.shelf.current();
  restore = (fingerprint: string) => this.shelf.restore(fingerprint);

  /** A new model: a corpus of another model is no longer shown (the list keeps it). */
  private clear(): void {
    this.status.textContent = '';
    this.shelf.modelLoaded();
    setAccept(this.model());
  }

  /** The table, errors and search hits belong to the corpus that was shown. */
  private clearViews(): void {
    $<HTMLUListElement>('file-errors').replaceChildren();
    $<HTMLOListElement>('hits').replaceChildren();
    clearTable(this.table);
    this.searchForm.hidden = true;
  }

  /** Loads the chosen model when none is loaded (a click that needs one never just refuses). */
  private async ensureModel(): Promise<boolean> {
    if (!this.model() && !this.lock.busy) await this.picker.load();
    if (!this.model()) this.status.textContent = this.lock.busy ? 'The model is still loading: try again when it is ready.' : 'The model could not be loaded (see above); pick another one or a local folder.';
    return !!this.model();
  }

  /** Samples a video on the page (a type the worker does not demux, or one it could not decode). */
  private async pageSample(id: string, f: File, s: EmbedSettings, errors: ErrorLog): Promise<EmbedItem | undefined> {
    this.status.textContent = `Sampling ${s.fps ? `at ${s.fps} fps (at most ${s.frames} frames)` : `${s.frames} frames`} from ${id}…`;
    try {
      return { name: id, frames: await sampleVideo(f, s.frames, s.fps), fps: s.fps, source: f };
    } catch (err) {
      errors.add(id, (err as Error).message);
      return undefined;
    }
  }

  /** The worker's items for the files (videos of other types sampled here first); `why` notes those. */
  private async prepare(byId: ReadonlyMap<string, File>, s: EmbedSettings, errors: ErrorLog, why: Map<string, string>, signal: AbortSignal): Promise<EmbedItem[]> {
    const items: EmbedItem[] = [];
    for (const [id, f] of byId) {
      if (signal.aborted) break;
      const route = routeFile(f, s, this.demoFiles.decoded.get(f), id);
      if ('item' in route) items.push(route.item);
      else if ('error' in route) errors.add(id, route.error);
      else {
        why.set(id, route.pageSample);
        const item = await this.pageSample(id, f, s, errors);
        if (item) items.push(item);
      }
    }
    return items;
  }

  /** A batch's documents into their corpus (an id embedded again replaces the earlier one), with their pictures. */
  private keep(batch: Batch, result: EmbedResult, byId: ReadonlyMap<string, File>): Promise<void> {
    return this.shelf.end(batch, result.docs, (id) => {
      const f = byId.get(id);
      const doc = result.docs.find((d) => d.id === id);
      if (f && !doc?.grid?.frames && f.type.startsWith('image/')) return f;
      return result.pictures[id]; // a rendered PDF page
    });
  }

  /** Sends a batch to the worker, then samples on the page the videos the worker could not decode. */
  private async run(items: EmbedItem[], byName: ReadonlyMap<string, File>, s: EmbedSettings, errors: ErrorLog, why: Map<string, string>, signal: AbortSignal) {
    const t0 = performance.now();
    let finished = false;
    // Progress travels on its own channel and may arrive after the result: ignored then.
    const onProgress = (p: EmbedProgress) => {
      if (finished) return;
      if (p.step === 'total') this.bar.max = p.total;
      else if (p.step === 'item') {
        this.bar.value = p.done;
        const left = ((p.total - p.done) * ((performance.now() - t0) / p.done)) / 1000;
        this.status.textContent = `Embedded ${p.done} of ${p.total} (${p.name}); about ${left.toFixed(0)} s left`;
        embedActivity.value = this.status.textContent;
      } else errors.add(p.name, p.message);
    };
    const options = { tiles: s.tiles, pdf: s.pdf };
    try {
      await this.stream.sync();
      const result = await this.client.embed(items, options, onProgress, signal);
      for (const e of result.errors) errors.add(e.name, e.message);
      for (const x of result.needsPageDecode) why.set(x.name, `the worker could not decode it (${x.reason})`);
      if (result.needsPageDecode.length > 0 && !result.cancelled) {
        const retry: EmbedItem[] = [];
        for (const { name } of result.needsPageDecode) {
          if (signal.aborted) break;
          const item = await this.pageSample(name, byName.get(name)!, s, errors);
          if (item) retry.push(item);
        }
        const more = await this.client.embed(retry, options, onProgress, signal);
        for (const e of more.errors) errors.add(e.name, e.message);
        mergeResults(result, more);
      }
      return result;
    } finally {
      finished = true;
    }
  }

  private async embedFiles(files: File[], extra: EmbedItem[] = [], demo = false): Promise<void> {
    if (files.length === 0 && extra.length === 0) return;
    if (!(await this.ensureModel())) return;
    if (this.lock.busy) {
      this.status.textContent = 'Still busy with the previous batch: wait for it or cancel it.';
      return;
    }
    this.lock.busy = true;
    this.cancelButton.disabled = false;
    // Created first, so Cancel also stops the page-side video sampling.
    this.abort = new AbortController();
    const signal = this.abort.signal;
    const errors = errorLog($<HTMLUListElement>('file-errors'));
    const s = embedSettingsOf(this.store.get());
    Object.assign(this.bar, { hidden: false, max: files.length + extra.length, value: 0 });
    embedActivity.value = `Embedding ${files.length + extra.length} ${files.length + extra.length === 1 ? 'file' : 'files'}…`;
    // Why a video was sampled on the page rather than in the worker, shown on its decoder cell.
    const why = new Map<string, string>();
    // Each file's id in its corpus: its path, with a suffix when another file took that path.
    const batch = await this.shelf.begin(files, demo || extra.length > 0);
    const byId = new Map(files.map((f, i) => [batch.ids[i], f]));
    try {
      const items = [...extra, ...(await this.prepare(byId, s, errors, why, signal))];
      const result = await this.run(items, byId, s, errors, why, signal);
      this.stream.show(result.stream);
      await this.keep(batch, result, byId);
      showBatch(this.table, result, this.model()?.dim, why);
      this.status.textContent = batchSummary(result, errors.size, batch.corpus.docs.length, batch.corpus.name);
      this.searchForm.hidden = this.docs().length === 0 && !this.stream.active();
    } catch (err) {
      const failure = failureSummary(err as Error);
      this.status.textContent = failure.text;
      if (failure.modelLost) this.picker.forget();
    } finally {
      embedActivity.value = '';
      this.bar.hidden = true;
      this.cancelButton.disabled = true;
      this.lock.busy = false;
      void this.showStorage();
    }
  }
}

/** The stored-embeddings line and its Clear button; returns the refresh. */
function initStoredEmbeddings(client: EmbedClient): () => Promise<void> {
  const line = $<HTMLSpanElement>('storage');
  async function show() {
    try {
      const s = await client.storedStats();
      const est = await navigator.storage?.estimate?.();
      line.textContent = `Stored embeddings: ${s.documents} documents, ${(s.bytes / 1e6).toFixed(2)} MB${est?.usage !== undefined ? `; this site uses ${(est.usage / 1e6).toFixed(1)} MB of storage in all (model files included)` : ''}.`;
    } catch (err) {
      line.textContent = `Stored embeddings unavailable: ${(err as Error).message}`;
    }
  }
  $<HTMLButtonElement>('clear-stored').addEventListener('click', async () => {
    await client.clearStored();
    await show();
  });
  void show();
  return show;
}
