/**
 * Watching PDF.js list a page's operations (src/embed/pdf.ts renders the page after this): the
 * count is read while the list is built, so a page that asks for millions of operations is
 * stopped on its way there, not after. Its own module, free of bundler imports.
 */
import { LIMITS } from '../core/limits.ts';

/**
 * A page whose operator list grows past this many operations while PDF.js is still building it is
 * stopped there, its parser worker terminated: forms drawn inside forms multiply (a 1 KB file of
 * forms nested 7 deep, each drawing the next 10 times, asks for 3.2 million operations, which
 * PDF.js took 53 s and 1.9 GB to list in Node), so the count after the list is complete
 * (LIMITS.pdfOperators) would come too late.
 */
export const PDF_OPERATORS_WATCHED = 4 * LIMITS.pdfOperators;
/** No new operation for this long while the list is built: the page is stopped (a stall, not a total time). */
export const PDF_STALL_MS = 30_000;

/** A page stopped while PDF.js listed its operations; its parser worker is gone. */
export class PdfPageBudgetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PdfPageBudgetError';
  }
}

/** The part of PDF.js's PDFPageProxy used here. */
export interface PageProxy {
  getOperatorList(): Promise<{ fnArray: unknown[] }>;
}

/** The page's operation count, watched while PDF.js builds the list (see PDF_OPERATORS_WATCHED). */
export async function operatorCount(p: PageProxy): Promise<number> {
  // PDF.js appends each chunk of the list to its intent state as it arrives (not a public API:
  // without it, only the finished list is counted).
  const states = (p as unknown as { _intentStates?: Map<unknown, { operatorList?: { fnArray?: unknown[] } }> })._intentStates;
  const listed = () => {
    let n = 0;
    for (const s of states?.values() ?? []) n = Math.max(n, s.operatorList?.fnArray?.length ?? 0);
    return n;
  };
  let timer: ReturnType<typeof setInterval> | undefined;
  const watch = new Promise<never>((_, reject) => {
    let last = -1;
    let since = performance.now();
    timer = setInterval(() => {
      const n = listed();
      if (n !== last) [last, since] = [n, performance.now()];
      const why =
        n > PDF_OPERATORS_WATCHED
          ? `it draws over ${PDF_OPERATORS_WATCHED.toLocaleString('en')} operations (stopped while PDF.js was still listing them: forms drawn inside forms?), over the limit of ${LIMITS.pdfOperators.toLocaleString('en')} per page; the page was left out`
          : performance.now() - since > PDF_STALL_MS
            ? `PDF.js listed no new operation for ${PDF_STALL_MS / 1000} s (at ${n.toLocaleString('en')}); the page was left out`
            : undefined;
      if (why) reject(new PdfPageBudgetError(why));
    }, 200);
  });
  try {
    return (await Promise.race([p.getOperatorList(), watch])).fnArray.length;
  } finally {
    clearInterval(timer);
  }
}
