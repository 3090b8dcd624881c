/**
 * The table of embedded documents in the rail: one row per document with its views, shape,
 * saliency source, frame times and decoder. Rows are keyed by document id (data-doc), so a
 * document embedded again replaces its row.
 */
import type { MultiVector } from '../../core/multivector.ts';
import type { EmbedResult } from '../../embed/workerTypes.ts';

function replaceRow(table: HTMLTableElement, id: string, cells: string[]): HTMLTableRowElement {
  table.tBodies[0].querySelector(`tr[data-doc="${CSS.escape(id)}"]`)?.remove();
  const tr = table.tBodies[0].insertRow();
  tr.dataset.doc = id;
  for (const v of cells) tr.insertCell().textContent = v;
  return tr;
}

/** The cells of a full-length document's row. */
export function documentCells(d: MultiVector, stored: number | undefined, decoder: string | undefined): string[] {
  const views = d.text ? 'passage' : String(d.grid?.frames ?? new Set(d.positions?.tile ?? []).size);
  const times = d.grid?.frames ? [...new Set(Array.from(d.positions?.time ?? [], (t) => t.toFixed(2)))].join(', ') : '';
  return [d.id, views, `${d.n} x ${d.d}${stored !== undefined ? ` → ${stored} stored` : ''}`, d.saliencySource ?? '', times, decoder ?? ''];
}

/**
 * Rows for a batch: documents kept only in the streaming index (their full vectors dropped in the
 * worker), then the full-length ones; `why` says why a video was sampled on the page.
 */
export function showBatch(table: HTMLTableElement, result: EmbedResult, dim: number | undefined, why: ReadonlyMap<string, string>): void {
  const compressedTo = new Map(result.indexed.map((x) => [x.id, x.stored]));
  const full = new Set(result.docs.map((d) => d.id));
  for (const x of result.indexed) {
    if (full.has(x.id)) continue;
    const tr = replaceRow(table, x.id, [x.id, '', `${x.n} x ${dim ?? ''} → ${x.stored} stored`, '', '', result.decoders[x.id] ?? '']);
    tr.dataset.indexedOnly = '1';
  }
  for (const d of result.docs) {
    const tr = replaceRow(table, d.id, documentCells(d, compressedTo.get(d.id), result.decoders[d.id]));
    const reason = why.get(d.id);
    if (reason && result.decoders[d.id] === 'video-element') tr.cells[5].title = `Sampled through a <video> element on the page: ${reason}.`;
  }
  table.hidden = table.tBodies[0].rows.length === 0;
}

/** Empties the table (a new model: the documents belong to the old one). */
export function clearTable(table: HTMLTableElement): void {
  table.tBodies[0].replaceChildren();
  table.hidden = true;
}
