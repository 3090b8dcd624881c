/**
 * One side of Side by side: the document as the model saw it, with its clusters coloured and the
 * patches (or words) whose stored vector won a query token outlined; its summary line and its top
 * results.
 */
import type { Inspection } from '../../core/inspect.ts';
import type { MultiVector } from '../../core/multivector.ts';
import type { EmbeddedCorpus } from '../corpusStore.ts';
import { canvasHeightFor, PatchCanvas } from '../patchCanvas.ts';
import { pictures } from '../pictures.ts';
import { renderPassage } from '../textView.ts';

/** What a side says about its run. */
export function sideSummary(spec: string, budget: number | null, r: Inspection, queryTokens: number, text: boolean): string {
  return (
    `${spec}${budget ? `, m = ${budget}` : ' (uncompressed)'}: ${r.doc.id} ranks #${r.doc.rank} with ${r.doc.stored} stored vectors; ` +
    `${text ? 'outlined words' : 'red patches'} won a query token (${queryTokens} tokens).` +
    (r.judged ? ` nDCG@10 ${r.ndcg10.toFixed(3)}, recall@10 ${r.recall10.toFixed(3)}.` : ' No judgments for this query.')
  );
}

/** The side's top results, relevant ones marked. */
export function topList(list: HTMLOListElement, r: Inspection): void {
  list.replaceChildren(
    ...r.top.map((h) => {
      const li = Object.assign(document.createElement('li'), { textContent: `${h.id} (${h.score.toFixed(3)})` });
      li.dataset.doc = h.id;
      if (h.grade > 0) li.classList.add('relevant');
      return li;
    }),
  );
}

/** Draws the document: a passage (text) or the picture/frames on the canvas. */
export async function drawSideDocument(canvas: HTMLCanvasElement, textBox: HTMLDivElement, r: Inspection, doc: MultiVector, corpus: EmbeddedCorpus): Promise<void> {
  const compressed = r.budget !== null && r.method !== 'none';
  canvas.hidden = !!doc.text;
  textBox.hidden = !doc.text;
  if (doc.text) {
    renderPassage(textBox, doc, { assignments: compressed ? r.doc.assignments : undefined, stored: r.doc.stored, won: new Set(r.doc.winners) });
    return;
  }
  const ctx = canvas.getContext('2d')!;
  canvas.dataset.doc = doc.id;
  canvas.dataset.winners = Array.from(r.doc.winners).join(',');
  const pics = await pictures(corpus, doc);
  const still = pics.length === 1 && pics[0].frame < 0;
  // A still picture at its aspect ratio (tiles beside the global view); frames in a square grid.
  canvas.height = still ? canvasHeightFor(doc, pics[0].image, canvas.width) : canvas.width;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const per = Math.ceil(Math.sqrt(pics.length));
  const size = canvas.width / per;
  const won = new Set(r.doc.winners);
  pics.forEach((p, k) => {
    const area = still ? undefined : { x: (k % per) * size, y: Math.floor(k / per) * size, w: size - (per > 1 ? 3 : 0), h: size - (per > 1 ? 3 : 0), tokens: (i: number) => doc.positions?.frame?.[i] === p.frame };
    const pc = new PatchCanvas(ctx, doc, p.image, corpus.model()?.centerCrop ?? true, area);
    pc.base();
    if (compressed) pc.fill(r.doc.assignments, r.doc.stored, 0.3);
    // Patches pooled into a vector that won some query token's MaxSim.
    for (const i of pc.tokens) {
      const stored = compressed ? r.doc.assignments[i] : i;
      if (stored >= 0 && won.has(stored)) pc.outline(i, '#d00', per > 1 ? 2 : 3, 1);
    }
    if (compressed) pc.borders(r.doc.assignments);
    if (p.frame >= 0) {
      ctx.fillStyle = '#000';
      ctx.font = '11px system-ui';
      ctx.fillText(`frame ${p.frame}`, area!.x + 3, area!.y + 12);
    }
  });
}
