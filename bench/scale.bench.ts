/**
 * Browser scale benchmark (Chromium, through the scale test page): 10,000 and 100,000 documents
 * at m = 32, d = 128 (and 10,000 at d = 512), AGC, fp16 and fp32 storage; query latency and
 * throughput on the CPU (a pool of workers over shared memory, and one thread at 100,000), two-stage
 * search (C = 1,000) with its recall against exhaustive, and with the WebGPU kernels, bytes per document,
 * index and GPU memory, peak memory held while building, GPU-vs-CPU agreement.
 *
 * Here WebGPU runs on SwiftShader (a CPU rasteriser), so its figures are NOT GPU speed figures.
 *
 *   npm run bench:browser
 */
import { expect, test } from '@playwright/test';

// threads 0: one per core (the page's default); the 100,000-document case also on one thread.
const CASES = [
  { docs: 10000, d: 128, storage: 'fp16', queries: 16, threads: 0 },
  { docs: 10000, d: 128, storage: 'fp32', queries: 16, threads: 0 },
  { docs: 10000, d: 512, storage: 'fp16', queries: 8, threads: 0 },
  { docs: 100000, d: 128, storage: 'fp16', queries: 4, threads: 0 },
  { docs: 100000, d: 128, storage: 'fp16', queries: 4, threads: 1 },
];

for (const c of CASES) {
  test(`scale: ${c.docs} documents, d = ${c.d}, ${c.storage}, ${c.threads || 'all'} CPU thread(s)`, async ({ page }) => {
    test.setTimeout(1_200_000);
    // Main-thread responsiveness while the worker builds and searches: the longest gap between
    // ticks of a 10 ms heartbeat on the page.
    await page.addInitScript(() => {
      const w = window as unknown as { maxGap: number };
      w.maxGap = 0;
      let last = performance.now();
      setInterval(() => {
        const now = performance.now();
        w.maxGap = Math.max(w.maxGap, now - last);
        last = now;
      }, 10);
    });
    await page.goto(`/scale.html?docs=${c.docs}&d=${c.d}&tokens=64&m=32&method=agc&storage=${c.storage}&queries=${c.queries}&k=10&backend=both&threads=${c.threads}&candidates=1000&run=1`);
    await expect(page.locator('#search-status')).toContainText(/Done|failed/, { timeout: 1_150_000 });
    const run = await page.$$eval('#scale-runs tbody tr', (trs) => JSON.parse((trs[trs.length - 1] as HTMLElement).dataset.run!));
    const maxGap = await page.evaluate(() => (window as unknown as { maxGap: number }).maxGap);
    await page.getByRole('button', { name: 'Measure memory (browser)' }).click();
    await expect(page.locator('#memory-status')).toContainText(/counts|does not offer|failed/, { timeout: 120_000 });
    const memory = await page.locator('#memory-status').textContent();
    const f = (v: number | null, digits = 1) => (v === null ? '-' : v.toFixed(digits));
    console.log(
      `${run.docs} docs d=${run.d} m=${run.m} ${run.storage}: ${f(run.bytesPerDoc, 0)} B/doc, index ${f(run.indexMiB)} MiB, peak while building ${f(run.peakBuildMiB)} MiB, GPU ${f(run.gpuMiB)} MiB in ${run.gpuChunks} chunk(s); build ${f(run.buildS)} s\n` +
      `  CPU (${run.threads} thread(s), ${run.kernels}) ${f(run.cpuMsPerQuery)} ms/query (${f(1000 / run.cpuMsPerQuery, 2)} q/s), ${f(run.cpuSingleMs)} ms for one query; ` +
      `two-stage C = ${run.twoStageC}: ${f(run.twoStageMs)} ms/query, ${f(run.twoStageRecall * 100)}% of exhaustive's top 10; sign bits ${f(run.prefilterMs, 0)} ms, ${f(run.prefilterMiB)} MiB\n  WebGPU ${f(run.gpuMsPerQuery)} ms/query batched (${f(1000 / run.gpuMsPerQuery, 2)} q/s), ${f(run.gpuSingleMs)} ms for one query, upload ${f(run.gpuUploadMs)} ms; ` +
      `recall@10 ${f(run.recallAt10, 3)}; GPU vs CPU: top-10 agreement ${f(run.topkOverlap * 100)}%, max rel. score diff ${run.maxRelScoreDiff?.toExponential(1)}\n` +
      `  ${memory}\n` +
      `  page main thread: longest gap in a 10 ms heartbeat ${maxGap.toFixed(0)} ms while building and searching\n` +
      `  adapter: ${run.adapter}${run.softwareGpu ? ' (software: the WebGPU figures are NOT GPU speed)' : ''}${run.fallback ? `; fallback: ${run.fallback}` : ''}`,
    );
  });
}
