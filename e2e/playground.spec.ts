import { expect, test, type Page } from '@playwright/test';
import { failOnConsoleErrors } from './consoleErrors.ts';

failOnConsoleErrors();

async function metric(page: Page, method: string, budget: string, name: string): Promise<number> {
  const cell = page.locator(`#results-table tr[data-method="${method}"][data-budget="${budget}"] td[data-metric="${name}"]`);
  return Number(await cell.textContent());
}

test('runs the engine in a worker and shows a result per method and budget', async ({ page }) => {
  await page.goto('/?view=synthetic');
  await page.selectOption('#preset', 'tiny');
  await page.fill('#budgets', '4,16');
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(page.locator('#status')).toContainText('Done', { timeout: 60_000 });
  // 6 default methods: uncompressed once, five methods x two budgets
  await expect(page.locator('#results-table tbody tr')).toHaveCount(1 + 5 * 2);
  // The tiny preset's 24 scenes, and what near-duplicates and distractors add (the caption said only "27 documents").
  await expect(page.locator('#results-table caption')).toContainText('27 documents: 24 scenes and 3 near-duplicates or distractors of them (972 tokens, d = 32), 24 queries, seed 1');
  // Planted structure: at m = 4, AGC keeps the salient tokens that uniform pooling averages away.
  const agc = await metric(page, 'agc', '4', 'ndcg@10');
  const uniform = await metric(page, 'uniform', '4', 'ndcg@10');
  expect(agc).toBeGreaterThan(0.85); // 0.875: the paper's softmax flattens the planted saliency (agc-raw: 0.990)
  expect(uniform).toBeLessThan(agc - 0.3);
  await page.screenshot({ path: 'test-results/screens/results.png', fullPage: true });
});

test("the field's other methods and the libraries' H-Pool variants are rows of their own", async ({ page }) => {
  await page.goto('/?view=synthetic');
  await page.selectOption('#preset', 'tiny');
  await page.fill('#budgets', '4,16');
  const chosen = ['none', 'agc', 'agc-raw', 'hpool-colpali', 'hpool-pylate', 'spatial-rows', 'prune', 'prune-merge'];
  for (const box of await page.locator('#methods input').all()) await box.setChecked(chosen.includes(await box.inputValue()));
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(page.locator('#status')).toContainText('Done', { timeout: 90_000 });
  await expect(page.locator('#results-table tbody tr')).toHaveCount(1 + 7 * 2);
  for (const m of chosen.slice(1)) await expect(page.locator(`#results-table tr[data-method="${m}"]`)).toHaveCount(2);
  // Adaptive pruning stores what each document keeps: under the cap, and the same at m = 4 and 16
  // wherever no document has more than 4 tokens above its threshold.
  const vectors = async (m: string, b: string) => Number(await page.locator(`#results-table tr[data-method="${m}"][data-budget="${b}"] td[data-column="vectors/doc"]`).textContent());
  expect(await vectors('prune', '4')).toBeLessThanOrEqual(4);
  expect(await vectors('prune', '16')).toBeLessThan(16);
  expect(await vectors('hpool-colpali', '16')).toBe(16);
});

test('cancel stops a long run and the next run works', async ({ page }) => {
  await page.goto('/?view=synthetic');
  await page.selectOption('#preset', 'video');
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(page.locator('#status')).toContainText('Compressing', { timeout: 60_000 });
  // the page stays responsive while the worker computes
  const t0 = Date.now();
  await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
  expect(Date.now() - t0).toBeLessThan(1000);
  const engineWorkers = () => page.workers().filter((w) => w.url().includes('engine')).length;
  expect(engineWorkers()).toBe(1);
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(page.locator('#status')).toHaveText(/Cancelled/);
  // Cancel really stops the work: the engine worker is terminated, not left computing.
  await expect.poll(engineWorkers).toBe(0);
  // no late progress from the stopped worker overwrites the message
  await page.waitForTimeout(500);
  await expect(page.locator('#status')).toHaveText(/Cancelled/);
  await page.selectOption('#preset', 'tiny');
  await page.fill('#budgets', '8');
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(page.locator('#status')).toContainText('Done', { timeout: 60_000 });
});

test('bad settings get a clear message where the user is looking', async ({ page }) => {
  await page.goto('/?view=synthetic');
  await page.fill('#budgets', '4, eight');
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(page.locator('#status')).toHaveText('budgets must be whole numbers from 1 to 100000 separated by commas, got "4, eight"');
});

test('a 300-document grid compressed on 2 workers gives the one-worker table, figure for figure', async ({ page }) => {
  const table = async (threads: number) => {
    await page.goto(`/?view=synthetic&preset=images&smethods=none;agc;hpool;kmeans;random&sbudgets=4,16&gthreads=${threads}`);
    // The progress bar as it goes (sampled in the page, every animation frame): the pool runs cells
    // ahead of the one scored, and the bar must not go back; the status says a time left on the way.
    await page.evaluate(() => {
      const w = window as unknown as { bar: number[]; said: string[] };
      [w.bar, w.said] = [[], []];
      const sample = () => {
        const status = document.getElementById('status')!.textContent ?? '';
        w.bar.push((document.getElementById('progress') as HTMLProgressElement).value);
        w.said.push(status);
        if (!status.startsWith('Done')) requestAnimationFrame(sample);
      };
      requestAnimationFrame(sample);
    });
    await page.getByRole('button', { name: 'Run' }).click();
    await expect(page.locator('#status')).toContainText('Done', { timeout: 110_000 });
    const { bar, said } = await page.evaluate(() => {
      const w = window as unknown as { bar: number[]; said: string[] };
      return { bar: w.bar, said: w.said };
    });
    const during = bar.filter((_, i) => said[i].startsWith('Compressing') || said[i].startsWith('Searching'));
    expect(during.length).toBeGreaterThan(5);
    during.forEach((v, i) => expect(v, `sample ${i}: ${during.slice(Math.max(0, i - 3), i + 1).join(", ")}`).toBeGreaterThanOrEqual(i ? during[i - 1] : 0));
    expect(said.some((x) => / s left$/.test(x)), said.filter((x, i) => x !== said[i - 1]).join(' | ')).toBe(true);
    if (threads > 1) await expect(page.locator('#status')).toContainText(`(compression and fp32 scoring on ${threads} threads)`);
    else await expect(page.locator('#status')).not.toContainText('threads');
    // Every cell but the timings (milliseconds differ run to run).
    return page.locator('#results-table tbody tr').evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].filter((td) => !/ms/.test(td.getAttribute('data-column') ?? td.className)).map((td) => td.textContent)),
    );
  };
  const one = await table(1);
  const two = await table(2);
  expect(one.length).toBe(1 + 4 * 2);
  expect(two).toEqual(one);
});
