/**
 * The limits every reader enforces, before it allocates anything, from the sizes a file declares
 * (and again while inflating, where the data itself can lie). One table, documented in the README;
 * an input over a limit gets an error naming the file, the field and the limit.
 */
export const LIMITS = {
  /** Largest input file (an .npz, .safetensors or .npy). */
  fileBytes: 4 * 2 ** 30,
  /** Largest array after inflating one .npz member. */
  memberBytes: 2 * 2 ** 30,
  /** Largest number of values in one array (vectors x dimension). */
  arrayValues: 2 ** 30,
  /** Vectors over all documents (or all queries) of an import. */
  totalTokens: 20_000_000,
  /** Vector dimension. */
  dimension: 16_384,
  documents: 2_000_000,
  queries: 1_000_000,
  /** Largest PDF read (PDF.js needs the whole file in memory; pages are rendered one at a time). */
  pdfBytes: 1 * 2 ** 30,
  /** Pages read from one PDF; the rest are reported as left out. */
  pdfPages: 2000,
  /** Drawing operations on one PDF page (a page over it is reported, the other pages go on). */
  pdfOperators: 200_000,
  /** Pixels of one image inside a PDF (PDF.js's maxImageSize: a larger one is left out of the page, not decoded). */
  pdfImagePixels: 2 ** 26,
  /** Samples an MP4/MOV may declare in all (an hour at 60 fps is 216,000), checked from its box headers. */
  videoSamples: 1_000_000,
  /** Bytes of one canvas PDF.js may create while rendering (its canvasMaxAreaInBytes). */
  pdfCanvasBytes: 2 ** 28,
  /** Largest text file (.txt, .md, JSONL), read whole as a string. */
  textBytes: 256 * 2 ** 20,
  /** Passages embedded from one text file; the rest are reported as left out. */
  passagesPerFile: 20_000,
} as const;

export class LimitError extends Error {
  override name = 'LimitError';
}

/**
 * Checks a declared shape: every dimension a non-negative whole number, the product within
 * LIMITS.arrayValues. Returns the number of values. `where` names the file and field.
 */
export function checkedCount(where: string, shape: readonly unknown[]): number {
  let count = 1;
  shape.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new LimitError(`${where}: dimension ${i} of the shape is ${JSON.stringify(v)}; dimensions must be whole numbers >= 0`);
    count *= v;
  });
  if (count > LIMITS.arrayValues) throw new LimitError(`${where}: shape (${shape.join(', ')}) declares ${count.toLocaleString('en')} values, over the limit of ${LIMITS.arrayValues.toLocaleString('en')} per array`);
  return count;
}
