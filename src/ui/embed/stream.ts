/**
 * "Index while embedding": the streaming index lives in the embedding worker (each document is
 * compressed as it is embedded); here, its settings from the Data view, a summary, and its export.
 */
import type { EmbedClient, StreamInfo } from '../../clients/embedClient.ts';
import type { PageState } from '../state/schema.ts';
import { downloadIndex } from '../common.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function initStreamIndex(client: EmbedClient, state: () => Pick<PageState, 'streamMethod' | 'streamM' | 'streamStorage' | 'streamKeep'>) {
  const on = $<HTMLInputElement>('stream-on');
  const status = $<HTMLParagraphElement>('stream-status');
  const exportButton = $<HTMLButtonElement>('stream-export');
  /** The settings the worker's index was started with ('' when none runs). */
  let key = '';
  /** The index's settings: the page state's (checked by its parsers). */
  const settings = () => {
    const s = state();
    return { method: s.streamMethod, budget: s.streamM, storage: s.streamStorage, keepFull: s.streamKeep, seed: 1 };
  };
  function show(info?: StreamInfo) {
    exportButton.disabled = !info || info.documents === 0;
    if (!info) return;
    status.textContent =
      `Streaming index (${info.method}, m = ${info.budget}, ${info.storage}): ${info.documents} documents, ${info.tokensIn} vectors in, ${info.vectors} stored, ` +
      `${info.bytesPerDoc.toFixed(0)} bytes per document. ${info.keepFull ? 'Full vectors are kept too (for the comparison).' : 'Full-length vectors are not kept: search below uses this index; the comparison needs them.'}`;
  }
  exportButton.addEventListener('click', async () => {
    try {
      status.textContent = `Wrote ${downloadIndex(await client.exportStream())}.`;
    } catch (err) {
      status.textContent = `Export failed: ${(err as Error).message}`;
    }
  });
  return {
    settings,
    show,
    active: () => on.checked && key !== '',
    /** A model was loaded: the worker dropped its index (its vectors belonged to the old model). */
    reset() {
      key = '';
      exportButton.disabled = true;
    },
    /** Starts (or restarts, when the settings changed) the worker's streaming index before a batch. */
    async sync() {
      if (!on.checked) {
        if (key) await client.stopStream();
        key = '';
        return;
      }
      const now = settings();
      const k = JSON.stringify(now);
      if (k === key) return;
      const info = await client.startStream(now);
      if (key) status.textContent = 'Settings changed: a new streaming index was started.';
      key = k;
      show(info);
    },
  };
}
