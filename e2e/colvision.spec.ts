import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument, rgb, StandardFonts } from 'pdf-lib';
import { encodePng } from '../src/demo/png.ts';
import { failOnConsoleErrors } from './consoleErrors.ts';

failOnConsoleErrors();

const MODEL = join(import.meta.dirname, '..', 'test-models', 'tiny-colmodernvbert');

async function loadColVision(page: Page, device: 'auto' | 'wasm') {
  await page.goto('/?view=data');
  await page.getByRole('button', { name: 'Clear stored embeddings' }).click();
  await page.selectOption('#device', device);
  await page.setInputFiles('#model-folder', MODEL);
  await expect(page.locator('#model-note')).toContainText('a ColModernVBERT visual document model (processor_config.json, model.onnx): it embeds pictures and PDF pages');
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.locator('#model-status')).toContainText(/Loaded|Could not load/, { timeout: 90_000 });
}

/** A portrait page (600 x 800 points): a title band and a red block. */
async function pagePdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const p = doc.addPage([600, 800]);
  p.drawRectangle({ x: 0, y: 740, width: 600, height: 60, color: rgb(0, 0, 0) });
  p.drawText('Quarterly report', { x: 60, y: 650, size: 40, font, color: rgb(0, 0, 0) });
  p.drawRectangle({ x: 60, y: 200, width: 480, height: 380, color: rgb(0.9, 0.05, 0.05) });
  return Buffer.from(await p.doc.save());
}

function png(w: number, h: number, colour: [number, number, number]): Buffer {
  const rgba = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    const x = i % w;
    rgba.set(x < w / 2 ? colour : [255, 255, 255], i * 4);
    rgba[i * 4 + 3] = 255;
  }
  return Buffer.from(encodePng(rgba, w, h));
}

/** Tokens of a page's prompt besides its image tokens (worked out by hand from the template): [CLS] < | begin _ of _ text | > user :
 * (12), two per tile (<fake_token_around_image><row_r_col_c>), three around the global view, then
 * "describe the image . <end_of_utterance> assistant : [SEP]" (8). */
const promptTokens = (tiles: number) => 12 + 2 * tiles + 3 + 8;

async function embedPagesAndCompare(page: Page, pdf: Buffer) {
  await page.fill('#tiles', '2');
  await page.setInputFiles('#files', [
    { name: 'report.pdf', mimeType: 'application/pdf', buffer: pdf },
    { name: 'wide.png', mimeType: 'image/png', buffer: png(96, 64, [20, 20, 220]) },
    { name: 'tall.png', mimeType: 'image/png', buffer: png(40, 90, [20, 200, 20]) },
  ]);
  await expect(page.locator('#embed-status')).toContainText('Done: 3 embedded, 0 skipped', { timeout: 90_000 });
  // The page at 768 x 1024 px, PDF tiles 3 (longest edge 3 x 64): 3 x 3 tiles + global, 16 image tokens each.
  // wide.png (96 x 64) at Image tiles 2: 128 x 85 -> 2 x 2 tiles; tall.png (40 x 90): 56 x 128 -> 2 x 1.
  for (const [id, views, tiles] of [['report.pdf#page=1', 10, 9], ['wide.png', 5, 4], ['tall.png', 3, 2]] as const) {
    const row = page.locator(`#embedded tbody tr[data-doc="${id}"]`);
    await expect(row.locator('td').nth(1)).toHaveText(String(views));
    await expect(row.locator('td').nth(2)).toHaveText(`${views * 16 + promptTokens(tiles)} x 128`);
    await expect(row.locator('td').nth(3)).toHaveText('prompt-attention');
  }
  await page.selectOption('#query-source', 'typed');
  await page.fill('#typed-queries', 'red report\nblue square');
  await page.click('#views-nav a[data-view="compare"]');
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await expect(page.locator('#compare-status')).toContainText(/Done in .*: 3 documents, 2 queries/, { timeout: 120_000 });
  await page.click('#views-nav a[data-view="maps"]');
  await page.selectOption('#maps-doc', 'report.pdf#page=1');
  const map = page.locator('#maps canvas').first();
  await expect(map).toHaveAttribute('data-doc', 'report.pdf#page=1', { timeout: 30_000 });
  // Every image token has its place on the page (10 views x 16); the 41 prompt tokens are chips under it.
  await expect(map).toHaveAttribute('data-placed', '160');
  await expect(page.locator('#maps .map-prompt').first()).toHaveAttribute('data-prompt', String(promptTokens(9)));
  await expect(page.locator('#maps .map-prompt').first()).toContainText('<row_3_col_3>');
  await expect(page.locator('#maps-status')).toContainText('160 image tokens and 41 prompt tokens');
  // The page's tiles are coloured: pixels inside the top-left tile's area differ from the bare page's.
  const probe = await map.evaluate((c: HTMLCanvasElement) => {
    const w = c.width * 0.7 - 3;
    const h = (w * 1024) / 768;
    const px = (x: number, y: number) => Array.from(c.getContext('2d')!.getImageData(Math.round(x), Math.round(y), 1, 1).data.slice(0, 3));
    return { ratio: c.height / c.width, mid: px(w * 0.5, h * 0.55) };
  });
  expect(probe.ratio).toBeGreaterThan(0.9);
  // Inside the red block, painted over with the similarity colours: not the block's own pure red.
  expect(probe.mid).not.toEqual([230, 13, 13]);
}

test('ColModernVBERT on WebGPU: a PDF page and two pictures are split as the processor splits them, compared on typed queries, drawn tile by tile, and read back from storage after a reload', async ({ page }) => {
  await loadColVision(page, 'auto');
  const status = page.locator('#model-status');
  await expect(status).toContainText('the local folder "tiny-colmodernvbert" on WEBGPU (fp32)');
  await expect(status).toContainText('one 128-dimensional vector per token (ColModernVBERT-class visual document model: 16 image tokens per 64 x 64 tile, tile setting 1-4');
  await expect(status).toContainText('Self-check passed');
  await expect(status).toContainText('Saliency: prompt-attention: the attention logits of /model/text_model/layers.1/attn/Softmax');
  const pdf = await pagePdf();
  await embedPagesAndCompare(page, pdf);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.screenshot({ path: 'test-results/screens/colvision-maps-1280.png' });
  await page.click('#views-nav a[data-view="teach"]');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await expect(page.locator('#teach-counter')).toContainText(/^Step 1 of \d+/, { timeout: 30_000 });
  await page.selectOption('#teach-method', 'agc');
  await page.getByRole('button', { name: 'Show steps' }).click();
  await expect(page.locator('#teach-step')).toContainText("cut into 4 x 4 image tokens per view: the whole picture and 9 tiles of it. The model gives every patch its own 128-dimensional vector, and the prompt's 41 text tokens", { timeout: 30_000 });
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.locator('#teach-step')).toContainText("how strongly the prompt's tokens after the picture");
  await page.screenshot({ path: 'test-results/screens/colvision-teach-1920.png' });

  // A reload: the same model folder, the same PDF: its page is read from the stored embeddings.
  await page.reload();
  await page.goto('/?view=data');
  await page.setInputFiles('#model-folder', MODEL);
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(status).toContainText('Self-check passed', { timeout: 90_000 });
  await page.setInputFiles('#files', [{ name: 'report.pdf', mimeType: 'application/pdf', buffer: pdf }]);
  await expect(page.locator('#embed-status')).toContainText('Done: 1 embedded (1 read from stored embeddings)', { timeout: 60_000 });
  await expect(page.locator('#embedded tbody tr[data-doc="report.pdf#page=1"] td').nth(2)).toHaveText('201 x 128');
  // Another tile setting is another document: embedded again, 2 x 2 tiles (longest edge 128).
  await page.fill('#pdf-tiles', '2');
  await page.setInputFiles('#files', [{ name: 'report.pdf', mimeType: 'application/pdf', buffer: pdf }]);
  await expect(page.locator('#embed-status')).toContainText('Done: 1 embedded', { timeout: 60_000 });
  await expect(page.locator('#embed-status')).not.toContainText('read from stored');
  await expect(page.locator('#embedded tbody tr[data-doc="report.pdf#page=1"] td').nth(2)).toHaveText(`${5 * 16 + promptTokens(4)} x 128`);
});

test('ColModernVBERT on WASM: pages at the processor\'s own tiling (4 x 3 + global for a portrait page) embed, a text file is refused by name, and the heat maps are the page\'s grid', async ({ page }) => {
  await loadColVision(page, 'wasm');
  await expect(page.locator('#model-status')).toContainText('on WASM (fp32)');
  // Two one-page PDFs at PDF tiles 4: each page 768 x 1024 px -> 192 x 256 -> 4 rows x 3 columns of tiles.
  await page.fill('#pdf-tiles', '4');
  await page.setInputFiles('#files', [
    { name: 'report.pdf', mimeType: 'application/pdf', buffer: await pagePdf() },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('red report and blue square') },
    { name: 'again.pdf', mimeType: 'application/pdf', buffer: await pagePdf() },
  ]);
  // The same page twice: the second is the first's stored embedding (keyed by content, page and settings).
  await expect(page.locator('#embed-status')).toContainText('Done: 2 embedded (1 read from stored embeddings), 1 skipped', { timeout: 90_000 });
  await expect(page.locator('#file-errors li')).toHaveText(['notes.txt: this is a visual document model (ColModernVBERT): it embeds pictures and PDF pages; load a text model (ColBERT) for .txt, .md and JSONL files']);
  const row = page.locator('#embedded tbody tr[data-doc="report.pdf#page=1"] td');
  await expect(row.nth(1)).toHaveText('13');
  await expect(row.nth(2)).toHaveText(`${13 * 16 + promptTokens(12)} x 128`);
  await page.fill('#query', 'red report');
  await page.getByRole('button', { name: /Search/ }).click();
  await expect(page.locator('#hits li')).toHaveCount(2);
  await page.selectOption('#query-source', 'typed');
  await page.fill('#typed-queries', 'red report\nblue square');
  await page.click('#views-nav a[data-view="compare"]');
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await expect(page.locator('#compare-status')).toContainText(/Done in .*: 2 documents, 2 queries/, { timeout: 120_000 });
  // The page's grid: 4 x 3 tiles of 4 x 4 image tokens, 16 x 12 cells, each tile's tokens in place.
  await expect(page.locator('#heatmaps svg[data-method="none"] rect.cell')).toHaveCount(16 * 12);
  await expect(page.locator('#heatmaps figure').first()).toContainText('the page, 4 x 3 tiles');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.locator('#heatmaps').screenshot({ path: 'test-results/screens/colvision-heatmaps-1920.png' });
});

test('ColModernVBERT from the Model menu: its Hub files through the configured host (FastEmbed layout, graph at model.onnx), then the demo scenes as pages with their captions as queries', async ({ page, context }) => {
  const requested: string[] = [];
  await context.route('https://hub.example.test/**', async (route) => {
    const url = new URL(route.request().url());
    requested.push(url.pathname);
    const m = /^\/Qdrant\/colmodernvbert\/resolve\/main\/(.+)$/.exec(url.pathname);
    let body: Buffer | undefined;
    try {
      body = m ? readFileSync(join(MODEL, m[1])) : undefined;
    } catch {
      body = undefined;
    }
    if (!body) return route.fulfill({ status: 404, headers: { 'Access-Control-Allow-Origin': '*' }, body: 'not found' });
    await route.fulfill({ status: 200, body, headers: { 'Access-Control-Allow-Origin': '*', 'Content-Length': String(body.length) } });
  });
  await page.goto('/?view=data');
  await page.selectOption('#model', 'colmodernvbert');
  await expect(page.locator('#model-note')).toContainText('The download is about 1 GB (fp32)');
  await page.getByText('Weights, host, local folder').click();
  await page.fill('#model-host', 'https://hub.example.test/');
  await page.selectOption('#device', 'wasm');
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.locator('#model-status')).toContainText(/Loaded|Could not load/, { timeout: 90_000 });
  await expect(page.locator('#model-status')).toContainText('Loaded ColModernVBERT (visual documents) on WASM (fp32)');
  expect(requested.sort()).toEqual(['config.json', 'model.onnx', 'preprocessor_config.json', 'processor_config.json', 'tokenizer.json', 'tokenizer_config.json'].map((f) => `/Qdrant/colmodernvbert/resolve/main/${f}`));

  // The demo's 24 scenes embed as pages (the global view alone at Image tiles 1), its captions are the queries.
  await page.click('#demo-scenes');
  await expect(page.locator('#embed-status')).toContainText('Done: 24 embedded', { timeout: 90_000 });
  await expect(page.locator('#embedded tbody tr').first().locator('td').nth(2)).toHaveText(`${16 + promptTokens(0)} x 128`);
  await page.click('#views-nav a[data-view="compare"]');
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await expect(page.locator('#compare-status')).toContainText(/Done in .*: 24 documents, 18 queries/, { timeout: 120_000 });
});
