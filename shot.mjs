import { chromium } from '@playwright/test';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--enable-unsafe-webgpu','--disable-background-networking','--no-first-run'] });
for (const [w, h] of [[1280, 720], [1920, 1080]]) {
  const ctx = await b.newContext({ viewport: { width: w, height: h } });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.log('PAGEERROR', e.message));
  page.on('console', (m) => m.type() === 'error' && console.log('CONSOLE', m.text()));
  await page.goto('http://localhost:4173/');
  await page.waitForSelector('#compare-status:has-text("Done in")', { timeout: 90000 });
  await page.evaluate(() => (document.getElementById('embed-status').textContent = ''));
  await page.setInputFiles('#folder', '/tmp/realdocs');
  await page.waitForFunction(() => /^(Done|Cancelled)/.test(document.getElementById('embed-status').textContent), null, { timeout: 400000 });
  console.log(w, await page.locator('#embed-status').textContent());
  console.log(await page.locator('#file-errors').innerText());
  await page.waitForFunction(() => /Done in .*documents/.test(document.getElementById('compare-status').textContent) && !/24 documents/.test(document.getElementById('compare-status').textContent), null, { timeout: 200000 });
  console.log(await page.locator('#compare-status').textContent());
  await page.screenshot({ path: `/tmp/real-compare-${w}.png` });
  await page.click('#views-nav a[data-view="maps"]');
  await page.selectOption('#maps-doc', 'shared-mime-info-spec.pdf#page=1');
  await page.waitForTimeout(3000);
  await page.screenshot({ path: `/tmp/real-maps-${w}.png` });
  await page.reload();
  await page.waitForFunction(() => /Done in/.test(document.getElementById('compare-status').textContent), null, { timeout: 200000 });
  console.log('reload:', await page.locator('#compare-status').textContent(), '|', await page.locator('#embed-status').textContent());
  await page.screenshot({ path: `/tmp/real-reload-${w}.png` });
  await ctx.close();
}
await b.close();
