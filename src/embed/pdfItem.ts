/**
 * One dropped PDF in the embedding worker: every page rendered by PDF.js (src/embed/pdf.ts), one at
 * a time, and embedded as a document `name#page=N` (or read from the stored embeddings, per file
 * content, page, model and PDF settings), with a JPEG of the page for the views. A page that fails
 * is reported alone; a locked, damaged, empty or oversized file is reported as the file.
 */
import { LIMITS } from '../core/limits.ts';
import type { MultiVector } from '../core/multivector.ts';
import { pagePicture, renderPdfPages } from './pdf.ts';
import { sha256 } from './store.ts';
import type { ItemContext } from './textItem.ts';

/** Embeds the pages of one PDF; returns how many pages were rendered (0: the caller counts the file as done). */
export async function embedPdfItem(
  name: string,
  pdf: Blob,
  settings: { size: number; tiles: number },
  embedPage: (id: string, bitmap: ImageBitmap) => Promise<MultiVector>,
  pictures: Record<string, Blob>,
  ctx: ItemContext,
): Promise<number> {
  const { size, tiles } = settings;
  let pages = 0;
  try {
    if (pdf.size === 0) throw new Error('the file is empty (0 bytes)');
    if (pdf.size > LIMITS.pdfBytes) throw new Error(`${(pdf.size / 2 ** 20).toFixed(0)} MiB, over the ${LIMITS.pdfBytes / 2 ** 20} MiB a PDF may have here; split it`);
    // Read once: hashed for the stored keys, then handed to PDF.js (which may take it over).
    const bytes = new Uint8Array(await pdf.arrayBuffer());
    const fileHash = await sha256(bytes).catch(() => undefined);
    for await (const pg of renderPdfPages(bytes, { maxSide: size, maxPages: LIMITS.pdfPages, cancelled: ctx.cancelled })) {
      const t0 = performance.now();
      if (pages++ === 0) {
        ctx.grow(Math.min(pg.pages, LIMITS.pdfPages) - 1);
        if (pg.pages > LIMITS.pdfPages) ctx.fail(name, `${pg.pages} pages; only the first ${LIMITS.pdfPages} are read`);
      }
      const id = `${name}#page=${pg.page}`;
      try {
        if (!pg.bitmap) throw new Error(pg.error);
        const bitmap = pg.bitmap;
        try {
          pictures[id] = await pagePicture(bitmap);
          const key = fileHash && ctx.storeKey([fileHash, `page=${pg.page}`], [`pdf=${size}:${tiles}`]);
          const got = await ctx.recall(key, id);
          if (got) {
            ctx.accept({ ...got, id });
            ctx.decoders[id] = 'stored';
            ctx.fromStore();
          } else {
            const doc = await embedPage(id, bitmap);
            ctx.accept(doc);
            ctx.decoders[id] = 'pdf.js-worker';
            await ctx.keep(key, doc, 'pdf.js-worker');
          }
        } finally {
          bitmap.close();
        }
      } catch (err) {
        ctx.fail(id, (err as Error).message);
      }
      ctx.done(id, performance.now() - t0);
    }
  } catch (err) {
    ctx.fail(name, (err as Error).message);
  }
  return pages;
}
