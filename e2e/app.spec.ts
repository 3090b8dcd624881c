/**
 * The playground as a user meets it: a first visit runs the demo comparison with no click, every
 * view fits 1280 x 720 and 1920 x 1080 without horizontal overflow (screenshots kept), the
 * budget slider and the legend re-render every chart without re-running, each view has its own
 * URL, files dropped anywhere re-run the comparison, the similarity maps explain a match, and
 * axe finds no serious or critical violation on any view.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { encodePng } from '../src/demo/png.ts';
import { demoCorpus, renderScene } from '../src/demo/scenes.ts';
import { failOnConsoleErrors } from './consoleErrors.ts';

failOnConsoleErrors();

const VIEWS = ['compare', 'side', 'maps', 'teach', 'data', 'synthetic'];

async function firstVisit(page: Page) {
  await page.goto('/');
  await expect(page.locator('#compare-status')).toContainText('Done', { timeout: 120_000 });
}

test('a first visit shows the demo comparison with no click, says what it is, and fits the screen in every view', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await firstVisit(page);
  await expect(page.locator('#model-status')).toContainText('Loaded Teaching model (built in, offline) on WASM');
  await expect(page.locator('#compare-status')).toContainText('24 documents, 18 queries');
  await expect(page.locator('#chart-budget g.series')).toHaveCount(5);
  await expect(page.locator('#welcome')).toBeVisible();
  await expect(page.locator('#welcome')).toContainText('built-in teaching model');
  expect(page.url()).toContain('corpus=demo');
  expect(page.url()).toContain('run=1');
  for (const size of [{ width: 1280, height: 720 }, { width: 1920, height: 1080 }]) {
    await page.setViewportSize(size);
    for (const view of VIEWS) {
      await page.click(`#views-nav a[data-view="${view}"]`);
      await expect(page.locator(`main > .view[data-view="${view}"]`)).toBeVisible();
      await page.waitForTimeout(150); // a resize re-lays the charts on the next frame
      const widths = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        main: document.querySelector('main')!.scrollWidth - document.querySelector('main')!.clientWidth,
        rail: document.querySelector('.rail')!.scrollWidth - document.querySelector('.rail')!.clientWidth,
      }));
      expect(widths, `${view} at ${size.width} x ${size.height}`).toEqual({ page: 0, main: 0, rail: 0 });
      await page.screenshot({ path: `test-results/screens/view-${view}-${size.width}x${size.height}.png` });
    }
  }
  // The results table scrolls inside its own container, not the page.
  await page.click('#views-nav a[data-view="compare"]');
  const table = await page.locator('#compare-table-wrap').evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, overflow: getComputedStyle(el).overflowX }));
  expect(table.overflow).toBe('auto');
});

test('the budget slider moves every chart, the maps and the table without re-running anything', async ({ page }) => {
  await firstVisit(page);
  const status = await page.locator('#compare-status').textContent();
  const workers = page.workers().length;
  await expect(page.locator('#budget-value')).toHaveText('m = 16');
  await expect(page.locator('#chart-budget circle.focus')).toHaveCount(5);
  const slider = page.locator('#budget-slider');
  await slider.focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('#budget-value')).toHaveText('m = 32');
  // Every chart highlights m = 32: the rule and points on the budget chart, the bytes and evenness
  // points, the bars and heat maps (titled with the budget), the table rows.
  await expect(page.locator('#chart-budget g.focus-rule')).toHaveAttribute('data-x', '32');
  for (const key of await page.locator('#chart-budget circle.focus').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-key')))) expect(key).toBe('m=32');
  for (const key of await page.locator('#chart-bytes circle.focus').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-key')))) expect(key).toMatch(/^m=32 /);
  await expect(page.locator('#chart-evenness circle.focus')).toHaveCount(5);
  await expect(page.locator('#chart-active text.title')).toHaveText('Stored vectors that ever win a MaxSim match (m = 32)');
  await expect(page.locator('#heatmaps svg[data-method="agc"] text.title')).toHaveText('AGC, m = 32');
  const focusRows = await page.locator('#compare-table tbody tr.focus').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-budget')));
  expect(focusRows.length).toBe(5 * 3);
  expect(new Set(focusRows)).toEqual(new Set(['32']));
  // The bar chart's values are the table's active fractions at m = 32.
  const agcActive = Number(await page.locator('#chart-active g.series[data-series="agc"] rect').getAttribute('data-y'));
  const agcTable = Number(await page.locator('#compare-table tr[data-method="agc"][data-budget="32"][data-storage="fp32"] td[data-column="active_fraction"]').textContent());
  expect(Math.abs(agcActive - agcTable)).toBeLessThan(1e-4);
  expect(page.url()).toContain('m=32');
  // Nothing ran again: the same status line, no new worker.
  await expect(page.locator('#compare-status')).toHaveText(status!);
  expect(page.workers().length).toBe(workers);
  // The maps use the slider's budget.
  await page.click('#views-nav a[data-view="maps"]');
  await expect(page.locator('#maps canvas')).toHaveCount(2, { timeout: 30_000 });
  await expect(page.locator('#maps canvas').nth(1)).toHaveAttribute('data-title', 'AGC, m = 32');
});

test('legend toggles hide a method on every chart and the table marks it; the URL keeps it', async ({ page }) => {
  await firstVisit(page);
  const uniform = page.locator('#legend button[data-method="uniform"]');
  await expect(uniform).toHaveAttribute('aria-pressed', 'true');
  await uniform.click();
  await expect(uniform).toHaveAttribute('aria-pressed', 'false');
  await expect(page.locator('#chart-budget g.series')).toHaveCount(4);
  await expect(page.locator('#chart-budget g.series[data-series="uniform"]')).toHaveCount(0);
  await expect(page.locator('#chart-active g.series[data-series="uniform"]')).toHaveCount(0);
  await expect(page.locator('#heatmaps svg[data-method="uniform"]')).toHaveCount(0);
  await expect(page.locator('#compare-table tr.hidden-method[data-method="uniform"]')).toHaveCount(5 * 3);
  expect(page.url()).toContain('hide=uniform');
  await page.keyboard.press('Enter'); // the toggle keeps the focus: Enter shows it again
  await expect(page.locator('#chart-budget g.series')).toHaveCount(5);
});

test('each view has its own URL, and opening it restores the view and its settings', async ({ page }) => {
  await firstVisit(page);
  await page.click('#views-nav a[data-view="maps"]');
  await expect(page.locator('#maps canvas')).toHaveCount(2, { timeout: 30_000 });
  await page.selectOption('#maps-query', 'green shape at the top right');
  await expect(page.locator('#maps canvas').first()).toHaveAttribute('data-doc', /scene-/, { timeout: 30_000 });
  const doc = await page.locator('#maps-doc').inputValue();
  await page.locator('#budget-slider').evaluate((el: HTMLInputElement) => {
    el.value = '0';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  const url = page.url();
  expect(url).toContain('view=maps');
  expect(url).toContain('mq=green+shape+at+the+top+right');
  const other = await page.context().newPage();
  await other.goto(url);
  await expect(other.locator('#maps-panel')).toBeVisible();
  await expect(other.locator('#compare-view')).toBeHidden();
  await expect(other.locator('#maps canvas')).toHaveCount(2, { timeout: 120_000 });
  await expect(other.locator('#maps-query')).toHaveValue('green shape at the top right');
  await expect(other.locator('#maps-doc')).toHaveValue(doc);
  await expect(other.locator('#maps canvas').nth(1)).toHaveAttribute('data-title', 'AGC, m = 4');
  await other.close();
});

test('a link straight to the maps (?view=maps&corpus=demo&run=1) opens them with no error (it threw "Cannot access \'h\' before initialization")', async ({ page }) => {
  // failOnConsoleErrors fails the test on any page error, the old one included.
  await page.goto('/?view=maps&corpus=demo&run=1');
  await expect(page.locator('#maps canvas')).toHaveCount(2, { timeout: 120_000 });
  await expect(page.locator('#maps-status')).not.toContainText('Could not draw');
});

test('maps keep their document across queries, carry their method in the URL, and clear on an error; a hover read-out is cleared with its chart', async ({ page }) => {
  await firstVisit(page);
  // The read-out of a hovered point belongs to the chart as drawn: another metric clears it.
  await page.locator('#chart-budget circle').first().dispatchEvent('pointerover');
  await expect(page.locator('#charts .readout').first()).not.toHaveText('');
  await page.selectOption('#compare-metric', 'recall@1');
  await expect(page.locator('#charts .readout').first()).toHaveText('');

  await page.click('#views-nav a[data-view="maps"]');
  await expect(page.locator('#maps canvas')).toHaveCount(2, { timeout: 30_000 });
  await page.selectOption('#maps-doc', 'scene-005.png');
  await expect(page.locator('#maps canvas').first()).toHaveAttribute('data-doc', 'scene-005.png', { timeout: 30_000 });
  // Another query: the same document (it used to jump back to the first scene).
  await page.selectOption('#maps-query', 'green shape at the top right');
  await expect(page.locator('#maps-status')).toContainText('"green shape at the top right"', { timeout: 30_000 });
  await expect(page.locator('#maps-doc')).toHaveValue('scene-005.png');
  await expect(page.locator('#maps canvas').first()).toHaveAttribute('data-doc', 'scene-005.png');
  // The method pair is in the link.
  await page.selectOption('#maps-method', 'hpool');
  await expect(page.locator('#maps canvas').nth(1)).toHaveAttribute('data-title', /^H-Pool/, { timeout: 30_000 });
  expect(page.url()).toContain('mm=hpool');
  // A query the model has no vector for: the error, and no maps of the previous query under it.
  await page.evaluate(() => {
    const t = document.getElementById('typed-queries') as HTMLTextAreaElement;
    t.value = 'zebra giraffe';
    t.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await page.evaluate(() => {
    const s = document.getElementById('maps-query') as HTMLSelectElement;
    s.add(new Option('zebra giraffe', 'zebra giraffe'));
    s.value = 'zebra giraffe';
    s.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await expect(page.locator('#maps-status')).toContainText('Could not draw the maps', { timeout: 30_000 });
  await expect(page.locator('#maps canvas')).toHaveCount(0);
});

test('a demo link without device= runs on WASM, as a first visit does (it spent 15-17 s on software WebGPU)', async ({ page }) => {
  await page.goto('/?corpus=demo&run=1&present=1&view=teach');
  await expect(page.locator('#model-status span[data-device]')).toHaveAttribute('data-device', 'wasm', { timeout: 120_000 });
  await page.goto('/?corpus=demo&run=1&device=webgpu');
  await expect(page.locator('#model-status span[data-device]')).toHaveAttribute('data-device', 'webgpu', { timeout: 120_000 });
});

test('the welcome banner shows once on a first visit and never blinks out while the demo loads (it went for 0.4 s)', async ({ page }) => {
  await page.addInitScript(() => {
    const seen: boolean[] = [];
    (window as unknown as { bannerHidden: boolean[] }).bannerHidden = seen;
    document.addEventListener('DOMContentLoaded', () => {
      const banner = document.getElementById('welcome')!;
      seen.push(banner.hidden);
      new MutationObserver(() => seen[seen.length - 1] !== banner.hidden && seen.push(banner.hidden)).observe(banner, { attributes: true, attributeFilter: ['hidden'] });
    });
  });
  await firstVisit(page);
  await page.waitForTimeout(500);
  // Shown by the page's first render (its module runs before DOMContentLoaded), and never hidden again.
  expect(await page.evaluate(() => (window as unknown as { bannerHidden: boolean[] }).bannerHidden)).toEqual([false]);
});

test('the quality axis can fit the methods shown (it stayed 0-1 when they sat in 0.85-0.91), and the address keeps it', async ({ page }) => {
  await firstVisit(page);
  const ticks = async () => (await page.locator('#chart-budget .y-axis .tick text').allTextContents()).map(Number);
  expect(Math.min(...(await ticks()))).toBe(0);
  expect(Math.max(...(await ticks()))).toBe(1);
  // Only the uncompressed index and AGC drawn, then the axis fitted to them.
  for (const m of ['hpool', 'kmeans', 'uniform', 'random']) await page.locator(`#legend button[data-method="${m}"]`).click();
  await page.selectOption('#y-axis', 'fit');
  await expect.poll(async () => Math.min(...(await ticks()))).toBeGreaterThan(0);
  // Every drawn point is inside the fitted plot (between its top and the x axis).
  const height = Number(/translate\(0,([\d.]+)\)/.exec((await page.locator('#chart-budget .x-axis').getAttribute('transform'))!)![1]);
  const ys = await page.locator('#chart-budget circle[data-y]').evaluateAll((cs) => cs.map((c) => Number(c.getAttribute('cy'))));
  expect(ys.length).toBeGreaterThan(0);
  for (const cy of ys) expect(cy).toBeGreaterThanOrEqual(0), expect(cy).toBeLessThanOrEqual(height);
  expect(page.url()).toContain('yaxis=fit');
  await page.selectOption('#y-axis', 'full');
  await expect.poll(async () => Math.min(...(await ticks()))).toBe(0);
});

test('Side by side and Teach open showing something, at the slider\'s budget (they opened as blank boxes, Teach at m = 8)', async ({ page }) => {
  await firstVisit(page);
  await page.locator('#budget-slider').fill('3'); // the fourth budget: m = 32
  await expect(page.locator('#budget-value')).toHaveText('m = 32');
  await page.click('#views-nav a[data-view="side"]');
  await expect(page.locator('#side-status')).toContainText('Query "red shape at the top left"', { timeout: 30_000 });
  await expect(page.locator('.side[data-side="1"] canvas')).toHaveAttribute('data-doc', /scene-\d+\.png/);
  await expect(page.locator('.side[data-side="1"] .side-summary')).toContainText('m = 32');
  await page.click('#views-nav a[data-view="teach"]');
  await expect(page.locator('#teach-counter')).toContainText(/^Step 1 of \d+/, { timeout: 30_000 });
  await expect(page.locator('#teach-canvas')).toHaveAttribute('data-m', '32');
  await expect(page.locator('#teach-canvas')).toHaveAttribute('data-doc', 'scene-000.png');
});

test('Teach: picking another document shows its steps at once (the old picture stayed up)', async ({ page }) => {
  await firstVisit(page);
  await page.click('#views-nav a[data-view="teach"]');
  await page.selectOption('#teach-doc', 'scene-002.png');
  await page.selectOption('#teach-method', 'agc');
  await page.getByRole('button', { name: 'Show steps' }).click();
  await expect(page.locator('#teach-canvas')).toHaveAttribute('data-doc', 'scene-002.png', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Next' }).click();
  await page.selectOption('#teach-doc', 'scene-003.png');
  await expect(page.locator('#teach-canvas')).toHaveAttribute('data-doc', 'scene-003.png', { timeout: 30_000 });
  await expect(page.locator('#teach-counter')).toHaveText('Step 1 of 5');
});

test('the top bar shows every view at 1024 px, and present mode has none', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 720 });
  await page.goto('/?view=data');
  const nav = page.locator('#views-nav');
  await expect(nav.locator('a')).toHaveCount(6);
  // Nothing of the views is scrolled out of sight: the title gives way instead.
  expect(await nav.evaluate((n) => n.scrollWidth - n.clientWidth)).toBeLessThanOrEqual(0);
  for (const a of await nav.locator('a').all()) {
    const [box, navBox] = [await a.boundingBox(), await nav.boundingBox()];
    expect(box!.x + box!.width).toBeLessThanOrEqual(navBox!.x + navBox!.width + 1);
  }
  await page.screenshot({ path: 'test-results/screens/topbar-1024.png' });
  await page.goto('/?view=teach&present=1');
  await expect(page.locator('.topbar')).toBeHidden();
});

test('the Data view shows the embedded table whole at 1280 x 720 (it was cut at the Saliency column)', async ({ page }) => {
  await firstVisit(page);
  await page.click('#views-nav a[data-view="data"]');
  await expect(page.locator('#embedded tbody tr')).toHaveCount(24);
  expect(await page.locator('#embedded-wrap').evaluate((w) => w.scrollWidth - w.clientWidth)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: 'test-results/screens/data-1280.png' });
});

test('similarity maps of an image: a token map per query token, uncompressed beside the compressed index', async ({ page }) => {
  await firstVisit(page);
  await page.click('#views-nav a[data-view="maps"]');
  await page.selectOption('#maps-query', 'red shape at the top left');
  const first = page.locator('#maps canvas').first();
  await expect(first).toHaveAttribute('data-token', '-1', { timeout: 30_000 });
  const tokens = page.locator('#maps-tokens button');
  // "Whole query" and one button per query token, named by the tokenizer.
  expect(await tokens.count()).toBeGreaterThan(2);
  await expect(tokens.nth(1)).toHaveText('red');
  await tokens.nth(1).hover();
  await expect(first).toHaveAttribute('data-token', '0');
  // The uncompressed winner of "red" is one patch; its score is that token's MaxSim contribution.
  const winners = (await first.getAttribute('data-winners'))!.split(',');
  expect(winners).toHaveLength(1);
  expect(Number(await first.getAttribute('data-score'))).toBeGreaterThan(0);
  await page.locator('#maps-panel').screenshot({ path: 'test-results/screens/maps-image.png' });
});

test('files dropped anywhere on the page are embedded as a corpus of their own and the comparison re-runs on them', async ({ page }) => {
  await firstVisit(page);
  // Six scenes of the demo under other names: not the demo corpus, so no captions: typed queries, fidelity.
  const scenes = demoCorpus(6, 5).scenes.map((s, i) => ({ name: `mine-${i}.png`, b64: Buffer.from(encodePng(renderScene(s, 64), 64, 64)).toString('base64') }));
  await page.evaluate(async (files) => {
    const dt = new DataTransfer();
    for (const f of files) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: 'image/png' }));
    const target = document.querySelector('#chart-budget')!;
    for (const type of ['dragenter', 'dragover', 'drop']) target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, scenes);
  await expect(page.locator('#embed-status')).toContainText('Done: 6 embedded', { timeout: 60_000 });
  await expect(page.locator('#compare-status')).toContainText('Done', { timeout: 120_000 });
  // A corpus of their own beside the demo (they joined the 24 scenes, as 30 documents, before).
  await expect(page.locator('#compare-status')).toContainText(': 6 documents');
  await expect(page.locator('#corpora button.corpus-pick')).toHaveText([/^Demo scenes: 24 documents/, /^mine-0\.png and 5 more: 6 documents/]);
  await expect(page.locator('#query-source')).toHaveValue('typed');
  // Six documents: overlap@10 would be the whole corpus; the default is the largest k below it.
  await expect(page.locator('#compare-metric')).toHaveValue('overlap@5');
  expect(page.url()).not.toContain('corpus=demo');
});

test('the teaching story: MaxSim token by token, why compress, AGC, H-Pool, what was lost; keys move it, the URL names the step, present=1 shows it alone', async ({ page, browser }) => {
  await firstVisit(page);
  await page.click('#views-nav a[data-view="teach"]');
  await page.selectOption('#teach-doc', 'scene-000.png');
  await expect(page.locator('#teach-method')).toHaveValue('story');
  await page.getByRole('button', { name: 'Show steps' }).click();
  await expect(page.locator('#teach-counter')).toHaveText(/^Step 1 of \d+$/, { timeout: 30_000 });
  const query = await page.locator('#teach-query').inputValue();
  expect(query.length).toBeGreaterThan(0); // a demo caption judged relevant to the picture
  const titles = await page.locator('#teach-steps button').allTextContents();
  const tokens = titles.filter((t) => t.startsWith('MaxSim: '));
  expect(tokens.length).toBeGreaterThan(0);
  // intro, the query, one step per query token, why compress, AGC's four steps, H-Pool, what was lost
  expect(titles).toEqual(['The picture as vectors', 'The query as vectors', ...tokens, 'Why compress', 'AGC 1: saliency', 'AGC 2: centroids', 'AGC 3: assignment', 'AGC 4: pooling', 'H-Pool instead', 'What was lost']);
  await expect(page.locator('#teach-counter')).toHaveText(`Step 1 of ${titles.length}`);
  // Keyboard: arrows (and PageDown) anywhere in the view, not only on the canvas.
  await page.locator('#teach-step').click();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('PageDown');
  await expect(page.locator('#teach-title-step')).toHaveText(tokens[0]);
  await expect(page.locator('#teach-step')).toContainText('The most similar patch wins');
  await page.keyboard.press('ArrowLeft');
  await expect(page.locator('#teach-title-step')).toHaveText('The query as vectors');
  await page.locator('#teach-steps button', { hasText: 'What was lost' }).click();
  // Compressed beside uncompressed, never "1.75 instead of 1.75" (what it said when the two were equal).
  await expect(page.locator('#teach-step')).toContainText(/The score is [\d.]+( instead of [\d.]+ uncompressed|, the same as uncompressed| against [\d.]+ uncompressed: the same to two decimals)\./);
  await expect(page.locator('#teach-step')).not.toContainText(/The score is ([\d.]+) instead of \1 /);
  await page.locator('.teach-stage').screenshot({ path: 'test-results/screens/teach-story-lost.png' });
  await page.locator('#teach-steps button', { hasText: 'Why compress' }).click();
  const url = page.url();
  expect(url).toContain(`tstep=${titles.indexOf('Why compress') + 1}`); // numbered as the counter numbers it
  expect(url).toContain('tq=');
  // A projector: the same step alone, type enlarged, no rail.
  const slide = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await slide.goto(`${url}&present=1`);
  await expect(slide.locator('#teach-title-step')).toHaveText('Why compress', { timeout: 120_000 });
  await expect(slide.locator('.rail')).toBeHidden();
  await expect(slide.locator('#teach-form')).toBeHidden();
  await slide.screenshot({ path: 'test-results/screens/teach-present-1280x720.png' });
  await slide.close();
});

test('axe finds no serious or critical accessibility violation on any view', async ({ page }) => {
  await firstVisit(page);
  for (const view of VIEWS) {
    await page.click(`#views-nav a[data-view="${view}"]`);
    if (view === 'maps') await expect(page.locator('#maps canvas')).toHaveCount(2, { timeout: 30_000 });
    const result = await new AxeBuilder({ page }).analyze();
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')})`);
    expect(bad, view).toEqual([]);
  }
});

test('every control is reachable by keyboard with a visible focus ring', async ({ page }) => {
  await firstVisit(page);
  const seen = new Set<string>();
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      return { id: el.id || el.textContent?.trim().slice(0, 20) || el.tagName, outline: style.outlineStyle !== 'none' && style.outlineWidth !== '0px' };
    });
    if (!f) continue;
    expect(f.outline, `focus ring on ${f.id}`).toBe(true);
    seen.add(f.id);
  }
  for (const id of ['Compare', 'model', 'load-model', 'compare-budgets', 'compare-run']) expect(seen, id).toContain(id);
});

test('a link copied after dropping files of one\'s own (no corpus in it) says nothing is embedded, not an empty page', async ({ page }) => {
  // The URL the page showed after two PDFs and a folder were dropped (seen in a fresh profile: a blank main area).
  await page.goto('/?device=wasm&queries=typed&methods=none%3Bagc%3Bhpool&budgets=4%2C8');
  await expect(page.locator('#compare-status')).toContainText('Nothing is shown in this tab yet');
  await expect(page.locator('#compare-status')).toContainText('Add 24 demo scenes');
  await expect(page.locator('#chart-budget g.series')).toHaveCount(0);
});
