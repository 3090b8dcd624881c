import { expect, test, type Page } from '@playwright/test';
import { PDFDocument, rgb, StandardFonts } from 'pdf-lib';
import { failOnConsoleErrors } from './consoleErrors.ts';
import { rawPdf, shapesPdf, stream } from './pdfFiles.ts';
import { browserPeak } from './processMemory.ts';

failOnConsoleErrors();

/**
 * A PDF whose Standard security handler (RC4, revision 2) has a user-password check value that
 * no password produces: every reader must ask for a password (PDF 1.7, 7.6.3.4).
 */
function lockedPdf(): Buffer {
  const hex32 = (seed: number) => Array.from({ length: 32 }, (_, i) => ((seed * 31 + i * 17) & 255).toString(16).padStart(2, '0')).join('');
  return rawPdf(
    ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>', `<< /Filter /Standard /V 1 /R 2 /O <${hex32(3)}> /U <${hex32(5)}> /P -4 >>`],
    ` /Encrypt 4 0 R /ID [<${hex32(7).slice(0, 32)}> <${hex32(7).slice(0, 32)}>]`,
  );
}

/**
 * Three pages: 300,000 rectangles (300,000 drawing operations as PDF.js counts them, from a 3.6 MB stream), an image that
 * declares 30000 x 30000 pixels (2.7 GB decoded) over a stream of a few bytes, and one red square.
 */
function bombPdf(): Buffer {
  const rects = '0 0 1 1 re f\n'.repeat(300_000);
  return rawPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R 5 0 R 8 0 R] /Count 3 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>',
    stream('', rects),
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << /XObject << /Im1 6 0 R >> >> /Contents 7 0 R >>',
    stream('/Type /XObject /Subtype /Image /Width 30000 /Height 30000 /ColorSpace /DeviceRGB /BitsPerComponent 8', 'xxxx'),
    stream('', 'q 200 0 0 200 0 0 cm /Im1 Do Q'),
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 9 0 R >>',
    stream('', '1 0 0 rg 20 20 160 160 re f'),
  ]);
}

/**
 * Two pages, about 2 KB in all: page 1 draws a form that draws the next form 10 times, 7 forms
 * deep (3.2 million operations once PDF.js has flattened them), page 2 one red square.
 */
function nestedFormsPdf(): Buffer {
  const depth = 7;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /XObject << /F 7 0 R >> >> >>',
    stream('', '/F Do'),
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 6 0 R >>',
    stream('', '1 0 0 rg 20 20 160 160 re f'),
  ];
  for (let k = 0; k < depth; k++) {
    const last = k + 1 === depth;
    objects.push(stream(`/Type /XObject /Subtype /Form /BBox [0 0 200 200]${last ? '' : ` /Resources << /XObject << /F ${8 + k} 0 R >> >>`}`, last ? '0 0 1 1 re f\n' : '/F Do\n'.repeat(10)));
  }
  return rawPdf(objects);
}

async function loadModel(page: Page) {
  await page.goto('/?view=data');
  await page.getByRole('button', { name: 'Clear stored embeddings' }).click();
  await page.selectOption('#device', 'wasm');
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.locator('#model-status')).toContainText('Self-check passed', { timeout: 60_000 });
}

test('PDF pages: each page rendered in the worker, tiled and embedded; locked and broken files are explained; search finds the page', async ({ page }) => {
  await loadModel(page);
  const pdf = await shapesPdf([['red', [0.9, 0.05, 0.05]], ['green', [0.05, 0.8, 0.05]], ['blue', [0.05, 0.05, 0.9]]]);
  await page.setInputFiles('#files', [
    { name: 'shapes.pdf', mimeType: 'application/pdf', buffer: pdf },
    { name: 'locked.pdf', mimeType: 'application/pdf', buffer: lockedPdf() },
    { name: 'broken.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\nthis is not a PDF body at all\n') },
    { name: 'empty.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(0) },
  ]);
  await expect(page.locator('#embed-status')).toContainText('Done: 3 embedded', { timeout: 90_000 });
  const errs = page.locator('#file-errors li');
  await expect(errs).toHaveCount(3);
  await expect(errs.filter({ hasText: 'locked.pdf' })).toHaveText('locked.pdf: the PDF is password-protected; open it, save it without a password, and drop it again');
  await expect(errs.filter({ hasText: 'broken.pdf' })).toContainText('broken.pdf: not a readable PDF (');
  await expect(errs.filter({ hasText: 'empty.pdf' })).toHaveText('empty.pdf: the file is empty (0 bytes)');
  // Three documents, one per page; each the whole page plus 3 x 3 tiles: 10 views of 8 x 8 patches.
  for (const n of [1, 2, 3]) {
    const row = page.locator(`#embedded tbody tr[data-doc="shapes.pdf#page=${n}"]`);
    await expect(row.locator('td').nth(1)).toHaveText('10');
    await expect(row.locator('td').nth(2)).toHaveText('640 x 13');
    await expect(row.locator('td').nth(5)).toHaveText('pdf.js-worker');
  }
  // The teaching model reads colour: each colour's page comes first for its word.
  for (const [word, n] of [['red', 1], ['green', 2], ['blue', 3]] as const) {
    await page.fill('#query', word);
    await page.evaluate(() => document.getElementById('hits')!.replaceChildren());
    await page.getByRole('button', { name: /Search/ }).click();
    await expect(page.locator('#hits li').first()).toContainText(`shapes.pdf#page=${n}`);
  }
  await page.screenshot({ path: 'test-results/screens/pdf-pages.png', fullPage: true });

  // The pages join the comparison like any picture, and their views show the rendered page.
  await page.click('#views-nav a[data-view="compare"]');
  await expect(page.locator('#compare-status')).toContainText('Done', { timeout: 120_000 });
  await expect(page.locator('#compare-status')).toContainText('3 documents');
  await page.click('#views-nav a[data-view="maps"]');
  await page.selectOption('#maps-doc', 'shapes.pdf#page=1');
  await expect(page.locator('#maps img, #maps canvas').first()).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: 'test-results/screens/pdf-maps.png' });

  // Dropped again: every page is read from the stored embeddings, keyed by file, page and settings.
  await page.click('#views-nav a[data-view="data"]');
  await page.setInputFiles('#files', [{ name: 'shapes.pdf', mimeType: 'application/pdf', buffer: pdf }]);
  await expect(page.locator('#embed-status')).toContainText('Done: 3 embedded (3 read from stored embeddings)', { timeout: 60_000 });
  // Other PDF settings are other vectors: nothing is read from storage.
  await page.fill('#pdf-tiles', '2');
  await page.setInputFiles('#files', [{ name: 'shapes.pdf', mimeType: 'application/pdf', buffer: pdf }]);
  await expect(page.locator('#embed-status')).toContainText('Done: 3 embedded', { timeout: 60_000 });
  await expect(page.locator('#embed-status')).not.toContainText('read from stored');
  await expect(page.locator('#embedded tbody tr[data-doc="shapes.pdf#page=1"] td').nth(2)).toHaveText('320 x 13');
});

test('a tall page is drawn as the model saw it: whole, at its aspect ratio, its title at the top, every tile vector placed', async ({ page }) => {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const pdfPage = doc.addPage([600, 800]);
  // A black title band across the top 30 points: the part a centre crop of the page cut away.
  pdfPage.drawRectangle({ x: 0, y: 770, width: 600, height: 30, color: rgb(0, 0, 0) });
  pdfPage.drawText('Title', { x: 240, y: 700, size: 40, font, color: rgb(0, 0, 0) });
  pdfPage.drawRectangle({ x: 60, y: 200, width: 480, height: 400, color: rgb(0.9, 0.05, 0.05) });
  await loadModel(page);
  await page.setInputFiles('#files', [{ name: 'titled.pdf', mimeType: 'application/pdf', buffer: Buffer.from(await doc.save()) }]);
  await expect(page.locator('#embed-status')).toContainText('Done: 1 embedded', { timeout: 90_000 });
  await page.click('#views-nav a[data-view="compare"]');
  await expect(page.locator('#compare-status')).toContainText('Done', { timeout: 120_000 });
  // The heat map of winning vectors is the page's grid: 3 x 3 tiles of 8 x 8 patches, 24 x 24 cells.
  await expect(page.locator('#heatmaps svg[data-method="none"] rect.cell')).toHaveCount(24 * 24);
  await expect(page.locator('#heatmaps figure').first()).toContainText('the page, 3 x 3 tiles');
  await page.click('#views-nav a[data-view="maps"]');
  const map = page.locator('#maps canvas').first();
  await expect(map).toHaveAttribute('data-doc', 'titled.pdf#page=1', { timeout: 30_000 });
  // The whole page plus 3 x 3 tiles, 8 x 8 patches each: all 640 vectors have a place on the drawing.
  await expect(map).toHaveAttribute('data-placed', '640');
  const probe = await map.evaluate((c: HTMLCanvasElement) => {
    // The tiles panel is the left 70% (less half the 6 px gap), the page at 600 x 800 in it.
    const w = c.width * 0.7 - 3;
    const h = (w * 800) / 600;
    const px = (x: number, y: number) => Array.from(c.getContext('2d')!.getImageData(Math.round(x), Math.round(y), 1, 1).data.slice(0, 3));
    return { ratio: c.height / c.width, title: px(w / 2, (15 / 800) * h), white: px((30 / 600) * w, (266 / 800) * h) };
  });
  expect(probe.ratio).toBeGreaterThan(0.9); // a portrait page in 70% of the width, with the global view beside it
  // The title band is on the drawing (washed, as the centre-cropping model never saw it), not cut away.
  expect(Math.max(...probe.title)).toBeLessThan(180);
  // Between the first and second row of tiles (each tile's centre square), white page no vector covers.
  expect(Math.min(...probe.white)).toBeGreaterThan(200);
  // The legend gives the scale's values; absolute colours put every document on 0 to 1.
  await expect(page.locator('#maps-legend')).toHaveAttribute('data-lo', /./);
  await page.selectOption('#maps-scale', 'abs');
  await expect(page.locator('#maps-legend')).toHaveAttribute('data-lo', '0');
  await expect(page.locator('#maps-legend')).toHaveAttribute('data-hi', '1');
  expect(page.url()).toContain('mscale=abs');
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.locator('#maps-panel').screenshot({ path: 'test-results/screens/maps-pdf-1280.png' });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.locator('#maps-panel').screenshot({ path: 'test-results/screens/maps-pdf-1920.png' });
});

test('Cancel stops a long PDF between pages: the pages done stay, nothing keeps running, the next batch works', async ({ page }) => {
  test.setTimeout(180_000);
  await loadModel(page);
  const colours: [string, [number, number, number]][] = Array.from({ length: 60 }, (_, i) => [`p${i}`, [(i * 37) % 255 / 255, (i * 91) % 255 / 255, (i * 53) % 255 / 255]]);
  await page.setInputFiles('#files', [{ name: 'long.pdf', mimeType: 'application/pdf', buffer: await shapesPdf(colours) }]);
  // The progress counts pages once the file is open.
  await expect(page.locator('#embed-status')).toContainText(/Embedded \d+ of 60 \(long\.pdf#page=\d+\)/, { timeout: 60_000 });
  await page.getByRole('button', { name: 'Cancel embedding' }).click();
  await expect(page.locator('#embed-status')).toContainText(/^Cancelled: \d+ embedded/, { timeout: 10_000 });
  const done = Number(/Cancelled: (\d+) embedded/.exec((await page.locator('#embed-status').textContent())!)![1]);
  expect(done).toBeGreaterThan(0);
  expect(done).toBeLessThan(60);
  await expect(page.locator('#embedded tbody tr')).toHaveCount(done);
  await page.waitForTimeout(1000);
  await expect(page.locator('#embedded tbody tr')).toHaveCount(done);
  await page.setInputFiles('#files', [{ name: 'short.pdf', mimeType: 'application/pdf', buffer: await shapesPdf(colours.slice(0, 2)) }]);
  await expect(page.locator('#embed-status')).toContainText('Done: 2 embedded', { timeout: 60_000 });
});

test('PDF pages that would draw without bound are left out, named; the other pages of the file and the other files embed', async ({ page }) => {
  await loadModel(page);
  const pdf = await shapesPdf([['red', [0.9, 0.05, 0.05]]]);
  const memory = await browserPeak(async () => {
    await page.setInputFiles('#files', [
      { name: 'bomb.pdf', mimeType: 'application/pdf', buffer: bombPdf() },
      { name: 'shapes.pdf', mimeType: 'application/pdf', buffer: pdf },
    ]);
    await expect(page.locator('#embed-status')).toContainText('Done: 3 embedded', { timeout: 120_000 });
  });
  // The browser's memory, every process of it (PSS): 572 -> 1,128 MiB measured; these pages took it over 3 GB before their limits.
  expect(memory.peakMiB - memory.beforeMiB, `browser memory ${memory.beforeMiB.toFixed(0)} -> ${memory.peakMiB.toFixed(0)} MiB`).toBeLessThan(1024);
  await expect(page.locator('#file-errors li')).toHaveText(['bomb.pdf#page=1: page 1: it draws 300,000 operations, over the limit of 200,000 per page; the page was left out']);
  // The page whose image is over the pixel limit is drawn without it (PDF.js's maxImageSize), not decoded.
  for (const id of ['bomb.pdf#page=2', 'bomb.pdf#page=3', 'shapes.pdf#page=1']) await expect(page.locator(`#embedded tbody tr[data-doc="${id}"]`)).toHaveCount(1);
  // Page 2 is drawn white, its image left out. (Without PDF.js's maxImageSize the same page came out
  // white too, after 1.7 min of decoding instead of 6 s: this test does not time it, the note says so.)
  await page.fill('#query', 'white');
  await page.getByRole('button', { name: /Search/ }).click();
  await expect(page.locator('#hits li').first()).toContainText('bomb.pdf#page=2');
});

test('a page of forms drawn inside forms is stopped while PDF.js lists its operations, named; the next page of the file and the other files embed', async ({ page }) => {
  await loadModel(page);
  const bomb = nestedFormsPdf();
  expect(bomb.length).toBeLessThan(2500);
  const shapes = await shapesPdf([['red', [0.9, 0.05, 0.05]]]);
  const memory = await browserPeak(async () => {
    await page.setInputFiles('#files', [
      { name: 'nested.pdf', mimeType: 'application/pdf', buffer: bomb },
      { name: 'shapes.pdf', mimeType: 'application/pdf', buffer: shapes },
    ]);
    await expect(page.locator('#embed-status')).toContainText('Done: 2 embedded', { timeout: 120_000 });
  });
  // 581 -> 1,076 MiB measured; with the watch at 40x the limit instead of 4x, listing went on: 574 -> 2,324 MiB.
  expect(memory.peakMiB - memory.beforeMiB, `browser memory ${memory.beforeMiB.toFixed(0)} -> ${memory.peakMiB.toFixed(0)} MiB`).toBeLessThan(1024);
  await expect(page.locator('#file-errors li')).toHaveText([
    'nested.pdf#page=1: page 1: it draws over 800,000 operations (stopped while PDF.js was still listing them: forms drawn inside forms?), over the limit of 200,000 per page; the page was left out',
  ]);
  for (const id of ['nested.pdf#page=2', 'shapes.pdf#page=1']) await expect(page.locator(`#embedded tbody tr[data-doc="${id}"]`)).toHaveCount(1);
});

test('while files embed, the main area says so (it kept saying "Done ... 24 documents"), and gives the comparison back after', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('#compare-status')).toContainText('Done', { timeout: 120_000 });
  const colours: [string, [number, number, number]][] = Array.from({ length: 40 }, (_, i) => [`p${i}`, [(i * 37) % 255 / 255, (i * 91) % 255 / 255, (i * 53) % 255 / 255]]);
  await page.setInputFiles('#files', [{ name: 'long.pdf', mimeType: 'application/pdf', buffer: await shapesPdf(colours) }]);
  await expect(page.locator('#compare-status')).toContainText(/Embedded \d+ of 40 \(long\.pdf#page=\d+\).*The comparison runs again on them/, { timeout: 60_000 });
  await page.getByRole('button', { name: 'Cancel embedding' }).click();
  // Cancelled with pages embedded: the comparison runs on them and its own status takes over.
  await expect(page.locator('#compare-status')).toContainText('Done', { timeout: 120_000 });
  await expect(page.locator('#compare-status')).not.toContainText('Embedded');
});

test("one's own PDFs with typed queries whose first has no word the model knows: the maps and the teaching story take the first that has one, not an error", async ({ page }) => {
  await loadModel(page);
  await page.setInputFiles('#files', [{ name: 'shapes.pdf', mimeType: 'application/pdf', buffer: await shapesPdf([['red', [0.9, 0.05, 0.05]], ['blue', [0.05, 0.05, 0.9]]]) }]);
  await expect(page.locator('#embed-status')).toContainText('Done: 2 embedded', { timeout: 60_000 });
  await page.selectOption('#query-source', 'typed');
  await page.fill('#typed-queries', 'certificate\nblue square\nred');
  await page.click('#views-nav a[data-view="compare"]');
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await expect(page.locator('#compare-status')).toContainText('1 queries skipped (no word the model knows): certificate', { timeout: 60_000 });
  // The maps opened with nothing picked: "certificate" (first in the list) gives way to "blue square".
  await page.click('#views-nav a[data-view="maps"]');
  await expect(page.locator('#maps-status')).toContainText('"blue square"', { timeout: 30_000 });
  await expect(page.locator('#maps-status')).not.toContainText('Could not draw');
  await expect(page.locator('#maps-query')).toHaveValue('blue square');
  // The story on one's own page: the typed query the page answers best, not "the query".
  await page.click('#views-nav a[data-view="teach"]');
  await expect(page.locator('#teach-steps button').first()).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('#teach-step')).not.toContainText('Could not build');
});
