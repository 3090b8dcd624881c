/**
 * The playground page: one page-state store (src/ui/state/) that the URL, the rail's controls
 * and every view read, and views that render from it. A first visit with no settings in the
 * address opens the demo comparison already running: the built-in teaching model on WASM, the
 * generated scenes, the default methods. All model and engine work happens in workers.
 */
import './trustedTypes.ts';
import { getModel } from './embed/registry.ts';
import { initCompareController } from './ui/compare/controller.ts';
import { initCompareView } from './ui/compare/view.ts';
import { corpusVersion } from './ui/corpusStore.ts';
import { isFingerprint } from './ui/embed/corpora.ts';
import { initEmbedPanel } from './ui/embed/panel.ts';
import { initMapsView } from './ui/maps/view.ts';
import { initCompareSettings } from './ui/rail/compareSettings.ts';
import { initSidePanel } from './ui/side/panel.ts';
import { DEFAULT_STATE, decodeState, VIEW_LABELS, VIEWS, type PageState } from './ui/state/schema.ts';
import { createStore, effect, syncUrl } from './ui/state/store.ts';
import { initSyntheticView } from './ui/synthetic/view.ts';
import { initTeachPanel } from './ui/teach/panel.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** The first visit (nothing in the address): the demo comparison, on WASM (the teaching model is tiny). */
const FIRST_VISIT: PageState = { ...DEFAULT_STATE, corpus: 'demo', run: true, device: 'wasm' };

let initial = FIRST_VISIT;
if (location.search) {
  try {
    initial = decodeState(location.search);
    // A demo link that names no device runs as the first visit does, on WASM: the teaching model is
    // tiny, and "auto" on a machine without a GPU spent 15-17 s on software WebGPU before anything showed.
    if (initial.corpus === 'demo' && initial.run && !new URLSearchParams(location.search).has('device')) initial = { ...initial, device: 'wasm' };
  } catch (err) {
    const banner = $<HTMLParagraphElement>('url-error');
    banner.textContent = `${(err as Error).message}. The defaults are shown instead.`;
    banner.hidden = false;
    initial = DEFAULT_STATE;
  }
}
const store = createStore(initial);

// Views: one nav link each; the `view` key shows one section of the main area.
const nav = $<HTMLElement>('views-nav');
for (const v of VIEWS) {
  const a = Object.assign(document.createElement('a'), { textContent: VIEW_LABELS[v], href: `?view=${v}` });
  a.dataset.view = v;
  nav.append(a);
}
document.addEventListener('click', (ev) => {
  const a = (ev.target as HTMLElement).closest<HTMLAnchorElement>('a[data-view]');
  if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
  ev.preventDefault();
  store.update({ view: a.dataset.view as PageState['view'] });
  $<HTMLElement>('main').focus();
});
effect(() => {
  const s = store.state.value;
  for (const a of nav.querySelectorAll<HTMLAnchorElement>('a')) {
    if (a.dataset.view === s.view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  for (const section of document.querySelectorAll<HTMLElement>('main > .view')) section.hidden = section.dataset.view !== s.view;
  document.body.dataset.controls = s.controls ? 'on' : 'off';
  document.body.dataset.present = s.present ? 'on' : 'off';
});

const welcome = $<HTMLDivElement>('welcome');
effect(() => {
  const s = store.state.value;
  welcome.hidden = !(s.view === 'compare' && s.corpus === 'demo' && s.controls && !s.present && sessionStorage.getItem('welcome-closed') !== '1');
});
$<HTMLButtonElement>('welcome-close').addEventListener('click', () => {
  sessionStorage.setItem('welcome-closed', '1');
  welcome.hidden = true;
});

const embedded = initEmbedPanel(store);
initCompareSettings(store);
initCompareView(store);
const controller = initCompareController(store, embedded);
const teach = initTeachPanel(store, embedded, () => {
  const t = teach.state();
  if (t) store.update({ teachDoc: t.doc, teachMethod: t.method, teachM: t.m, teachStep: t.step, teachQuery: t.method === 'story' ? (t.query ?? '') : '' });
});
initSidePanel(store, embedded);
initMapsView(store, embedded);
initSyntheticView(store);

// A link names the demo, or a corpus of one's own by its fingerprint (its documents stay in this browser).
effect(() => {
  if (corpusVersion.value.n === 0) return;
  const demo = embedded.docs().length > 0 && embedded.demo() !== undefined;
  const own = demo ? undefined : embedded.current()?.fingerprint;
  store.update({ corpus: demo ? 'demo' : (own ?? ''), run: demo || own !== undefined });
});

/** The comparison re-runs whenever documents were embedded: the results never describe an old corpus. */
let lastCompare: Promise<void> = Promise.resolve();
effect(() => {
  const change = corpusVersion.value;
  if (change.reason === 'cleared' || $<HTMLSelectElement>('compare-corpus').value !== 'embedded') return;
  // Files of one's own have no demo captions: compare with the typed queries (fidelity) instead.
  if (store.get().queries === 'demo' && !embedded.demo()) store.update({ queries: 'typed' });
  // Back to a corpus already compared with these settings: its result again, at once.
  lastCompare = change.reason === 'switched' ? controller.compare({ reuse: true }) : controller.compare();
});

syncUrl(store);

const NOTHING_EMBEDDED =
  'Nothing is shown in this tab yet: drop files anywhere on the page, pick a corpus stored in this browser from the list in the rail, or press "Add 24 demo scenes".';

/** Replays a link's demo comparison (and a first visit's): model, scenes, comparison, teaching step. */
async function replay(): Promise<void> {
  const s = store.get();
  // Where the eye goes on arrival: the main area says what is being prepared (details in the rail).
  const status = $<HTMLParagraphElement>('compare-status');
  // A link (or a reload) to a corpus of one's own: back from this browser's storage, or why not.
  if (s.run && isFingerprint(s.corpus)) {
    status.textContent = 'Opening your corpus from this browser\'s storage (the model loads first; progress in the rail)…';
    const problem = await embedded.restore(s.corpus);
    if (problem) {
      status.textContent = problem;
      // Said where the eye is in every view (the link may open the Data view or the maps).
      const banner = $<HTMLParagraphElement>('url-error');
      banner.textContent = problem;
      banner.hidden = false;
    }
    return;
  }
  if (!(s.run && s.corpus === 'demo')) return void (status.textContent = NOTHING_EMBEDDED);
  status.textContent = 'Preparing the demo comparison, step 1 of 3: loading the teaching model (progress in the rail)…';
  await embedded.loadModel();
  if (!embedded.model()) return void (status.textContent = 'The model could not be loaded: see the rail.');
  status.textContent = 'Step 2 of 3: embedding the 24 demo scenes…';
  await embedded.addDemo();
  await lastCompare;
  if (s.teachDoc) await teach.show({ doc: s.teachDoc, method: s.teachMethod, m: s.teachM, step: s.teachStep, query: s.teachQuery || undefined });
}
if (!getModel(store.get().model)) store.update({ model: DEFAULT_STATE.model });
void replay();
