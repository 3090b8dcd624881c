/**
 * The rail's list of corpora: each corpus of the tab as a button (the current one pressed), and
 * the corpora stored in this browser but not opened yet, each with a button to remove it.
 */
import type { CorpusMeta } from '../../embed/corpusDb.ts';
import { describeCorpus, type Corpora } from './corpora.ts';

export interface CorpusListActions {
  open(key: string): void;
  restore(fingerprint: string): void;
  forget(fingerprint: string): void;
}

function item(label: string, pressed: boolean, onClick: () => void, forget?: { name: string; run: () => void }, settings?: string): HTMLLIElement {
  const li = document.createElement('li');
  const b = Object.assign(document.createElement('button'), { type: 'button', textContent: label, className: 'corpus-pick', title: settings ? `Embedded with ${settings}` : '' });
  b.setAttribute('aria-pressed', String(pressed));
  b.addEventListener('click', onClick);
  li.append(b);
  if (forget) {
    const x = Object.assign(document.createElement('button'), { type: 'button', textContent: '✕', className: 'corpus-forget', title: `Remove ${forget.name} from this browser` });
    x.setAttribute('aria-label', `Remove ${forget.name} from this browser`);
    x.addEventListener('click', forget.run);
    li.append(x);
  }
  return li;
}

export function renderCorpusList(corpora: Corpora, stored: readonly CorpusMeta[], imported: { label: string; shown: boolean; open(): void } | undefined, act: CorpusListActions): void {
  const list = document.getElementById('corpora') as HTMLUListElement;
  const current = imported?.shown ? undefined : corpora.current();
  const items = corpora.list.map((c) =>
    item(describeCorpus(c, c.docs.length), c === current, () => act.open(c.key), c.fingerprint ? { name: c.name, run: () => act.forget(c.fingerprint!) } : undefined, c.settings),
  );
  for (const m of stored) items.push(item(`${describeCorpus(m, m.documents)} (stored in this browser)`, false, () => act.restore(m.fingerprint), { name: m.name, run: () => act.forget(m.fingerprint) }, m.settings));
  if (imported) items.push(item(`${imported.label} (from the Data view)`, imported.shown, imported.open));
  list.replaceChildren(...items);
  list.hidden = items.length === 0;
  const note = document.getElementById('corpora-note')!;
  note.textContent = items.length === 0 ? '' : imported?.shown ? 'Showing the imported corpus, with its own queries.' : current ? `Showing ${current.name}.` : 'No corpus is shown: pick one above, drop files, or add the demo scenes.';
}
