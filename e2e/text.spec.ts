import { expect, test, type Page } from '@playwright/test';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors, writeSafetensors } from '../src/core/safetensors.ts';
import { encodePng } from '../src/demo/png.ts';
import { demoCorpus } from '../src/demo/scenes.ts';
import { mulberry32 } from '../src/core/rng.ts';
import { failOnConsoleErrors } from './consoleErrors.ts';

failOnConsoleErrors();

const COLBERT = join(import.meta.dirname, '..', 'test-models', 'tiny-colbert');

async function loadColbert(page: Page, device: 'auto' | 'wasm') {
  await page.selectOption('#device', device);
  await page.setInputFiles('#model-folder', COLBERT);
  // The note describes the folder picked, not the menu's model.
  await expect(page.locator('#model-note')).toHaveText(/^The local folder "tiny-colbert" \(\d+ files\) will be loaded instead of the menu's model: a ColBERT text model/);
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.locator('#model-status')).toContainText(/Loaded|Could not load/, { timeout: 90_000 });
}

/** A paragraph of `n` words cycling through `words` (the fixture's vocabulary holds them whole). */
/**
 * nDCG@10 of a random ranking of the 24 demo scenes, averaged over the judged queries and 2,000
 * seeded shuffles: the chance level the captions must beat. Binary gains, as the demo judges.
 */
function chanceNdcg(): number {
  const { scenes, qrels } = demoCorpus(24, 1);
  const ids = scenes.map((s) => s.id);
  const rng = mulberry32(5);
  let sum = 0;
  let count = 0;
  for (const rel of qrels.values()) {
    const relevant = new Set([...rel.keys()].filter((id) => ids.includes(id)));
    if (relevant.size === 0) continue;
    let ideal = 0;
    for (let r = 0; r < Math.min(10, relevant.size); r++) ideal += 1 / Math.log2(r + 2);
    for (let t = 0; t < 2000; t++) {
      const order = [...ids];
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      let dcg = 0;
      for (let r = 0; r < 10; r++) if (relevant.has(order[r])) dcg += 1 / Math.log2(r + 2);
      sum += dcg / ideal;
      count++;
    }
  }
  return sum / count;
}

const paragraph = (words: string[], n: number) => Array.from({ length: n }, (_, i) => words[i % words.length]).join(' ') + '.';

test('text documents with a ColBERT model: passages from .md and JSONL, bad lines named, search, words highlighted side by side', async ({ page }) => {
  await page.goto('/?view=data');
  await loadColbert(page, 'auto');
  const status = page.locator('#model-status');
  await expect(status).toContainText('the local folder "tiny-colbert" on WEBGPU');
  await expect(status).toContainText('one 16-dimensional vector per token (ColBERT text model: queries of 32 tokens with [MASK] expansion, passages of up to 180 tokens; projection 1_Dense (32 -> 16))');
  await expect(status).toContainText('Self-check passed');
  await expect(status).toContainText('Saliency: cls-attention from /encoder/layer.1/attention/self/Softmax');

  const jsonl = [
    '{"id": "d-apple", "text": "The red apple and the green apple."}',
    '{"id": "d-train", "text": "A train on the river, with the mountain."}',
    '{"_id": "d-coffee", "title": "Coffee", "text": "Coffee and tea with bread and cheese."}',
    '{"id": "d-storm" "text": "no comma"}',
    '{"id": "d-storm", "text": "A storm with rain and snow on the ocean."}',
    '{"id": "d-apple", "text": "a second d-apple"}',
  ].join('\n');
  // Two paragraphs of 70 words: over the 120-word passage window together, so two passages.
  const md = `# Notes\n\n${paragraph(['the', 'planet', 'and', 'the', 'comet'], 70)}\n\n${paragraph(['a', 'guitar', 'with', 'a', 'violin'], 70)}\n`;
  const png = Buffer.from(encodePng(new Uint8ClampedArray(8 * 8 * 4).fill(200), 8, 8));
  await page.setInputFiles('#files', [
    { name: 'corpus.jsonl', mimeType: '', buffer: Buffer.from(jsonl) },
    { name: 'notes.md', mimeType: 'text/markdown', buffer: Buffer.from(md) },
    { name: 'picture.png', mimeType: 'image/png', buffer: png },
  ]);
  await expect(page.locator('#embed-status')).toContainText('Done: 6 embedded', { timeout: 90_000 });
  const errors = page.locator('#file-errors li');
  await expect(errors).toHaveCount(3);
  await expect(errors.nth(0)).toContainText('corpus.jsonl line 4: not JSON');
  await expect(errors.nth(1)).toHaveText('corpus.jsonl line 6 (d-apple): this id was already used by an earlier line; ids must be unique');
  await expect(errors.nth(2)).toContainText('picture.png: this is a text model (ColBERT)');
  const rows = page.locator('#embedded tbody tr');
  await expect(rows).toHaveCount(6);
  expect(await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.doc))).toEqual(['d-apple', 'd-train', 'd-coffee', 'd-storm', 'notes.md#p=1', 'notes.md#p=2']);
  // "The red apple and the green apple." + [CLS] [D] [SEP], the full stop left out: 10 vectors.
  await expect(page.locator('#embedded tbody tr[data-doc="d-apple"] td').nth(1)).toHaveText('passage');
  await expect(page.locator('#embedded tbody tr[data-doc="d-apple"] td').nth(2)).toHaveText('10 x 16');

  // Dropped again: every passage is read from the stored embeddings (keyed by file, span and model).
  await page.setInputFiles('#files', [
    { name: 'corpus.jsonl', mimeType: '', buffer: Buffer.from(jsonl) },
    { name: 'notes.md', mimeType: 'text/markdown', buffer: Buffer.from(md) },
  ]);
  await expect(page.locator('#embed-status')).toContainText('Done: 6 embedded (6 read from stored embeddings)', { timeout: 60_000 });
  await expect(page.locator('#embedded tbody tr[data-doc="notes.md#p=2"] td').nth(5)).toHaveText('stored');

  // Uncompressed MaxSim search: each query finds the passage that shares its words.
  for (const [query, top] of [['coffee and cheese', 'd-coffee'], ['a storm on the ocean', 'd-storm'], ['guitar violin', 'notes.md#p=2']]) {
    await page.fill('#query', query);
    await page.evaluate(() => document.getElementById('hits')!.replaceChildren());
    await page.getByRole('button', { name: /Search/ }).click();
    await expect(page.locator('#hits li').first()).toContainText(top);
  }

  // Side by side: the passage with its words; the winners outlined; AGC's clusters coloured.
  await page.click('#views-nav a[data-view="side"]');
  await page.fill('#side-query', 'red apple');
  await page.fill('#side-m', '4');
  await page.getByRole('button', { name: 'Show side by side' }).click();
  await expect(page.locator('#side-status')).toContainText('has no judgments', { timeout: 60_000 });
  const left = page.locator('#side-panel .side[data-side="0"]');
  const right = page.locator('#side-panel .side[data-side="1"]');
  await expect(left.locator('canvas')).toBeHidden();
  await expect(left.locator('.side-text')).toHaveAttribute('data-doc', 'd-apple');
  await expect(left.locator('.side-text')).toContainText('The red apple and the green apple.');
  const won = await left.locator('.side-text .tok.won').allTextContents();
  expect(won).toEqual(expect.arrayContaining(['red', 'apple']));
  expect(won).not.toContain('train');
  await expect(left.locator('.side-text .chip')).toHaveText(['[CLS]', '[D]', '[SEP]']);
  await expect(right.locator('.side-summary')).toContainText('4 stored vectors');
  // Every kept token coloured by its cluster: at most 4 colours, and more than one.
  const colours = new Set(await right.locator('.side-text .tok').evaluateAll((els) => els.map((e) => (e as HTMLElement).style.backgroundColor)));
  expect(colours.size).toBeGreaterThan(1);
  expect(colours.size).toBeLessThanOrEqual(4);
  await page.locator('#side-panel').screenshot({ path: 'test-results/screens/text-side-by-side.png' });
});

test('the demo scenes as captions for a text model: the judged comparison runs on text, and the maps colour the words', async ({ page }) => {
  await page.goto('/?view=compare');
  await loadColbert(page, 'wasm');
  await page.getByRole('button', { name: 'Add 24 demo scenes' }).click();
  await expect(page.locator('#embed-status')).toContainText('Done: 24 embedded', { timeout: 60_000 });
  await expect(page.locator('#compare-status')).toContainText('Done', { timeout: 120_000 });
  // A caption such as "a red circle at the top left" is judged by the demo's relevance.
  await expect(page.locator('#compare-status')).toContainText('24 documents, 18 queries, embedded with the local folder "tiny-colbert"');
  const cells = await page.locator('#compare-table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [(tr as HTMLElement).dataset.method, (tr as HTMLElement).dataset.budget, (tr as HTMLElement).dataset.storage, tr.querySelector('td[data-column="ndcg@10"]')?.textContent]),
  );
  const ndcg = (method: string, budget: string) => Number(cells.find((c) => c[0] === method && c[1] === budget && c[2] === 'fp32')![3]);
  // Captions share the queries' words: well ranked uncompressed; 4 vectors for ~12 tokens lose
  // much of it; at m = 64, more than any caption's tokens, nothing is pooled and nothing changes.
  const chance = chanceNdcg();
  console.log(`captions: uncompressed nDCG@10 ${ndcg('none', 'full')}, chance ${chance.toFixed(3)}`);
  expect(ndcg('none', 'full')).toBeGreaterThan(chance + 0.3);
  for (const m of ['agc', 'hpool', 'kmeans', 'uniform', 'random']) {
    expect(ndcg(m, '4')).toBeLessThan(ndcg('none', 'full'));
    expect(ndcg(m, '64')).toBe(ndcg('none', 'full'));
  }
  await page.click('#views-nav a[data-view="maps"]');
  const maps = page.locator('#maps .map-text');
  await expect(maps).toHaveCount(2, { timeout: 30_000 });
  await expect(maps.first().locator('.tok').first()).toBeVisible();
  const backgrounds = await maps.first().locator('.tok').evaluateAll((els) => els.map((e) => (e as HTMLElement).style.backgroundColor));
  expect(backgrounds.every((b) => b.startsWith('rgb'))).toBe(true);
  expect(new Set(backgrounds).size).toBeGreaterThan(1);
  await expect(page.locator('#maps figure').first()).toContainText('uncompressed');
  // The query's words are buttons; its expansion tokens fold under one summary.
  const outside = await page.locator('#maps-tokens > button').allTextContents();
  expect(outside.slice(0, 3)).toEqual(['Whole query', '[CLS]', '[Q]']);
  expect(outside).not.toContain('[MASK]');
  expect(outside.length - 1 + (await page.locator('#maps-tokens details.expansion button').count())).toBe(32);
  await expect(page.locator('#maps-tokens details.expansion summary')).toHaveText(/^\d+ query expansion tokens \(\[MASK\]\)$/);
  await expect(page.locator('#maps-status')).toContainText('[MASK] × ');
  await page.locator('#maps').screenshot({ path: 'test-results/screens/text-maps.png' });
  // The clips are videos: the button says what to do instead of failing file by file.
  await page.click('#views-nav a[data-view="data"]');
  await page.getByRole('button', { name: /demo clips/ }).click();
  await expect(page.locator('#embed-status')).toContainText('The demo clips are videos, and the loaded model embeds text');
});

test("a ColBERT folder without 1_Dense/ takes its projection from the checkpoint's linear.weight, read alone out of model.safetensors", async ({ page }) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'colbert-')), 'tiny-colbert');
  cpSync(COLBERT, dir, { recursive: true });
  const linear = readSafetensors(new Uint8Array(readFileSync(join(dir, '1_Dense', 'model.safetensors')))).tensors.get('linear.weight')!;
  rmSync(join(dir, '1_Dense'), { recursive: true });
  // A Stanford-style checkpoint: the encoder's weights around the projection (here a stand-in block).
  writeFileSync(
    join(dir, 'model.safetensors'),
    writeSafetensors({
      'bert.embeddings.word_embeddings.weight': { dtype: 'F32', shape: [4096, 64], data: new Float32Array(4096 * 64).fill(0.25) },
      'linear.weight': { dtype: 'F32', shape: linear.shape, data: Float32Array.from(linear.data as Float32Array) },
    }),
  );
  await page.goto('/?view=data');
  await page.selectOption('#device', 'wasm');
  await page.setInputFiles('#model-folder', dir);
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.locator('#model-status')).toContainText("projection the checkpoint's linear.weight (32 -> 16)", { timeout: 90_000 });
  await expect(page.locator('#model-status')).toContainText('Self-check passed');
  const jsonl = ['{"id": "d-apple", "text": "The red apple and the green apple."}', '{"id": "d-storm", "text": "A storm with rain and snow on the ocean."}'].join('\n');
  await page.setInputFiles('#files', [{ name: 'corpus.jsonl', mimeType: '', buffer: Buffer.from(jsonl) }]);
  await expect(page.locator('#embed-status')).toContainText('Done: 2 embedded', { timeout: 60_000 });
  await page.fill('#query', 'rain and snow');
  await page.getByRole('button', { name: /Search/ }).click();
  await expect(page.locator('#hits li').first()).toContainText('d-storm');
});
