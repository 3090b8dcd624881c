import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { decode as decodePng } from 'fast-png';
import { readSafetensors } from '../src/core/safetensors.ts';
import { failOnConsoleErrors } from './consoleErrors.ts';
import { injectedScriptRan, recordRequests, TRUSTED_TYPES_REFUSALS, trustedTypesRefusals } from './cspProbes.ts';

failOnConsoleErrors();

async function embedDemo(page: Page) {
  await page.goto('/?view=compare');
  await page.selectOption('#device', 'wasm');
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.locator('#model-status')).toContainText('Self-check passed', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Add 24 demo scenes' }).click();
  await expect(page.locator('#embed-status')).toContainText('Done: 24 embedded', { timeout: 60_000 });
  // Embedding re-runs the comparison by itself: wait for it, so what follows starts from a quiet page.
  await expect(page.locator('#compare-status')).toContainText('Done', { timeout: 120_000 });
}

const num = async (page: Page, sel: string, attr = 'data-y') => Number(await page.locator(sel).getAttribute(attr));

test('demo corpus: five methods compared, charts carry the table figures, exports agree', async ({ page }) => {
  await embedDemo(page);
  await page.fill('#compare-budgets', '4,8,16');
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page.locator('#compare-status')).toContainText('Done', { timeout: 120_000 });
  await expect(page.locator('#compare-status')).toContainText('24 documents');
  await expect(page.locator('#compare-status')).toContainText('Teaching model');

  // Quality against budget: one line per method, a point per budget, the uncompressed reference.
  const methods = ['agc', 'hpool', 'kmeans', 'uniform', 'random'];
  const budget = page.locator('#chart-budget g.series');
  await expect(budget).toHaveCount(5);
  for (const m of methods) await expect(page.locator(`#chart-budget g.series[data-series="${m}"] circle`)).toHaveCount(3);
  await expect(page.locator('#chart-budget g.reference')).toHaveCount(1);
  // Pareto view: fp32, fp16 and int8 per method, each measured, plus the uncompressed points.
  await expect(page.locator('#chart-bytes g.series')).toHaveCount(5 + 1); // one storage type at a time by default
  await page.selectOption('#bytes-storage', 'all');
  await expect(page.locator('#chart-bytes g.series')).toHaveCount(5 * 3 + 1);
  await expect(page.locator('#chart-bytes g.series[data-series="agc:fp16"] circle')).toHaveCount(3);
  await expect(page.locator('#chart-bytes g.series[data-series="none"] circle')).toHaveCount(3);
  await expect(page.locator('#chart-active g.series')).toHaveCount(6);
  await expect(page.locator('#heatmaps svg')).toHaveCount(6);
  await expect(page.locator('#heatmaps svg').first().locator('rect.cell')).toHaveCount(64);

  // The chart says what the table says (a row per method, budget and storage type).
  await expect(page.locator('#compare-table tbody tr')).toHaveCount((1 + 5 * 3) * 3);
  for (const m of methods) {
    for (const b of [4, 8, 16]) {
      const fromChart = await num(page, `#chart-budget g.series[data-series="${m}"] circle[data-key="m=${b}"]`);
      const fromTable = Number(await page.locator(`#compare-table tr[data-method="${m}"][data-budget="${b}"][data-storage="fp32"] td[data-column="ndcg@10"]`).textContent());
      expect(Math.abs(fromChart - fromTable)).toBeLessThan(1e-4);
      // The bytes chart's int8 point carries the int8 row's own figure.
      const int8Chart = await num(page, `#chart-bytes g.series[data-series="${m}:int8"] circle[data-key="m=${b} int8"]`);
      const int8Table = Number(await page.locator(`#compare-table tr[data-method="${m}"][data-budget="${b}"][data-storage="int8"] td[data-column="ndcg@10"]`).textContent());
      expect(Math.abs(int8Chart - int8Table)).toBeLessThan(1e-4);
    }
  }
  const full = Number(await page.locator('#compare-table tr[data-method="none"][data-storage="fp32"] td[data-column="ndcg@10"]').textContent());
  expect(full).toBeGreaterThan(0.6);
  expect(Math.abs((await num(page, '#chart-budget g.reference')) - full)).toBeLessThan(1e-4);
  // The budget finder: one line per method, each naming a budget run or saying none reached 95%.
  await expect(page.locator('#budget-finder')).toContainText('Smallest budget run that keeps 95% of the uncompressed ndcg@10');
  await expect(page.locator('#budget-finder li')).toHaveCount(5);
  for (const li of await page.locator('#budget-finder li').allTextContents()) expect(li).toMatch(/: (m = \d+ keeps \d+\.\d% \[.*\((\d+ bytes per document|no saving: every document is whole at that budget)\)|not within the budgets run)/);
  // Bytes per document: m x d x 4 for fp32, m x (d + 4) for int8.
  expect(await num(page, '#chart-bytes g.series[data-series="agc:fp32"] circle[data-key="m=8 fp32"]', 'data-x')).toBe(8 * 13 * 4);
  expect(await num(page, '#chart-bytes g.series[data-series="agc:int8"] circle[data-key="m=8 int8"]', 'data-x')).toBe(8 * (13 + 4));
  await page.screenshot({ path: 'test-results/screens/compare-demo.png', fullPage: true });

  // Exports: CSV and JSON parse and agree with the table; SVG is a standalone file with the series.
  const [csvDl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
  const csv = readFileSync((await csvDl.path())!, 'utf8').trim().split('\n').map((l) => l.split(','));
  const col = csv[0].indexOf('ndcg@10');
  const agc8 = csv.find((r) => r[0] === 'agc' && r[2] === '8')!;
  const agc8Table = Number(await page.locator('#compare-table tr[data-method="agc"][data-budget="8"][data-storage="fp32"] td[data-column="ndcg@10"]').textContent());
  expect(Math.abs(Number(agc8[col]) - agc8Table)).toBeLessThan(1e-4);
  const [jsonDl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download JSON' }).click()]);
  const json = JSON.parse(readFileSync((await jsonDl.path())!, 'utf8'));
  expect(json.rows).toHaveLength(16 * 3);
  expect(json.model).toBe('Teaching model (built in, offline)');
  expect(Math.abs(json.rows.find((r: { method: string; budget: number; storage: string }) => r.method === 'agc' && r.budget === 8 && r.storage === 'fp32').metrics['ndcg@10'] - agc8Table)).toBeLessThan(1e-4);
  const [svgDl] = await Promise.all([page.waitForEvent('download'), page.locator('button.export[data-chart="chart-budget"][data-format="svg"]').click()]);
  const svg = readFileSync((await svgDl.path())!, 'utf8');
  expect(svg).toMatch(/^<\?xml/);
  expect(svg.match(/class="series"/g)).toHaveLength(5);
  // PNG: a real image at twice the chart's size, not blank: the series' colours are in its pixels.
  const [pngDl] = await Promise.all([page.waitForEvent('download'), page.locator('button.export[data-chart="chart-budget"][data-format="png"]').click()]);
  const png = decodePng(readFileSync((await pngDl.path())!));
  const width = Number(await page.locator('#chart-budget').getAttribute('width'));
  const height = Number(await page.locator('#chart-budget').getAttribute('height'));
  expect([png.width, png.height]).toEqual([width * 2, height * 2]);
  const colours = new Set<string>();
  for (let i = 0; i < png.width * png.height; i++) colours.add(Array.from(png.data.subarray(i * png.channels, i * png.channels + 3)).join(','));
  // The method colours (d3's category10): AGC green, H-Pool orange, Random pink, as drawn.
  for (const rgb of ['44,160,44', '255,127,14', '227,119,194']) expect(colours.has(rgb), `colour ${rgb} in the PNG`).toBe(true);

  // Sorting the table by a column.
  await page.locator('#compare-table th', { hasText: /^ndcg@10$/ }).click();
  await page.locator('#compare-table th', { hasText: /^ndcg@10$/ }).click();
  const sorted = await page.locator('#compare-table td[data-column="ndcg@10"]').allTextContents();
  expect(sorted.map(Number)).toEqual([...sorted.map(Number)].sort((a, b) => b - a));
});

test('typed queries without judgments: fidelity to the uncompressed index is shown instead', async ({ page }) => {
  await embedDemo(page);
  await page.selectOption('#query-source', 'typed');
  await page.fill('#typed-queries', 'red top left\nblue bottom right\nzebra giraffe');
  await page.fill('#compare-budgets', '4,16');
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page.locator('#compare-status')).toContainText('Done', { timeout: 120_000 });
  await expect(page.locator('#compare-status')).toContainText('1 queries skipped (no word the model knows): zebra giraffe');
  await expect(page.locator('#compare-metric')).toHaveValue('overlap@10');
  expect(await num(page, '#chart-budget g.reference')).toBe(1);
  const agc16 = await num(page, '#chart-budget g.series[data-series="agc"] circle[data-key="m=16"]');
  expect(agc16).toBeGreaterThan(0);
  expect(agc16).toBeLessThanOrEqual(1);
});

test('a bad queries file is reported with its line, and nothing runs', async ({ page }) => {
  await embedDemo(page);
  await page.selectOption('#query-source', 'file');
  await page.setInputFiles('#queries-file', { name: 'q.csv', mimeType: 'text/csv', buffer: Buffer.from('query,document,grade\nred top left,scene-000.png,1\nblue,scene-001.png,lots\n') });
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page.locator('#compare-status')).toHaveText('q.csv, line 3: grade "lots" is not a number >= 0');
  await expect(page.locator('#compare-status')).toHaveClass(/error/);
});

test('the URL carries the comparison: opening a copied link replays it to identical figures, controls=0 hides the settings', async ({ page, browser }) => {
  await embedDemo(page);
  await page.fill('#compare-budgets', '4,16');
  await page.locator('#compare-methods input[value="kmeans"]').uncheck();
  await page.locator('#compare-methods input[value="top-saliency"]').check();
  await page.fill('#compare-specs', 'hpool:protectFirst=true');
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page.locator('#compare-status')).toContainText('Done', { timeout: 120_000 });
  await page.selectOption('#compare-metric', 'recall@5');
  const url = page.url();
  expect(url).toContain('corpus=demo');
  expect(url).toContain('metric=recall%405');
  expect(url).toContain('run=1');
  const figures = async (p: typeof page) =>
    p.locator('#chart-budget circle').evaluateAll((cs) => cs.map((c) => `${c.closest('g.series')!.getAttribute('data-series')} ${c.getAttribute('data-key')} ${c.getAttribute('data-y')}`));
  const before = await figures(page);
  expect(before).toHaveLength(6 * 2);
  expect(before.some((f) => f.startsWith('hpool:protectFirst=true m=4'))).toBe(true);

  const other = await browser.newPage();
  await other.goto(url);
  await expect(other.locator('#compare-status')).toContainText('Done', { timeout: 120_000 });
  await expect(other.locator('#compare-metric')).toHaveValue('recall@5');
  await expect(other.locator('#compare-methods input[value="kmeans"]')).not.toBeChecked();
  await expect(other.locator('#compare-specs')).toHaveValue('hpool:protectFirst=true');
  expect(await figures(other)).toEqual(before);

  await other.goto(`${url}&controls=0`);
  await expect(other.locator('#compare-status')).toContainText('Done', { timeout: 120_000 });
  await expect(other.locator('#compare-form')).toBeHidden();
  await expect(other.locator('#model-form')).toBeHidden();
  await expect(other.locator('#chart-budget')).toBeVisible();
  await other.screenshot({ path: 'test-results/screens/teacher-link.png', fullPage: true });
  await other.goto('/?methods=agc;nonsense');
  await expect(other.locator('#url-error')).toContainText("This link's settings are not valid");
  await other.close();
});

test('no request leaves the origin: the page is served with a CSP, and a first visit (model, scenes, comparison) stays on this site', async ({ page }) => {
  const requests = recordRequests(page);
  const response = await page.goto('/');
  const csp = (await response!.allHeaders())['content-security-policy'];
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain('connect-src');
  await expect(page.locator('#compare-status')).toContainText('Done', { timeout: 120_000 });
  expect(requests.foreign()).toEqual([]);
  expect(requests.all.some((u) => u.includes('/models/teaching-clip/onnx/vision_model.onnx'))).toBe(true);
  // The CSP really blocks other hosts and injected inline script.
  const blocked = await page.evaluate(() => fetch('https://example.com/x').then(() => 'loaded', (e) => String(e)));
  expect(blocked).toContain('Failed to fetch');
  expect(await injectedScriptRan(page)).toBe(false);
  expect(await trustedTypesRefusals(page)).toEqual(TRUSTED_TYPES_REFUSALS);
  // The same policy also travels inside the page, for a copy of dist/ on a host that sends no headers.
  const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(meta).toBe(csp);
});

test('teaching view: AGC and H-Pool step by step on a picture, and a link opens the same step without controls', async ({ page, browser }) => {
  await embedDemo(page);
  await page.click('#views-nav a[data-view="teach"]');
  await page.selectOption('#teach-doc', 'scene-002.png');
  await page.selectOption('#teach-method', 'agc');
  await page.fill('#teach-m', '6');
  await page.getByRole('button', { name: 'Show steps' }).click();
  await expect(page.locator('#teach-counter')).toHaveText('Step 1 of 5');
  await expect(page.locator('#teach-step')).toContainText('8 x 8 patches');
  const texts: string[] = [];
  for (let i = 0; i < 5; i++) {
    texts.push((await page.locator('#teach-step').textContent())!);
    await page.locator('.teach-stage').screenshot({ path: `test-results/screens/teach-agc-${i + 1}.png` });
    if (i < 4) await page.getByRole('button', { name: 'Next' }).click();
  }
  expect(texts[2]).toContain('the 6 most salient patches');
  expect(texts[4]).toContain('keeps 6 vectors instead of 64');
  await expect(page.getByRole('button', { name: 'Next' })).toBeDisabled();
  await page.getByRole('button', { name: 'Back' }).click();
  await expect(page.locator('#teach-counter')).toHaveText('Step 4 of 5');
  expect(page.url()).toContain('tdoc=scene-002.png');
  expect(page.url()).toContain('tstep=4'); // as the counter reads: Step 4
  const url = page.url();

  await page.selectOption('#teach-method', 'hpool');
  await page.getByRole('button', { name: 'Show steps' }).click();
  // 64 -> 32 -> 16 -> 8 -> 6: the picture, then four cuts of Ward's tree.
  await expect(page.locator('#teach-counter')).toHaveText('Step 1 of 5');
  await page.getByRole('button', { name: 'Autoplay' }).click();
  await expect(page.locator('#teach-counter')).toHaveText('Step 5 of 5', { timeout: 15_000 });
  await expect(page.locator('#teach-step')).toContainText('down to 6 clusters');
  await page.locator('.teach-stage').screenshot({ path: 'test-results/screens/teach-hpool-last.png' });

  const slide = await browser.newPage();
  await slide.goto(`${url}&controls=0`);
  await expect(slide.locator('#teach-counter')).toHaveText('Step 4 of 5', { timeout: 120_000 });
  await expect(slide.locator('#teach-canvas')).toHaveAttribute('data-doc', 'scene-002.png');
  await expect(slide.locator('#teach-form')).toBeHidden();
  await slide.close();
});

test('side by side: uncompressed and AGC at m = 4, each in its own worker, with winners marked and top results', async ({ page }) => {
  await embedDemo(page);
  const workersBefore = page.workers().length;
  await page.click('#views-nav a[data-view="side"]');
  // Opening the view shows both sides at once, at the slider's budget.
  await expect(page.locator('#side-status')).toContainText('is a demo caption', { timeout: 60_000 });
  await page.fill('#side-query', 'red shape at the top left');
  await page.fill('#side-m', '4');
  await page.getByRole('button', { name: 'Show side by side' }).click();
  await expect(page.locator('#side-status')).toContainText('is a demo caption', { timeout: 60_000 });
  expect(page.workers().length).toBe(workersBefore + 2);
  const left = page.locator('#side-panel .side[data-side="0"]');
  const right = page.locator('#side-panel .side[data-side="1"]');
  await expect(left).toHaveAttribute('data-method', 'none');
  await expect(right).toHaveAttribute('data-method', 'agc');
  await expect(left.locator('.side-summary')).toContainText('(uncompressed)');
  await expect(right.locator('.side-summary')).toContainText('m = 4');
  await expect(right.locator('.side-summary')).toContainText('4 stored vectors');
  await expect(left.locator('.side-top li')).toHaveCount(5);
  await expect(left.locator('.side-top li').first()).toHaveClass(/relevant/);
  // One winner per query token (red, top, left).
  expect((await right.locator('canvas').getAttribute('data-winners'))!.split(',')).toHaveLength(3);
  // Options come from the registry: AGC's ablation switch changes the right panel's method.
  await right.locator('select[data-key="weighting"]').selectOption('mean');
  await page.getByRole('button', { name: 'Show side by side' }).click();
  await expect(right).toHaveAttribute('data-method', 'agc-mean', { timeout: 30_000 });
  await page.locator('#side-panel').screenshot({ path: 'test-results/screens/side-by-side.png' });
});

test('chart rendering is stable: SVG snapshots of the demo comparison (fixed seed, WASM)', async ({ page }) => {
  await embedDemo(page);
  await page.fill('#compare-budgets', '4,8,16');
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page.locator('#compare-status')).toContainText('Done', { timeout: 120_000 });
  for (const id of ['chart-budget', 'chart-bytes', 'chart-active', 'chart-evenness']) {
    const svg = await page.locator(`#${id}`).evaluate((el) => new XMLSerializer().serializeToString(el));
    expect(svg).toMatchSnapshot(`${id}.svg`);
  }
});

test('demo clips: animated shapes embed as 24-frame videos and join the comparison with their relevance', async ({ page }) => {
  await embedDemo(page);
  await page.getByRole('button', { name: 'Add 6 demo clips' }).click();
  await expect(page.locator('#embed-status')).toContainText('Done: 6 embedded', { timeout: 120_000 });
  const clip = page.locator('#embedded tbody tr[data-doc="clip-00"]');
  await expect(clip.locator('td').nth(1)).toHaveText('24');
  await expect(clip.locator('td').nth(2)).toHaveText('1536 x 13');
  await page.fill('#compare-budgets', '8,32');
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page.locator('#compare-status')).toContainText('Done', { timeout: 120_000 });
  await expect(page.locator('#compare-status')).toContainText('30 documents');
  // Frame-level utilisation exists for the videos: heat maps still cover the grid.
  await expect(page.locator('#heatmaps svg').first().locator('rect.cell')).toHaveCount(64);
  await expect(page.locator('#heatmaps svg[id^="frames-"]')).toHaveCount(6);
  await expect(page.locator('#frames-agc rect.cell')).toHaveCount(24);
  await page.screenshot({ path: 'test-results/screens/compare-with-clips.png', fullPage: true });
  // The per-query view shows a video as a grid of its frames.
  await page.click('#views-nav a[data-view="side"]');
  await page.selectOption('#side-doc', 'clip-00');
  await page.fill('#side-query', 'yellow shape at the bottom right');
  await page.getByRole('button', { name: 'Show side by side' }).click();
  await expect(page.locator('#side-panel .side[data-side="1"] canvas')).toHaveAttribute('data-doc', 'clip-00', { timeout: 30_000 });
  await expect(page.locator('#side-panel .side[data-side="1"] .side-summary')).toContainText('clip-00 ranks #');
  await page.locator('#side-panel').screenshot({ path: 'test-results/screens/side-by-side-clip.png' });
  // Similarity maps of a video: every frame's patches, uncompressed beside AGC at the slider's budget.
  await page.click('#views-nav a[data-view="maps"]');
  await page.selectOption('#maps-query', 'red shape at the top left');
  await page.selectOption('#maps-doc', 'clip-00');
  await expect(page.locator('#maps canvas')).toHaveCount(2, { timeout: 30_000 });
  await expect(page.locator('#maps canvas').first()).toHaveAttribute('data-doc', 'clip-00');
  await expect(page.locator('#maps canvas').nth(1)).toHaveAttribute('data-title', 'AGC, m = 8');
  await expect(page.locator('#maps canvas').nth(1)).toHaveAttribute('data-stored', '8');
  await expect(page.locator('#maps canvas').first()).toHaveAttribute('data-stored', '1536');
  await page.locator('#maps-tokens button[data-token="0"]').hover();
  await expect(page.locator('#maps canvas').first()).toHaveAttribute('data-token', '0');
  await page.locator('#maps-panel').screenshot({ path: 'test-results/screens/maps-clip.png' });
});

test('MUVERA runs after the comparison: its exhaustive stage is the table\'s uncompressed row, C = all documents re-ranks to it, bad settings are named', async ({ page }) => {
  await embedDemo(page);
  const rows = page.locator('#muvera-table tbody tr');
  // Defaults: C = 5%, 10% and 25% of 24 documents = 2, 3 and 6.
  await expect(rows).toHaveCount(5);
  await expect(page.locator('#muvera-table tbody tr[data-stage="rerank-6"]')).toHaveCount(1);
  // d = 13 (the teaching model), no projection: 10 x 2^4 x 13 = 2080 values per document.
  await expect(page.locator('#muvera-status')).toContainText('k_sim = 4, 10 repetitions, d_proj = 13: 2,080 values per document (8.1 KiB in fp32');
  const cell = async (stage: string, column: string) => (await page.locator(`#muvera-table tr[data-stage="${stage}"] td[data-column="${column}"]`).textContent())!;
  // Exhaustive MaxSim here and the comparison's uncompressed fp32 row are computed by different code.
  for (const metric of ['recall@10', 'ndcg@10']) {
    const table = Number(await page.locator(`#compare-table tr[data-method="none"][data-storage="fp32"] td[data-column="${metric}"]`).textContent());
    expect(Math.abs(Number(await cell('exhaustive', metric)) - table)).toBeLessThan(1e-4);
  }

  // Every document re-ranked is exhaustive search: the same top 10, the same figures.
  await page.fill('#muvera-candidates', '3, 100');
  await page.fill('#muvera-reps', '4');
  await page.getByRole('button', { name: 'Run MUVERA' }).click();
  await expect(page.locator('#muvera-status')).toContainText('C above the 24 documents is 24');
  await expect(page.locator('#muvera-status')).toContainText('4 repetitions, d_proj = 13: 832 values per document');
  await expect(rows).toHaveCount(4);
  expect(await cell('rerank-24', 'kept')).toBe('100.0%');
  expect(await cell('rerank-24', 'ndcg@10')).toBe(await cell('exhaustive', 'ndcg@10'));
  // A re-ranked pool can only gain on the first stage's own top 10 where it holds more documents.
  const kept3 = parseFloat(await cell('rerank-3', 'kept'));
  expect(kept3).toBeLessThanOrEqual(100 * 3 / 10 + 1e-9);
  await page.locator('#muvera-form').screenshot({ path: 'test-results/screens/muvera.png' });
  // Exported with the index: one encoding per document with these settings, and an fde vector per Qdrant point.
  await page.check('#export-muvera');
  const [dl] = await Promise.all([page.waitForEvent('download', { predicate: (d) => d.suggestedFilename().endsWith('.safetensors') }), page.getByRole('button', { name: /Export safetensors/ }).click()]);
  const t = readSafetensors(new Uint8Array(readFileSync((await dl.path())!))).tensors;
  expect(t.get('doc_fde')!.shape).toEqual([24, 832]);
  expect(t.get('muvera_hyperplanes')!.shape).toEqual([4, 4, 13]);

  // Settings that would not fit are refused with the figure, and nothing is shown as a result.
  await page.fill('#muvera-ksim', '10');
  await page.fill('#muvera-reps', '64');
  await page.fill('#muvera-dproj', '4096');
  await page.getByRole('button', { name: 'Run MUVERA' }).click();
  await expect(page.locator('#muvera-status.error')).toContainText('these settings need 24576 MiB of encodings (24 documents x 64 x 2^10 x 4096 values x 4 bytes)');
  await expect(rows).toHaveCount(0);
  await page.fill('#muvera-ksim', '0');
  await page.getByRole('button', { name: 'Run MUVERA' }).click();
  await expect(page.locator('#muvera-status.error')).toHaveText('k_sim must be a whole number from 1 to 10, got "0"');
});

test('a long comparison shows its rows on the charts as their cells finish, and ends with every row', async ({ page }) => {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { partials: string[] }).partials = seen;
    new MutationObserver(() => {
      const caption = document.querySelector('#compare-table caption')?.textContent ?? '';
      if (caption.startsWith('Results so far') && seen.at(-1) !== caption) seen.push(`${caption} | ${document.querySelectorAll('#chart-budget g.series').length}`);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  const budgets = '2,3,4,5,6,7,8,9,10,11,12,14,16,20,24,28,32,40,48';
  await page.goto(`/?corpus=demo&run=1&device=wasm&gthreads=1&storage=fp32,fp16,int8,binary&budgets=${budgets}&methods=none;agc;hpool;hpool-paper;kmeans;uniform;random`);
  await expect(page.locator('#compare-status')).toContainText('Done in', { timeout: 120_000 });
  const partials = await page.evaluate(() => (window as unknown as { partials: string[] }).partials);
  // At least one partial grid was drawn before the end, with its charts.
  expect(partials.length).toBeGreaterThan(0);
  expect(partials[0]).toMatch(/^Results so far: \d+ of 115 cells/);
  await expect(page.locator('#compare-table caption')).not.toContainText('so far');
  await expect(page.locator('#compare-table tbody tr')).toHaveCount((1 + 6 * 19) * 4);
});
