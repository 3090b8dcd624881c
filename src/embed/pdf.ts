/**
 * PDF pages as images, inside a worker, with Mozilla's PDF.js (pdfjs-dist): each page is rendered
 * to an OffscreenCanvas at a chosen size and handed over as an ImageBitmap, one page at a time,
 * so a 500-page file never holds more than one rendered page. PDF.js parses in a worker of its own
 * (started from this worker; its in-thread "fake worker" would answer this worker's own messages),
 * draws on this thread, and the factories it would take from a DOM are given as worker-safe ones:
 * canvases are OffscreenCanvases, SVG filters are not used, and the 14 standard fonts' glyph data
 * (which PDFs name without embedding them) come from pdfjs-dist's own files, bundled by Vite.
 */
import { LIMITS } from '../core/limits.ts';
import { operatorCount, PdfPageBudgetError } from './pdfWatch.ts';
import * as pdfjs from 'pdfjs-dist';
import parserUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

/** PDF.js's parser in a worker of its own, started from this one on first use (one per thread). */
let parser: Worker | undefined;
function parserPort(): Worker {
  parser ??= new Worker(parserUrl, { type: 'module', name: 'pdf-parser' });
  return parser;
}

/** Stops the parser worker, whatever it is doing (a page over its budget); the next file starts another. */
function stopParser(): void {
  parser?.terminate();
  parser = undefined;
}

/** pdfjs-dist's standard font files, by name, as URLs of this build. */
const FONT_URLS = import.meta.glob('/node_modules/pdfjs-dist/standard_fonts/*', { query: '?url', import: 'default', eager: true }) as Record<string, string>;
const fontUrl = (filename: string) => Object.entries(FONT_URLS).find(([path]) => path.endsWith(`/${filename}`))?.[1];

class OffscreenCanvasFactory {
  create(width: number, height: number) {
    if (width <= 0 || height <= 0) throw new Error('Invalid canvas size');
    const canvas = new OffscreenCanvas(width, height);
    return { canvas, context: canvas.getContext('2d', { willReadFrequently: true })! };
  }
  reset(cc: { canvas: OffscreenCanvas }, width: number, height: number) {
    if (width <= 0 || height <= 0) throw new Error('Invalid canvas size');
    cc.canvas.width = width;
    cc.canvas.height = height;
  }
  getNoAlphaContext(canvas: OffscreenCanvas) {
    return canvas.getContext('2d', { alpha: false, willReadFrequently: true });
  }
  destroy(cc: { canvas: OffscreenCanvas | null; context: unknown }) {
    if (cc.canvas) cc.canvas.width = cc.canvas.height = 0;
    cc.canvas = null;
    cc.context = null;
  }
}

/** SVG filters need a document; a worker draws without them (as PDF.js's base factory does). */
class NoFilterFactory {
  addFilter() { return 'none'; }
  addHCMFilter() { return 'none'; }
  addAlphaFilter() { return 'none'; }
  addLuminosityFilter() { return 'none'; }
  addKnockoutFilter() { return 'none'; }
  addHighlightHCMFilter() { return 'none'; }
  addSelectionHCMFilter() { return 'none'; }
  addSelectionFilter() { return 'none'; }
  createSelectionStyle() { return null; }
  destroy() {}
}

class BundledDataFactory {
  async fetch({ kind, filename }: { kind: string; filename: string }): Promise<Uint8Array> {
    const url = kind === 'standardFontDataUrl' ? fontUrl(filename) : undefined;
    if (!url) throw new Error(`${kind} ${filename} is not bundled`);
    const res = await fetch(url);
    if (!res.ok) throw new Error(`could not load ${url}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
}

/** A PDF that cannot be read at all (the whole file is skipped, with this reason). */
export class PdfFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PdfFileError';
  }
}

export interface PdfPage {
  /** 1-based page number. */
  page: number;
  pages: number;
  bitmap?: ImageBitmap;
  /** Set when this page could not be rendered (the other pages go on). */
  error?: string;
}

export interface PdfRenderOptions {
  /** The longer side of a rendered page, in pixels. */
  maxSide: number;
  /** The most pages read from one file; the rest are reported as left out. */
  maxPages?: number;
  /** Asked between pages: true stops. */
  cancelled?: () => boolean;
}

type PdfPageProxy = Awaited<ReturnType<Awaited<ReturnType<typeof openPdf>>['doc']['getPage']>>;

/** Opens a PDF; a password-protected, damaged or non-PDF file is a PdfFileError naming why. */
export async function openPdf(bytes: Uint8Array) {
  const task = pdfjs.getDocument({
    data: bytes,
    worker: pdfjs.PDFWorker.create({ port: parserPort(), verbosity: 0 }), // errors only: PDF.js warns about every odd PDF
    CanvasFactory: OffscreenCanvasFactory,
    FilterFactory: NoFilterFactory,
    BinaryDataFactory: BundledDataFactory,
    useWorkerFetch: false,
    isOffscreenCanvasSupported: true,
    disableFontFace: true, // glyphs drawn as paths: FontFace needs a document
    useSystemFonts: false,
    disableWorkerRendering: true,
    stopAtErrors: false,
    verbosity: 0,
    // A small file can declare a 30000 x 30000 image (2.7 GB decoded) or ask for huge canvases:
    // PDF.js leaves such an image out of the page instead of decoding it (LIMITS, README).
    maxImageSize: LIMITS.pdfImagePixels,
    canvasMaxAreaInBytes: LIMITS.pdfCanvasBytes,
  } as Parameters<typeof pdfjs.getDocument>[0]);
  try {
    return { doc: await task.promise, close: () => task.destroy() };
  } catch (err) {
    await task.destroy().catch(() => undefined);
    const e = err as Error;
    if (e.name === 'PasswordException') throw new PdfFileError('the PDF is password-protected; open it, save it without a password, and drop it again');
    if (e.name === 'InvalidPDFException') throw new PdfFileError(`not a readable PDF (${e.message})`);
    throw new PdfFileError(`PDF.js could not open it: ${e.message}`);
  }
}

/**
 * Renders the pages one by one (white background, the longer side `maxSide` pixels); yields each
 * page's bitmap (the caller closes it) or its error. Stops when `cancelled()` says so.
 */
export async function* renderPdfPages(bytes: Uint8Array, options: PdfRenderOptions): AsyncGenerator<PdfPage> {
  // PDF.js takes over the bytes it is given; a copy is kept (files up to 64 MiB) to open the file
  // again after a page had to be stopped with its parser worker.
  const spare = bytes.length <= 64 * 2 ** 20 ? bytes : undefined;
  let opened = await openPdf(spare ? bytes.slice() : bytes);
  try {
    const pages = Math.min(opened.doc.numPages, options.maxPages ?? Infinity);
    for (let page = 1; page <= pages; page++) {
      if (options.cancelled?.()) return;
      const { doc } = opened;
      try {
        yield { page, pages: doc.numPages, bitmap: await renderPage(await doc.getPage(page), options.maxSide) };
      } catch (err) {
        yield { page, pages: doc.numPages, error: `page ${page}: ${(err as Error).message}` };
        if (!(err instanceof PdfPageBudgetError)) continue;
        // The parser worker was stopped: the document is reopened for the pages after this one.
        stopParser();
        opened.close().catch(() => undefined); // its worker is gone: not awaited
        if (!spare || page === pages) return;
        opened = await openPdf(spare.slice());
      }
    }
  } finally {
    await Promise.race([opened.close(), new Promise((r) => setTimeout(r, 2000))]).catch(() => undefined);
  }
}

/** One page drawn on a white OffscreenCanvas, the longer side `maxSide` pixels, after its operations are counted. */
async function renderPage(p: PdfPageProxy, maxSide: number): Promise<ImageBitmap> {
  // Counted before drawing: a 26 KB content stream can draw a million rectangles (over 3 GB to render).
  const ops = await operatorCount(p);
  if (ops > LIMITS.pdfOperators) throw new Error(`it draws ${ops.toLocaleString('en')} operations, over the limit of ${LIMITS.pdfOperators.toLocaleString('en')} per page; the page was left out`);
  const base = p.getViewport({ scale: 1 });
  const viewport = p.getViewport({ scale: maxSide / Math.max(base.width, base.height) });
  const canvas = new OffscreenCanvas(Math.max(1, Math.round(viewport.width)), Math.max(1, Math.round(viewport.height)));
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  await p.render({ canvas: canvas as unknown as HTMLCanvasElement, canvasContext: ctx as unknown as CanvasRenderingContext2D, viewport, background: '#fff' }).promise;
  p.cleanup();
  return canvas.transferToImageBitmap();
}

/** A JPEG of a rendered PDF page (longer side at most 768 px) for the page's views to show. */
export async function pagePicture(bitmap: ImageBitmap): Promise<Blob> {
  const scale = Math.min(1, 768 / Math.max(bitmap.width, bitmap.height));
  const c = new OffscreenCanvas(Math.max(1, Math.round(bitmap.width * scale)), Math.max(1, Math.round(bitmap.height * scale)));
  c.getContext('2d')!.drawImage(bitmap, 0, 0, c.width, c.height);
  return c.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
}
