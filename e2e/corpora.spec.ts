import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng } from '../src/demo/png.ts';
import { failOnConsoleErrors } from './consoleErrors.ts';

failOnConsoleErrors();

/** A 64 x 64 PNG: a coloured square on white. */
function square(rgb: [number, number, number], at: 'tl' | 'br'): Buffer {
  const rgba = new Uint8ClampedArray(64 * 64 * 4).fill(250);
  for (let y = 0; y < 64; y++)
    for (let x = 0; x < 64; x++) {
      const inside = at === 'tl' ? x < 28 && y < 28 : x > 36 && y > 36;
      if (inside) rgba.set(rgb, (y * 64 + x) * 4);
      rgba[(y * 64 + x) * 4 + 3] = 255;
    }
  return Buffer.from(encodePng(rgba, 64, 64));
}

const corpusButtons = (page: Page) => page.locator('#corpora button.corpus-pick');
/** How many records each of the page's corpus stores holds. */
const storedCounts = (page: Page) =>
  page.evaluate(() => new Promise<[number, number]>((resolve, reject) => {
    const req = indexedDB.open('mvc-playground');
    req.onsuccess = () => {
      const t = req.result.transaction(['corpora', 'corpus-docs'], 'readonly');
      const a = t.objectStore('corpora').count();
      const b = t.objectStore('corpus-docs').count();
      t.oncomplete = () => (req.result.close(), resolve([a.result, b.result]));
      t.onerror = () => reject(t.error);
    };
  }));
const docOptions = (page: Page) => page.locator('#side-doc option').allTextContents();

test('dropped files start a corpus of their own beside the demo; both are switched; two files of one name are both kept; a reload restores it; a fresh profile is told why not', async ({ page, browser }) => {
  const dir = mkdtempSync(join(tmpdir(), 'pair-'));
  mkdirSync(join(dir, 'x'));
  mkdirSync(join(dir, 'y'));
  writeFileSync(join(dir, 'x', 'shape.png'), square([220, 20, 20], 'tl'));
  writeFileSync(join(dir, 'y', 'shape.png'), square([20, 20, 220], 'br'));
  await page.goto('/');
  await expect(page.locator('#compare-status')).toContainText('Done in', { timeout: 90_000 });
  await expect(corpusButtons(page)).toHaveText([/^Demo scenes: 24 documents/]);

  // Two folders' files of one name: their paths differ, both are kept.
  await page.setInputFiles('#folder', dir);
  await expect(page.locator('#embed-status')).toContainText('Done: 2 embedded, 0 skipped', { timeout: 60_000 });
  await expect(page.locator('#embed-status')).toContainText('2 documents in the corpus pair-');
  await expect(corpusButtons(page)).toHaveText([/^Demo scenes: 24 documents/, /^pair-\w+\/: 2 documents/]);
  await expect(page.locator('#compare-status')).toContainText(/Done in .*: 2 documents/, { timeout: 60_000 });
  // A third file named like the others, picked alone into the corpus shown, then another one of that name.
  await page.setInputFiles('#files', { name: 'shape.png', mimeType: 'image/png', buffer: square([20, 200, 20], 'tl') });
  await expect(page.locator('#embed-status')).toContainText('3 documents in the corpus', { timeout: 60_000 });
  await page.setInputFiles('#files', { name: 'shape.png', mimeType: 'image/png', buffer: square([200, 200, 20], 'br') });
  await expect(page.locator('#embed-status')).toContainText('4 documents in the corpus', { timeout: 60_000 });
  await expect(page.locator('#compare-status')).toContainText(/Done in .*: 4 documents/, { timeout: 60_000 });
  expect((await docOptions(page)).slice(1).sort()).toEqual(['shape (2).png', 'shape.png', 'x/shape.png', 'y/shape.png']);
  const own = new URL(page.url()).searchParams.get('corpus')!;
  expect(own).toMatch(/^[0-9a-f]{16}$/);
  // One record for the corpus (its earlier states replaced), each document written once over the three batches.
  expect(await storedCounts(page)).toEqual([1, 4]);
  await expect(page.locator('#query-source')).toHaveValue('typed');

  // Back to the demo: its 24 scenes and captions, nothing of one's own mixed in.
  // Switching is instant: the demo's result from the first visit is shown again, nothing re-runs.
  await corpusButtons(page).first().click();
  await expect(page.locator('#compare-status')).toContainText(/Done in .*: 24 documents, 18 queries.*\(Demo scenes: its last result in this tab, shown again; the settings are the same\.\)/, { timeout: 60_000 });
  await expect(page.locator('#query-source')).toHaveValue('demo');
  expect(new URL(page.url()).searchParams.get('corpus')).toBe('demo');
  expect(await docOptions(page)).not.toContain('shape.png');
  await corpusButtons(page).nth(1).click();
  await expect(page.locator('#compare-status')).toContainText(/Done in .*: 4 documents.*shown again/, { timeout: 60_000 });
  expect(new URL(page.url()).searchParams.get('corpus')).toBe(own);
  await expect(corpusButtons(page).nth(1)).toHaveAttribute('title', 'Embedded with images: one view; PDF pages: global view + 3 x 3 tiles at 1024 px; videos: 24 frames');
  // Another setting is another run.
  await page.fill('#compare-seed', '5');
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await expect(page.locator('#compare-status')).toContainText(/Done in .*: 4 documents/, { timeout: 60_000 });
  await expect(page.locator('#compare-status')).not.toContainText('shown again');

  // A reload brings it back from IndexedDB, with its queries, and says so.
  await page.reload();
  await expect(page.locator('#compare-status')).toContainText(/Done in .*: 4 documents/, { timeout: 90_000 });
  await expect(page.locator('#embed-status')).toContainText(/Restored pair-\w+\/ from this browser: 4 documents/);
  await expect(page.locator('#query-source')).toHaveValue('typed');
  expect((await docOptions(page)).slice(1).sort()).toEqual(['shape (2).png', 'shape.png', 'x/shape.png', 'y/shape.png']);

  // A first visit lists it as stored in this browser; a click opens it.
  await page.goto('/');
  await expect(page.locator('#compare-status')).toContainText(/Done in .*: 24 documents/, { timeout: 90_000 });
  const stored = corpusButtons(page).filter({ hasText: '(stored in this browser)' });
  await expect(stored).toHaveText(/^pair-\w+\/: 4 documents, Teaching model .* \(stored in this browser\)$/);
  await stored.click();
  await expect(page.locator('#compare-status')).toContainText(/Done in .*: 4 documents/, { timeout: 60_000 });
  expect(new URL(page.url()).searchParams.get('corpus')).toBe(own);

  // The same link in a fresh profile: the documents are not there, and the page says exactly that.
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto(page.url());
  await expect(other.locator('#compare-status')).toContainText(`This link names a corpus of one's own (fingerprint ${own}) that is not stored in this browser`, { timeout: 30_000 });
  // Opened on another view, the same words where the eye is (it said them only in the hidden Compare view).
  await other.goto(page.url().replace('view=compare', 'view=data').replace(/^([^?]*\?)(?!.*view=)/, '$1view=data&'));
  await expect(other.locator('#url-error')).toBeVisible({ timeout: 30_000 });
  await expect(other.locator('#url-error')).toContainText(`fingerprint ${own}) that is not stored in this browser`);
  await fresh.close();

  // Removing it from this browser: gone from the list and from the address; the old link now explains.
  const link = page.url();
  await page.getByRole('button', { name: /^Remove pair-\w+\/ from this browser$/ }).click();
  await expect(corpusButtons(page)).toHaveText([/^Demo scenes: 24 documents/]);
  await expect.poll(() => new URL(page.url()).searchParams.get('corpus')).toBeNull();
  await expect.poll(() => storedCounts(page)).toEqual([0, 0]);
  await page.goto(link);
  await expect(page.locator('#compare-status')).toContainText('not stored in this browser', { timeout: 30_000 });
});

test('an import is a corpus of the list: switched to and from the demo, each with its own queries', async ({ page }) => {
  const fx = join(import.meta.dirname, '..', 'test', 'fixtures', 'import');
  await page.goto('/');
  await expect(page.locator('#compare-status')).toContainText('Done in', { timeout: 90_000 });
  await page.click('#views-nav a[data-view="data"]');
  await page.setInputFiles('#import-docs', join(fx, 'ragged.npz'));
  await page.setInputFiles('#import-qrels', join(fx, 'qrels.tsv'));
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.locator('#compare-status')).toContainText('imported from ragged.npz', { timeout: 60_000 });
  await expect(corpusButtons(page)).toHaveText([/^Demo scenes: 24 documents/, 'Imported: ragged.npz (3 documents, 2 queries) (from the Data view)']);
  await expect(corpusButtons(page).nth(1)).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('#query-source')).toBeDisabled();
  // To the demo: the embedded corpus again, its captions, its last result.
  await corpusButtons(page).first().click();
  await expect(page.locator('#compare-corpus')).toHaveValue('embedded');
  await expect(page.locator('#compare-status')).toContainText(/24 documents, 18 queries/, { timeout: 60_000 });
  await expect(corpusButtons(page).first()).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('#query-source')).toBeEnabled();
  // And back.
  await corpusButtons(page).nth(1).click();
  await expect(page.locator('#compare-corpus')).toHaveValue('imported');
  await expect(page.locator('#compare-status')).toContainText('imported from ragged.npz', { timeout: 60_000 });
  await expect(page.locator('#compare-status')).toContainText('3 documents');
});

test('keyboard: Tab reaches both pickers and Enter opens them; an extensionless text file is typed by its content', async ({ page }) => {
  // Listened for from the start: Playwright turns on its file-chooser interception asynchronously.
  const chooser = page.waitForEvent('filechooser', { timeout: 60_000 });
  await page.goto('/?view=data');
  await page.locator('#model').focus();
  let reached = '';
  for (let i = 0; i < 40 && reached !== 'files'; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.id ?? '');
  }
  expect(reached).toBe('files');
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('folder');
  await page.keyboard.press('Shift+Tab');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('files');
  await page.keyboard.press('Enter');
  await (await chooser).setFiles([
    { name: 'README', mimeType: '', buffer: Buffer.from('# Notes\n\nPlain words in a file without an extension.\n') },
    { name: 'picture', mimeType: '', buffer: square([220, 20, 20], 'tl') },
    { name: 'blob', mimeType: '', buffer: Buffer.from([0, 1, 2, 3, 255, 0, 7]) },
  ]);
  await expect(page.locator('#embed-status')).toContainText('Done: 1 embedded, 2 skipped', { timeout: 90_000 });
  expect((await page.locator('#file-errors li').allTextContents()).sort()).toEqual([
    'README: text documents need a text model: load a ColBERT model (answerai-colbert-small-v1, or a local ColBERT folder) to embed .txt, .md and JSONL files',
    'blob: by its first bytes, not an image, video, PDF or text file; skipped',
  ]);
});
