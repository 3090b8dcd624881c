import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensors } from '../src/core/safetensors.ts';
import { decodeResidual, residualIndex } from '../src/core/residual.ts';
import { runExperiment } from '../src/core/experiment.ts';
import { importEmbeddings } from '../src/core/importer.ts';
import { queryForStorage, scoreStored, storeCorpus } from '../src/core/storage/stored.ts';
import { compressDocument } from '../src/core/compress.ts';
import { packCorpus } from '../src/core/maxsim.ts';
import { parseMethodSpec } from '../src/core/methodSpec.ts';
import { failOnConsoleErrors } from './consoleErrors.ts';
import { recordRequests } from './cspProbes.ts';
import { zip } from '../test/zipFixture.ts';

failOnConsoleErrors();
const fx = join(import.meta.dirname, '..', 'test', 'fixtures', 'import');

test('imports embeddings made with NumPy, compares methods on them, and exports an index that re-imports with the same scores', async ({ page }) => {
  const requests = recordRequests(page);
  await page.goto('/?view=data');
  // A truncated file: a clear error naming the file, and nothing imported.
  await page.setInputFiles('#import-docs', { name: 'cut.safetensors', mimeType: 'application/octet-stream', buffer: readFileSync(join(fx, 'ragged.safetensors')).subarray(0, 300) });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.locator('#import-status')).toHaveText(/Nothing was imported\. cut\.safetensors: doc_embeddings: data ends at byte \d+ but the file has 300: the file is truncated/);
  await expect(page.locator('#compare-corpus option[value="imported"]')).toBeDisabled();

  await page.setInputFiles('#import-docs', join(fx, 'ragged.npz'));
  await page.setInputFiles('#import-qrels', join(fx, 'qrels.tsv'));
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.locator('#import-status')).toContainText('Imported 3 documents (19 vectors, d = 8, ragged, <f4), 2 queries, 2 with relevance');
  await expect(page.locator('#compare-corpus')).toHaveValue('imported');
  // The import is a corpus of the rail's list, shown.
  await expect(page.locator('#corpora button.corpus-pick')).toHaveText(['Imported: ragged.npz (3 documents, 2 queries) (from the Data view)']);
  await expect(page.locator('#corpora button.corpus-pick')).toHaveAttribute('aria-pressed', 'true');

  for (const box of await page.locator('#compare-methods input').all()) await box.setChecked(['none', 'hpool', 'uniform'].includes(await box.inputValue()));
  await page.fill('#compare-budgets', '2,4');
  await page.locator('#compare-storage input[value="binary"]').check();
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page.locator('#compare-status')).toContainText('Done', { timeout: 60_000 });
  await expect(page.locator('#compare-status')).toContainText('imported from ragged.npz');
  // (1 uncompressed + 2 methods x 2 budgets) x 4 storage types
  await expect(page.locator('#compare-table tbody tr')).toHaveCount(5 * 4);
  await expect(page.locator('#compare-table tbody tr[data-method="hpool"][data-budget="2"][data-storage="int8"] td[data-column="bytes_per_doc"]')).toHaveText('24'); // 2 vectors x (8 + 4) bytes
  await page.screenshot({ path: 'test-results/screens/import-compare.png', fullPage: true });
  // Copy table: tab-separated text on the clipboard, the same rows as the table.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy table' }).click();
  await expect(page.locator('#compare-status')).toHaveText('Table copied (tab-separated).');
  const tsv = (await page.evaluate(() => navigator.clipboard.readText())).split('\n');
  expect(tsv).toHaveLength(1 + 5 * 4);
  expect(tsv[0].split('\t').slice(0, 4)).toEqual(['method', 'label', 'budget', 'storage']);

  await page.selectOption('#export-method', 'hpool');
  await page.selectOption('#export-budget', '2');
  await page.selectOption('#export-storage', 'int8');
  const downloads: Record<string, Buffer> = {};
  page.on('download', async (d) => {
    const path = await d.path();
    downloads[d.suggestedFilename()] = readFileSync(path);
  });
  await page.getByRole('button', { name: /Export safetensors/ }).click();
  await expect(page.locator('#export-status')).toContainText('Wrote index-hpool-m2-int8.safetensors (3 documents, 6 vectors');
  await expect.poll(() => Object.keys(downloads).sort()).toEqual(['index-hpool-m2-int8.json', 'index-hpool-m2-int8.qdrant.jsonl', 'index-hpool-m2-int8.safetensors']);
  const manifest = JSON.parse(downloads['index-hpool-m2-int8.json'].toString());
  expect(manifest).toMatchObject({ format: 'mvc-index', method: 'hpool', budget: 2, storage: 'int8', documents: 3, vectors: 6 });
  expect(manifest.qdrant.vectors.colbert.multivector_config).toEqual({ comparator: 'max_sim' });
  // Re-import the downloaded index in Node: the same ids, and Qdrant's vectors score like the index.
  const back = await importEmbeddings({ name: 'index.safetensors', bytes: new Uint8Array(downloads['index-hpool-m2-int8.safetensors']) });
  expect(back.stored!.ids).toEqual(['cat.jpg', 'dog.png', 'clip.mp4']);
  const points = downloads['index-hpool-m2-int8.qdrant.jsonl'].toString().trim().split('\n').map((l) => JSON.parse(l));
  const q = new Float32Array(8).fill(0.25);
  const fromIndex = scoreStored(q, 1, back.stored!);
  points.forEach((p, i) => {
    const best = Math.max(...p.vector.colbert.map((v: number[]) => v.reduce((s, x) => s + x * 0.25, 0)));
    expect(best).toBeCloseTo(fromIndex[i], 5);
  });
  // Every storage type: the downloaded index holds exactly what the engine stores for H-Pool at m = 2
  // (compressed and stored here in Node from the same file), and scores the fixture's queries the same.
  const source = await importEmbeddings({ name: 'ragged.npz', bytes: new Uint8Array(readFileSync(join(fx, 'ragged.npz'))) });
  const queryFile = await importEmbeddings(
    { name: 'ragged.npz', bytes: new Uint8Array(readFileSync(join(fx, 'ragged.npz'))) },
    { name: 'queries.safetensors', bytes: new Uint8Array(readFileSync(join(fx, 'queries.safetensors'))) },
  );
  expect(queryFile.queries.length).toBe(2);
  const packed = packCorpus(source.docs.map((doc) => compressDocument(doc, parseMethodSpec('hpool'), 2, { seed: 1 })));
  for (const storage of ['binary', 'fp32', 'fp16', 'int8'] as const) {
    const name = `index-hpool-m2-${storage}.safetensors`;
    if (storage !== 'int8') {
      // (int8 was downloaded above.)
      await page.selectOption('#export-storage', storage);
      await page.getByRole('button', { name: /Export safetensors/ }).click();
      await expect(page.locator('#export-status')).toContainText(`Wrote ${name}`);
    }
    await expect.poll(() => Object.keys(downloads)).toContain(name);
    const got = (await importEmbeddings({ name, bytes: new Uint8Array(downloads[name]) })).stored!;
    const want = storeCorpus(packed, storage);
    expect(got.storage).toBe(storage);
    expect(Array.from(got.offsets)).toEqual(Array.from(want.offsets));
    expect(Array.from(got.vectors)).toEqual(Array.from(want.vectors));
    for (const q of queryFile.queries) {
      const data = queryForStorage(q.data, q.n, 8, storage);
      expect(Array.from(scoreStored(data, q.n, got))).toEqual(Array.from(scoreStored(data, q.n, want)));
    }
  }
  // A file with no documents after a good import: refused whole, and the corpus that was there stays.
  const rows = await page.locator('#compare-table tbody tr').count();
  await page.click('#views-nav a[data-view="data"]');
  const empty = writeSafetensors({ doc_embeddings: { dtype: 'F32', shape: [0, 10, 8], data: new Float32Array(0) } });
  await page.setInputFiles('#import-docs', { name: 'empty.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(empty) });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.locator('#import-status')).toHaveText('Nothing was imported. empty.safetensors: doc_embeddings: holds no documents; nothing was imported (the corpus you had is kept)');
  await expect(page.locator('#compare-corpus option[value="imported"]')).toHaveText('Imported: ragged.npz (3 documents, 2 queries)');
  // A decompression bomb (64 KB whose member inflates to 64 MiB, declared 1,000 bytes): stopped, named, corpus kept.
  const rowsOfBomb = 1_048_576;
  const npyHeader = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rowsOfBomb}, 16), }`.padEnd(117, ' ') + '\n';
  const npy = new Uint8Array(10 + npyHeader.length + rowsOfBomb * 64);
  npy.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(npy.buffer).setUint16(8, npyHeader.length, true);
  npy.set(new TextEncoder().encode(npyHeader), 10);
  const bomb = zip([{ name: 'doc_embeddings.npy', data: npy, deflate: true, declaredSize: 1000 }]);
  await page.setInputFiles('#import-docs', { name: 'bomb.npz', mimeType: 'application/octet-stream', buffer: Buffer.from(bomb) });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.locator('#import-status')).toHaveText(
    'Nothing was imported. bomb.npz: doc_embeddings: inflates past the 1,000 bytes its archive entry declares; refusing it (damaged, or a decompression bomb)',
  );
  await expect(page.locator('#compare-corpus option[value="imported"]')).toHaveText('Imported: ragged.npz (3 documents, 2 queries)');
  await page.click('#views-nav a[data-view="compare"]');
  await expect(page.locator('#compare-table tbody tr')).toHaveCount(rows);
  // Importing, comparing and exporting asked nothing of any other host.
  expect(requests.foreign()).toEqual([]);
});

test('a residual index (res2) exported from the page decodes to the vectors the comparison scored, and evaluates to its figures', async ({ page }) => {
  await page.goto('/?view=data');
  await page.setInputFiles('#import-docs', join(fx, 'ragged.npz'));
  await page.setInputFiles('#import-qrels', join(fx, 'qrels.tsv'));
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.locator('#import-status')).toContainText('Imported 3 documents');
  for (const box of await page.locator('#compare-methods input').all()) await box.setChecked(['none', 'hpool'].includes(await box.inputValue()));
  await page.fill('#compare-budgets', '2');
  for (const box of await page.locator('#compare-storage input').all()) await box.setChecked((await box.inputValue()) === 'res2');
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page.locator('#compare-status')).toContainText('Done', { timeout: 60_000 });
  const shown = Number(await page.locator('#compare-table tr[data-method="hpool"][data-budget="2"][data-storage="res2"] td[data-column="ndcg@10"]').textContent());

  await page.selectOption('#export-method', 'hpool');
  await page.selectOption('#export-budget', '2');
  await page.selectOption('#export-storage', 'res2');
  const download = page.waitForEvent('download', { predicate: (d) => d.suggestedFilename() === 'index-hpool-m2-res2.safetensors' });
  await page.getByRole('button', { name: /Export safetensors/ }).click();
  await expect(page.locator('#export-status')).toContainText('Wrote index-hpool-m2-res2.safetensors (3 documents, 6 vectors');
  const back = await importEmbeddings({ name: 'res2.safetensors', bytes: new Uint8Array(readFileSync(await (await download).path())) });
  expect(back.manifest).toMatchObject({ storage: 'res2', method: 'hpool', budget: 2, residual: { bits: 2, centroids: 1 } });
  // The same vectors as residual.ts keeps for H-Pool's stored vectors with the run's seed (1).
  const source = await importEmbeddings({ name: 'ragged.npz', bytes: new Uint8Array(readFileSync(join(fx, 'ragged.npz'))) });
  const packed = packCorpus(source.docs.map((doc) => compressDocument(doc, parseMethodSpec('hpool'), 2, { seed: 1 })));
  expect(Array.from(back.stored!.vectors)).toEqual(Array.from(decodeResidual(residualIndex(packed, 2, 1)).data));
  // Evaluated as it is (uncompressed, fp32) with the fixture's queries: the page's res2 figure.
  const withQueries = await importEmbeddings({ name: 'ragged.npz', bytes: new Uint8Array(readFileSync(join(fx, 'ragged.npz'))) }, undefined, { name: 'qrels.tsv', bytes: new Uint8Array(readFileSync(join(fx, 'qrels.tsv'))) });
  const again = runExperiment({ docs: back.docs, queries: withQueries.queries, qrels: withQueries.qrels }, { methods: [parseMethodSpec('none')], budgets: [2], storages: ['fp32'], ks: [10], seed: 1 });
  expect(Math.abs(again.rows[0].metrics['ndcg@10'] - shown)).toBeLessThan(1e-4);
});

test('streaming index: documents are compressed as they are embedded and the full vectors are not kept; search and export use it', async ({ page }) => {
  await page.goto('/?view=data');
  await page.selectOption('#device', 'wasm');
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.locator('#model-status')).toContainText('Self-check passed', { timeout: 60_000 });
  await page.locator('#stream-on').check();
  await page.fill('#stream-m', '4');
  await page.selectOption('#stream-storage', 'int8');
  await page.locator('#stream-keep').uncheck();
  await page.getByRole('button', { name: 'Add 24 demo scenes' }).click();
  await expect(page.locator('#embed-status')).toContainText('Done: 24 embedded', { timeout: 60_000 });
  // 24 scenes x 64 patches in, at most 4 vectors each stored as 13 int8 values + a 4-byte scale.
  await expect(page.locator('#stream-status')).toHaveText(/Streaming index \(agc, m = 4, int8\): 24 documents, 1536 vectors in, 96 stored, 68 bytes per document\. Full-length vectors are not kept/);
  await expect(page.locator('#embedded tbody tr[data-indexed-only="1"]')).toHaveCount(24);
  await expect(page.locator('#embedded tbody tr[data-doc="scene-000.png"] td').nth(2)).toHaveText('64 x 13 → 4 stored');
  // Nothing full-length to compare: the comparison says so.
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page.locator('#compare-status')).toContainText('the comparison needs the full vectors');
  // Search runs on the compressed index.
  await page.fill('#query', 'red shape at the top left');
  await page.getByRole('button', { name: /Search \(/ }).click();
  await expect(page.locator('#hits li')).toHaveCount(5);
  const downloads: Record<string, Buffer> = {};
  page.on('download', async (d) => (downloads[d.suggestedFilename()] = readFileSync(await d.path())));
  await page.getByRole('button', { name: 'Export the streaming index' }).click();
  await expect.poll(() => Object.keys(downloads).sort()).toEqual(['index-agc-m4-int8.json', 'index-agc-m4-int8.qdrant.jsonl', 'index-agc-m4-int8.safetensors']);
  const back = await importEmbeddings({ name: 'i.safetensors', bytes: new Uint8Array(downloads['index-agc-m4-int8.safetensors']) });
  expect(back.manifest).toMatchObject({ method: 'agc', budget: 4, storage: 'int8', documents: 24, vectors: 96, dimension: 13 });
  expect(back.stored!.ids[0]).toBe('scene-000.png');
});

test('Cancel comparison stops a long run at once: the engine worker is terminated, and the next run works', async ({ page }) => {
  await page.goto('/?view=data');
  // 600 documents of 128 random 64-d tokens and 30 queries: a grid that takes a while.
  const rng = (() => {
    let s = 7;
    return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  })();
  const docs = Float32Array.from({ length: 600 * 128 * 64 }, rng);
  const queries = Float32Array.from({ length: 30 * 8 * 64 }, rng);
  const file = writeSafetensors({
    doc_embeddings: { dtype: 'F32', shape: [600, 128, 64], data: docs },
    query_embeddings: { dtype: 'F32', shape: [30, 8, 64], data: queries },
  });
  await page.setInputFiles('#import-docs', { name: 'big.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(file) });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.locator('#import-status')).toContainText('Imported 600 documents', { timeout: 60_000 });
  await page.click('#views-nav a[data-view="compare"]');
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page.locator('#compare-status')).toContainText(/Compressing|Searching/, { timeout: 60_000 });
  const engineWorkers = () => page.workers().filter((w) => w.url().includes('engine')).length;
  expect(engineWorkers()).toBe(1);
  await page.getByRole('button', { name: 'Cancel comparison' }).click();
  await expect(page.locator('#compare-status')).toHaveText('Cancelled. Nothing is running in the background.');
  await expect.poll(engineWorkers).toBe(0);
  // No late progress from the stopped run overwrites the message.
  await page.waitForTimeout(500);
  await expect(page.locator('#compare-status')).toHaveText('Cancelled. Nothing is running in the background.');
  // A small run afterwards works (a new worker).
  for (const box of await page.locator('#compare-methods input').all()) await box.setChecked(['none', 'uniform'].includes(await box.inputValue()));
  await page.fill('#compare-budgets', '4');
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page.locator('#compare-status')).toContainText('Done', { timeout: 120_000 });
});
