/**
 * PDF content streams generated at random (fast-check, seeded): each file one page whose stream
 * mixes rectangles, colours, stray tokens and forms drawn inside forms (depth 1-8, each drawing
 * the next 1-12 times), dropped together with a plain PDF. `npm test` drops 6 such files;
 * `npm run fuzz` drops FUZZ_PDFS of them (40), FUZZ_SEED picks another draw. Expected outcomes
 * are worked out from the generator's numbers, kept away from the limits so that PDF.js's own
 * counting of operations cannot move a page across one:
 *   - forms that ask for 2 million drawings or more, no stray tokens: the page is left out with the budget named,
 *     stopped while PDF.js lists its operations or counted when it has (PDF.js lists fewer
 *     operations than the drawings asked for: 12 forms deep 6, 3.0 million rectangles, came to
 *     792,060 operations, so the count cannot be worked out here);
 *   - pages of under 200,000 operations: embedded;
 *   - stray tokens (which can swallow what follows them): embedded, or left out with a reason
 *     under the file and page's name;
 *   - whatever the others do, the plain PDF embeds and the drop ends.
 */
import { expect, test } from '@playwright/test';
import fc from 'fast-check';
import { failOnConsoleErrors } from './consoleErrors.ts';
import { rawPdf, shapesPdf, stream } from './pdfFiles.ts';

failOnConsoleErrors();

const FILES = Number(process.env.FUZZ_PDFS ?? 6);
const SEED = Number(process.env.FUZZ_SEED ?? 1);

type Piece =
  | { kind: 'rects'; count: number }
  | { kind: 'colour'; rgb: number[] }
  | { kind: 'forms'; depth: number; fan: number }
  | { kind: 'noise'; tokens: string[] };

/** Tokens a broken writer might leave in a content stream (no inline images: their data is binary). */
const NOISE = ['q', 'Q', 'BT', 'ET', 'Tj', 'TJ', '(abc)', '(unclosed', '/Name', '1', '-2.5', '[', ']', '<<', '>>', 'cm', 'gs', 'Do', 'sh', 'xyzzy', 're', 'f', 'S', 'm', 'l', 'Tf', 'rg', 'K', '<0A1>', 'true', 'null', 'W', 'n'];

const piece: fc.Arbitrary<Piece> = fc.oneof(
  fc.record({ kind: fc.constant('rects' as const), count: fc.integer({ min: 1, max: 5000 }) }),
  fc.record({ kind: fc.constant('colour' as const), rgb: fc.array(fc.integer({ min: 0, max: 100 }).map((v) => v / 100), { minLength: 3, maxLength: 3 }) }),
  fc
    .record({ kind: fc.constant('forms' as const), depth: fc.integer({ min: 1, max: 8 }), fan: fc.integer({ min: 1, max: 12 }) })
    .filter((f) => f.fan ** f.depth <= 20_000 || f.fan ** f.depth >= 2_000_000),
  fc.record({ kind: fc.constant('noise' as const), tokens: fc.array(fc.constantFrom(...NOISE), { minLength: 1, maxLength: 12 }) }),
);

/** One page of pieces as a PDF: forms as chains of XObjects (level k draws level k + 1 `fan` times; the last a rectangle). */
function piecesPdf(pieces: Piece[]): Buffer {
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '', ''];
  const names: string[] = [];
  const content = pieces.map((p, i) => {
    if (p.kind === 'rects') return Array.from({ length: p.count }, (_, k) => `${k % 190} ${(k * 7) % 190} ${1 + (k % 9)} ${1 + (k % 5)} re f`).join('\n');
    if (p.kind === 'colour') return `${p.rgb.join(' ')} rg`;
    if (p.kind === 'noise') return p.tokens.join(' ');
    const first = objects.length + 1;
    names.push(`/F${i} ${first} 0 R`);
    for (let k = 0; k < p.depth; k++) {
      const last = k + 1 === p.depth;
      const dict = `/Type /XObject /Subtype /Form /BBox [0 0 200 200]${last ? '' : ` /Resources << /XObject << /N ${first + k + 1} 0 R >> >>`}`;
      objects.push(stream(dict, last ? '0 0 1 1 re f' : '/N Do\n'.repeat(p.fan)));
    }
    return `/F${i} Do`;
  });
  objects[2] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /XObject << ${names.join(' ')} >> >> >>`;
  objects[3] = stream('', content.join('\n'));
  return rawPdf(objects);
}

/** What the page must come to, from the generator's numbers (see the file's comment). */
function expected(pieces: Piece[]): 'stopped' | 'embedded' | 'either' {
  // Stray tokens can swallow what follows them ("(unclosed" makes the rest of the stream a string).
  if (pieces.some((p) => p.kind === 'noise')) return 'either';
  const leaves = pieces.reduce((s, p) => s + (p.kind === 'forms' ? p.fan ** p.depth : 0), 0);
  return leaves >= 2_000_000 ? 'stopped' : 'embedded';
}

test(`${FILES} PDFs of generated content streams: each page embeds or is left out by name, bombs are stopped while listed, and a plain PDF dropped beside them embeds`, async ({ page }) => {
  test.setTimeout(60_000 + FILES * 20_000);
  const drawn = fc.sample(fc.array(piece, { minLength: 1, maxLength: 5 }), { numRuns: FILES, seed: SEED });
  console.log(drawn.map((ps, i) => `fuzz-${i}: ${ps.map((p) => (p.kind === 'forms' ? `forms ${p.fan}^${p.depth}` : p.kind === 'rects' ? `${p.count} rects` : p.kind)).join(', ')}`).join('\n'));
  const files = drawn.map((pieces, i) => ({ name: `fuzz-${i}.pdf`, mimeType: 'application/pdf', buffer: piecesPdf(pieces) }));
  await page.goto('/?view=data');
  await page.getByRole('button', { name: 'Clear stored embeddings' }).click();
  await page.selectOption('#device', 'wasm');
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.locator('#model-status')).toContainText('Self-check passed', { timeout: 60_000 });
  await page.setInputFiles('#files', [...files, { name: 'plain.pdf', mimeType: 'application/pdf', buffer: await shapesPdf([['red', [0.9, 0.05, 0.05]]]) }]);
  await expect(page.locator('#embed-status')).toContainText('Done:', { timeout: 30_000 + FILES * 20_000 });
  await expect(page.locator('#embedded tbody tr[data-doc="plain.pdf#page=1"]')).toHaveCount(1);
  const errors = await page.locator('#file-errors li').allTextContents();
  for (const [i, pieces] of drawn.entries()) {
    const id = `fuzz-${i}.pdf#page=1`;
    const rows = await page.locator(`#embedded tbody tr[data-doc="${id}"]`).count();
    const said = errors.filter((e) => e.startsWith(`${id}: page 1: `));
    const what = `${id}: ${JSON.stringify(pieces.map((p) => (p.kind === 'rects' ? `${p.count} rects` : p.kind === 'forms' ? `forms ${p.fan}^${p.depth}` : p.kind)))}`;
    const want = expected(pieces);
    if (want === 'stopped') expect(said, what).toEqual([expect.stringMatching(/^\S+: page 1: it draws (over 800,000 operations \(stopped while PDF.js was still listing them: forms drawn inside forms\?\)|[\d,]+ operations), over the limit of 200,000 per page; the page was left out$/)]);
    if (want === 'embedded') expect([rows, said.length], what).toEqual([1, 0]);
    if (want === 'either') expect(rows + said.length, `${what}: embedded or left out by name, once`).toBe(1);
    if (want !== 'embedded') expect(rows + said.length, what).toBe(1);
  }
  // Nothing else was said: every line names one of the files.
  for (const e of errors) expect(e).toMatch(/^fuzz-\d+\.pdf#page=1: page 1: \S/);
});
