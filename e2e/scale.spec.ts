import { expect, test, type Page } from '@playwright/test';
import { failOnConsoleErrors } from './consoleErrors.ts';
import { recordRequests } from './cspProbes.ts';

failOnConsoleErrors();

type Run = Record<string, number | string | null>;

async function lastRun(page: Page): Promise<Run> {
  const runs = await page.$$eval('#scale-runs tbody tr', (trs) => trs.map((t) => JSON.parse((t as HTMLElement).dataset.run!)));
  return runs[runs.length - 1];
}

async function buildAndSearch(page: Page, query: string): Promise<Run> {
  await page.goto(`/scale.html?${query}&run=1`);
  await expect(page.locator('#search-status')).toContainText(/Done|failed/, { timeout: 240_000 });
  return lastRun(page);
}

test('WebGPU MaxSim and top-k match the CPU reference on fp32 and fp16 indexes split over several GPU buffers', async ({ page }) => {
  test.setTimeout(300_000);
  const requests = recordRequests(page);
  // d = 98 is padded to 100 for the vec4 kernel; a 64 KiB binding limit forces several chunks.
  for (const storage of ['fp32', 'fp16']) {
    const run = await buildAndSearch(page, `docs=1500&d=98&tokens=24&m=8&method=agc&storage=${storage}&queries=12&k=10&backend=both&binding=65536`);
    expect(run.fallback).toBeNull();
    expect(run.gpuChunks).toBeGreaterThan(1);
    // Agreement computed here from both backends' raw top-k lists, not from the page's own figures.
    const lists = JSON.parse((await page.locator('#scale-runs tbody tr').last().getAttribute('data-topk'))!) as Record<'cpu' | 'gpu', { doc: number; score: number }[][]>;
    expect(lists.cpu).toHaveLength(12);
    expect(lists.gpu).toHaveLength(12);
    let worst = 0;
    let shared = 0;
    lists.cpu.forEach((cpuHits, q) => {
      expect(cpuHits).toHaveLength(10);
      expect(lists.gpu[q]).toHaveLength(10);
      const gpuScore = new Map(lists.gpu[q].map((h) => [h.doc, h.score]));
      for (const h of cpuHits) {
        if (!gpuScore.has(h.doc)) continue;
        shared++;
        worst = Math.max(worst, Math.abs(gpuScore.get(h.doc)! - h.score) / Math.abs(h.score));
      }
    });
    // Every CPU top-10 document is in the GPU's top 10, for every query: 120 of 120.
    expect(shared).toBe(120);
    // The GPU sums the same float32 products in another order: a few units of float32 rounding (2^-23 = 1.2e-7).
    expect(worst).toBeLessThan(1e-6);
    expect(run.maxRelScoreDiff).toBeCloseTo(worst, 12); // and the page reports what the lists say
    expect(run.pipelines).toBe(2);
    expect(run.recallAt10).toBeGreaterThan(0.5);
    // A software adapter (SwiftShader here) is labelled: its timings are not GPU speed.
    if (run.softwareGpu) await expect(page.locator('#search-status')).toContainText('software renderer');
    else await expect(page.locator('#search-status')).not.toContainText('software renderer');
  }
  await page.screenshot({ path: 'test-results/screens/scale.png', fullPage: true });
  // Building and searching (CPU and WebGPU) asked nothing of any other host.
  expect(requests.foreign()).toEqual([]);
});

test('k-means with its assignment step on the GPU builds the same-quality index as on the CPU', async ({ page }) => {
  test.setTimeout(300_000);
  const cpu = await buildAndSearch(page, 'docs=600&d=64&tokens=32&m=8&method=kmeans&compressOn=cpu&storage=fp32&queries=24&backend=cpu');
  const gpu = await buildAndSearch(page, 'docs=600&d=64&tokens=32&m=8&method=kmeans&compressOn=gpu&storage=fp32&queries=24&backend=cpu');
  expect(cpu.compressedOn).toBe('cpu');
  expect(gpu.compressedOn).toBe('gpu');
  // The first 256 documents were also clustered with the CPU assigner: near-ties aside, the same.
  expect(gpu.gpuCheckTokens).toBeGreaterThan(0.99);
  expect(gpu.gpuCheckIdentical).toBeGreaterThan(0.95);
  await expect(page.locator('#scale-status')).toContainText('GPU k-means checked against the CPU on the first 256 documents');
  expect(gpu.bytesPerDoc).toBe(cpu.bytesPerDoc);
  expect(Math.abs(Number(gpu.recallAt10) - Number(cpu.recallAt10))).toBeLessThanOrEqual(1 / 24);
});

test('a lost GPU device falls back to the CPU and says so; the next search gets a new device', async ({ page }) => {
  test.setTimeout(300_000);
  const first = await buildAndSearch(page, 'docs=400&d=32&tokens=16&m=4&storage=fp32&queries=8&backend=gpu');
  expect(first.fallback).toBeNull();
  expect(first.gpuMsPerQuery).not.toBeNull();
  await page.getByRole('button', { name: 'Simulate GPU loss' }).click();
  await expect(page.locator('#search-status')).toContainText('The GPU device is gone');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.locator('#search-status')).toContainText('the CPU answered', { timeout: 120_000 });
  const fallen = await lastRun(page);
  expect(fallen.fallback).toMatch(/device was lost/);
  expect(fallen.cpuMsPerQuery).not.toBeNull();
  expect(fallen.recallAt10).toBe(first.recallAt10);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.locator('#scale-runs tbody tr')).toHaveCount(3, { timeout: 120_000 });
  const again = await lastRun(page);
  expect(again.fallback).toBeNull();
  expect(again.gpuMsPerQuery).not.toBeNull();
});

test('int8 and binary indexes are searched on the CPU, with the reason given when WebGPU was asked for', async ({ page }) => {
  const run = await buildAndSearch(page, 'docs=300&d=64&tokens=16&m=4&storage=int8&queries=8&backend=gpu');
  expect(run.fallback).toMatch(/the GPU kernels read fp32 and fp16 indexes; int8 is searched on the CPU/);
  expect(run.bytesPerDoc).toBe(4 * (64 + 4));
  // The browser's own memory count, workers included (cross-origin isolated page).
  await page.getByRole('button', { name: 'Measure memory (browser)' }).click();
  await expect(page.locator('#memory-status')).toHaveText(/^The browser counts \d+\.\d MiB for this page and its workers \(.*JavaScript [\d.]+/, { timeout: 60_000 });
  // Chromium's count treats WebAssembly memory unevenly, so the page says where the index lives.
  await expect(page.locator('#memory-status')).toContainText(/The index arrays hold [\d.]+ MiB, in WebAssembly memory shared by the search worker and its pool/);
});

test('building a large index can be cancelled, and nothing half-built is searchable', async ({ page }) => {
  await page.goto('/scale.html?docs=200000&d=64&tokens=32&m=8');
  await page.getByRole('button', { name: 'Build index' }).click();
  await expect(page.locator('#scale-status')).toContainText(/Built [\d,]+ of 200,000 documents/, { timeout: 60_000 });
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.locator('#scale-status')).toHaveText('Cancelled.', { timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Search' })).toBeDisabled();
  // The next build works.
  await page.fill('#scale-docs', '300');
  await page.getByRole('button', { name: 'Build index' }).click();
  await expect(page.locator('#scale-status')).toContainText('Built in', { timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Search' })).toBeEnabled();
});

test('top-k above 128 (GPU scores read back and sorted): the same 200 documents as the CPU, scores within 1e-6', async ({ page }) => {
  test.setTimeout(180_000);
  const run = await buildAndSearch(page, 'docs=600&d=32&tokens=16&m=4&method=uniform&storage=fp32&queries=4&k=200&backend=both');
  expect(run.fallback).toBeNull();
  expect(run.k).toBe(200);
  const lists = JSON.parse((await page.locator('#scale-runs tbody tr').last().getAttribute('data-topk'))!) as Record<'cpu' | 'gpu', { doc: number; score: number }[][]>;
  expect(lists.gpu).toHaveLength(4);
  lists.cpu.forEach((cpuHits, q) => {
    expect(cpuHits).toHaveLength(200);
    expect(lists.gpu[q]).toHaveLength(200);
    const gpuScore = new Map(lists.gpu[q].map((h) => [h.doc, h.score]));
    for (const h of cpuHits) expect(Math.abs(gpuScore.get(h.doc)! - h.score) / Math.abs(h.score)).toBeLessThan(1e-6);
  });
});

test("CPU search split across workers over shared memory returns one thread's exact lists; two-stage search with every document a candidate returns exhaustive's", async ({ page }) => {
  test.setTimeout(240_000);
  const lists = async () => JSON.parse((await page.locator('#scale-runs tbody tr').last().getAttribute('data-topk'))!) as Record<'cpu' | 'twoStage', { doc: number; score: number }[][]>;
  const base = 'docs=2500&d=64&tokens=16&m=8&storage=fp16&queries=8&k=10&backend=cpu';
  const one = await buildAndSearch(page, `${base}&threads=1&candidates=2500`);
  expect(one.threads).toBe(1);
  expect(one.kernels).toMatch(/^WebAssembly SIMD \(f32x4/); // with relaxed SIMD's fused multiply-add where Chromium has it
  const oneLists = await lists();
  // C = every document: the re-ranking sees everything, so two-stage is exhaustive search
  expect(oneLists.twoStage).toEqual(oneLists.cpu);
  expect(one.twoStageRecall).toBe(1);

  const two = await buildAndSearch(page, `${base}&threads=2&candidates=100`);
  expect(two.threads).toBe(2);
  // built by two workers too (each generates and compresses batches; appended in document order)
  expect(two.buildThreads).toBe(2);
  await expect(page.locator('#scale-status')).toContainText('on the CPU in 2 workers');
  const twoLists = await lists();
  // the same kernel on each worker's share of the documents: identical documents and scores
  expect(twoLists.cpu).toEqual(oneLists.cpu);
  // recall against exhaustive, counted here from the lists, and the page's own figure agrees
  let shared = 0;
  twoLists.twoStage.forEach((hits, q) => {
    const ex = new Set(twoLists.cpu[q].map((h) => h.doc));
    shared += hits.filter((h) => ex.has(h.doc)).length;
  });
  expect(two.twoStageRecall).toBeCloseTo(shared / 80, 12);
  expect(two.twoStageC).toBe(100);
  await expect(page.locator('#search-status')).toContainText(/Two-stage \(C = 100\): [\d.]+ ms per query on one thread against [\d.]+ ms exhaustive \(2 threads, one query\)/);
});
