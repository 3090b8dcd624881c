/**
 * The corpora of the tab as the rail lists them (corpora.ts holds the rules): where a batch goes,
 * switching (each corpus with its own queries, and its own model loaded when another one is),
 * keeping corpora of one's own in IndexedDB and bringing them back after a reload or from a link.
 */
import type { LoadedModel } from '../../clients/embedClient.ts';
import type { MultiVector } from '../../core/multivector.ts';
import type { CorpusChange } from '../corpusStore.ts';
import { forgetCorpus, listCorpora, loadCorpus, saveCorpus, updateCorpusMeta, type CorpusMeta } from '../../embed/corpusDb.ts';
import { effect, type Store } from '../state/store.ts';
import { assignPaths, checksumCached, Corpora, embedSettingsText, relativeToFolder, fileSignature, fingerprintOf, keepDocs, modelKey, type Corpus, type CorpusModel } from './corpora.ts';
import { renderCorpusList } from './corpusRail.ts';
import { pathOf } from './paths.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export interface ShelfHost {
  loaded(): LoadedModel | undefined;
  /** The local folder the loaded model came from, if it did. */
  folder(): string | undefined;
  /** Loads the menu model `id` (the store names it already); true when it is loaded. */
  loadModel(): Promise<boolean>;
  /** The corpus on show changed (its documents, or which one it is). */
  changed(reason: CorpusChange): void;
  /** Another corpus is shown: what the rail showed of the last batch goes. */
  showing(): void;
  say(text: string): void;
}

/** A batch on its way into a corpus. */
export interface Batch {
  corpus: Corpus;
  ids: string[];
  /** The corpus that was current before (shown again if the batch adds nothing). */
  before?: string;
}

const metaOf = (c: Corpus): CorpusMeta => ({
  fingerprint: c.fingerprint!, name: c.name, model: c.model, documents: c.docs.length, queries: c.queries, files: [...c.files], settings: c.settings, savedAt: Date.now(),
});

export class CorpusShelf {
  readonly corpora = new Corpora();
  /** Corpora stored in this browser and not opened in this tab. */
  private stored: CorpusMeta[] = [];
  private readonly intoCurrent = $<HTMLInputElement>('into-current');

  constructor(
    private readonly store: Store,
    private readonly host: ShelfHost,
  ) {
    void this.refreshStored();
    // An import is a corpus of the list too (the Compare settings' Corpus menu holds it).
    const menu = $<HTMLSelectElement>('compare-corpus');
    for (const type of ['change', 'corpus-imported']) menu.addEventListener(type, () => this.render());
    // A corpus's queries follow it: typing them (or picking a source) is remembered, and stored.
    let timer: ReturnType<typeof setTimeout> | undefined;
    effect(() => {
      const { queries, typed } = this.store.state.value;
      const c = this.corpora.current();
      if (!c || (c.queries.source === queries && c.queries.typed === typed)) return;
      c.queries = { source: queries, typed };
      clearTimeout(timer);
      if (c.fingerprint) timer = setTimeout(() => void updateCorpusMeta(metaOf(c)).catch(() => undefined), 400);
    });
  }

  current = () => this.corpora.current();

  /** The loaded model as a corpus records it. */
  model(): CorpusModel | undefined {
    const m = this.host.loaded();
    return m && { id: m.modelId, label: m.label, ...(this.host.folder() ? { folder: this.host.folder() } : {}) };
  }

  /** The corpus a batch of files (or the demo) goes to, and each file's id in it. */
  async begin(files: readonly File[], demo: boolean): Promise<Batch> {
    const signatures = demo ? [] : await Promise.all(files.map(fileSignature));
    const before = this.corpora.current()?.key;
    const filePaths = files.map(pathOf);
    const corpus = this.corpora.target({ demo, model: this.model()!, intoCurrent: this.intoCurrent.checked, paths: filePaths });
    if (corpus.key !== before && !corpus.demo) corpus.queries = { source: 'typed', typed: this.store.get().typed };
    corpus.settings ??= embedSettingsText(this.store.get());
    const inside = relativeToFolder(filePaths);
    const ids = demo ? files.map((f) => f.name) : assignPaths(corpus.files, files.map((_, i) => ({ path: inside[i], signature: signatures[i] })));
    if (corpus.key !== before) this.apply(corpus);
    this.render();
    return { corpus, ids, before };
  }

  /** Keeps a batch's documents, stores the corpus (a demo corpus is made again, not stored), and says it changed. */
  async end(batch: Batch, docs: readonly MultiVector[], pictureOf: (id: string) => Blob | undefined): Promise<void> {
    const c = batch.corpus;
    keepDocs(c, docs, pictureOf);
    if (c.docs.length === 0) {
      // Nothing came of it (all refused, or cancelled at once): the earlier corpus is shown again.
      this.corpora.remove(c.key);
      const back = batch.before ? this.corpora.select(batch.before) : undefined;
      if (back) this.apply(back);
      this.render();
      return;
    }
    if (!(c.demo && c.docs.every((d) => /^(scene|clip)-\d+/.test(d.id)))) await this.persist(c);
    this.render();
    if (docs.length > 0) this.host.changed('embedded');
  }

  private async persist(c: Corpus): Promise<void> {
    const before = c.fingerprint;
    c.fingerprint = await fingerprintOf(c.docs);
    try {
      c.stored ??= new Set();
      await saveCorpus(metaOf(c), c.docs, c.sources, { replaces: before, stored: c.stored, checksum: checksumCached });
    } catch (err) {
      c.fingerprint = undefined;
      this.host.say(`The corpus could not be stored in this browser (${(err as Error).message}): it stays in this tab, but a reload will not bring it back.`);
    }
    await this.refreshStored();
  }

  /** A model was loaded: a corpus of another model is no longer current (its queries could not be embedded). */
  modelLoaded(): void {
    const c = this.corpora.current();
    const m = this.model();
    if (c && m && modelKey(c.model) !== modelKey(m)) {
      this.corpora.deselect();
      this.host.changed('cleared');
    }
    this.render();
  }

  /** Shows another corpus of the tab, loading its model first when another one is loaded. */
  async switchTo(key: string): Promise<void> {
    const c = this.corpora.list.find((x) => x.key === key);
    const fromImport = showingImport();
    if (!c || (c === this.corpora.current() && !fromImport)) return;
    if (fromImport) {
      // Back from an imported corpus to the embedded ones: the menu says so (and re-enables the query source).
      const menu = $<HTMLSelectElement>('compare-corpus');
      menu.value = 'embedded';
      menu.dispatchEvent(new Event('change'));
    }
    this.corpora.select(key);
    this.apply(c);
    this.host.showing();
    this.render();
    if (!(await this.ensureModelOf(c))) return;
    this.host.changed('switched');
  }

  /** Loads the model a corpus was embedded with when another one is loaded; says why when it cannot. */
  private async ensureModelOf(c: Corpus): Promise<boolean> {
    const m = this.model();
    if (m && modelKey(m) === modelKey(c.model)) return true;
    if (c.model.folder) {
      this.host.say(`${c.name} was embedded with the local model folder "${c.model.folder}": pick that folder under "Weights, host, local folder" and press Load model to compare it.`);
      return false;
    }
    this.store.update({ model: c.model.id });
    const folder = $<HTMLInputElement>('model-folder');
    if (folder.files?.length) folder.value = '';
    this.host.say(`Loading ${c.model.label}, the model ${c.name} was embedded with…`);
    return this.host.loadModel();
  }

  /** A corpus's queries into the page state. */
  private apply(c: Corpus): void {
    this.store.update({ queries: c.queries.source, ...(c.queries.typed ? { typed: c.queries.typed } : {}) });
    this.intoCurrent.checked = !c.demo;
  }

  /**
   * Opens a stored corpus (a reload, a link, a click in the list): undefined when it is shown,
   * else what went wrong, in words for the main area.
   */
  async restore(fingerprint: string): Promise<string | undefined> {
    const open = this.corpora.list.find((c) => c.fingerprint === fingerprint);
    if (open) return void (await this.switchTo(open.key));
    let got: Awaited<ReturnType<typeof loadCorpus>>;
    try {
      got = await loadCorpus(fingerprint);
    } catch (err) {
      return `The corpus this link names could not be read from this browser's storage: ${(err as Error).message}.`;
    }
    if (!got || got.docs.length === 0) return notStored(fingerprint, got?.meta);
    const { meta, docs, sources, problems, keys } = got;
    const c = this.corpora.add({ name: meta.name, demo: false, model: meta.model, docs, sources, files: new Map(meta.files), queries: meta.queries, settings: meta.settings, fingerprint, stored: new Set(keys) });
    this.apply(c);
    this.host.showing();
    this.render();
    if (!(await this.ensureModelOf(c))) return `${meta.name} is back from this browser's storage (${docs.length} documents), but its model is not loaded: see the rail.`;
    const when = new Date(meta.savedAt).toLocaleString();
    this.host.say(`Restored ${meta.name} from this browser: ${docs.length} documents embedded with ${meta.model.label}, saved ${when}.${problems.length ? ` Left out (damaged): ${problems.slice(0, 3).join('; ')}.` : ''} Remove it from this browser with ✕ in the list.`);
    this.host.changed('embedded');
    return undefined;
  }

  private async forget(fingerprint: string): Promise<void> {
    await forgetCorpus(fingerprint).catch(() => undefined);
    const open = this.corpora.list.find((c) => c.fingerprint === fingerprint);
    if (open) {
      const wasCurrent = open === this.corpora.current();
      this.corpora.remove(open.key);
      if (wasCurrent) this.host.changed('cleared');
    }
    this.host.say('The corpus was removed from this browser.');
    await this.refreshStored();
  }

  private async refreshStored(): Promise<void> {
    this.stored = await listCorpora().catch(() => []);
    this.render();
  }

  render(): void {
    const openPrints = new Set(this.corpora.list.map((c) => c.fingerprint));
    renderCorpusList(this.corpora, this.stored.filter((m) => !openPrints.has(m.fingerprint)), importedEntry(), {
      open: (key) => void this.switchTo(key),
      restore: (fp) => void this.restore(fp).then((problem) => problem && this.host.say(problem)),
      forget: (fp) => void this.forget(fp),
    });
  }
}

const showingImport = () => $<HTMLSelectElement>('compare-corpus').value === 'imported';

/** The imported corpus as the list shows it (the Corpus menu's entry), when there is one. */
function importedEntry(): { label: string; shown: boolean; open(): void } | undefined {
  const menu = $<HTMLSelectElement>('compare-corpus');
  const option = menu.querySelector<HTMLOptionElement>('option[value="imported"]');
  if (!option || option.disabled) return undefined;
  return {
    label: option.textContent ?? 'Imported embeddings',
    shown: menu.value === 'imported',
    open: () => {
      if (menu.value === 'imported') return;
      menu.value = 'imported';
      menu.dispatchEvent(new Event('change'));
    },
  };
}

/** What a link to a corpus that is not stored here says: what it is, and how to get it back. */
export function notStored(fingerprint: string, meta?: CorpusMeta): string {
  if (meta) return `${meta.name} is listed in this browser's storage, but none of its ${meta.documents} documents read back intact: drop its files again.`;
  return (
    `This link names a corpus of one's own (fingerprint ${fingerprint}) that is not stored in this browser: it was embedded in another browser or profile, or removed here. ` +
    'Its documents never leave the device they were embedded on, so they cannot come with a link. Drop the same files (with the same model and settings) to rebuild it, ' +
    'or press "Add 24 demo scenes" in the rail.'
  );
}
