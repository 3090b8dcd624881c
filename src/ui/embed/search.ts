/**
 * The Data view's search: one query, uncompressed MaxSim over the embedded documents (or over the
 * streaming index when the full vectors were not kept), the top five with their scores.
 */
import type { MultiVector } from '../../core/multivector.ts';
import type { EmbedClient } from '../../clients/embedClient.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function initSearch(client: EmbedClient, docs: () => MultiVector[], useStream: () => boolean): void {
  const hits = $<HTMLOListElement>('hits');
  const line = (text: string, className = '') => Object.assign(document.createElement('li'), { className, textContent: text });
  $<HTMLFormElement>('search-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = $<HTMLInputElement>('query').value;
    const stream = useStream();
    if (docs().length === 0 && !stream) return void hits.replaceChildren(line('Nothing embedded yet.', 'error'));
    try {
      const special = $<HTMLInputElement>('special-tokens').checked;
      const r = stream ? await client.searchStream(text, 5, special) : await client.search(text, docs(), 5, special);
      hits.replaceChildren(
        ...r.hits.map((h) => {
          const li = line(`${h.id} (${h.score.toFixed(3)})`);
          li.dataset.doc = h.id;
          return li;
        }),
      );
      hits.setAttribute('aria-label', `${r.queryTokens} query vectors`);
    } catch (err) {
      hits.replaceChildren(line((err as Error).message, 'error'));
    }
  });
}
