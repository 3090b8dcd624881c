import { chromium } from '@playwright/test';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--enable-unsafe-webgpu','--disable-background-networking','--no-first-run'] });
for (const [w, h] of [[1280, 720], [1920, 1080]]) {
  const ctx = await b.newContext({ viewport: { width: w, height: h } });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.log('PAGEERROR', e.message));
  await page.goto('http://localhost:4173/');
  await page.waitForSelector('#compare-status:has-text("Done in")', { timeout: 90000 });
  await page.setInputFiles('#files', ['/usr/share/doc/libtasn1-doc/libtasn1.pdf']);
  await page.waitForFunction(() => /Done: /.test(document.getElementById('embed-status').textContent), null, { timeout: 300000 });
  console.log(await page.locator('#embed-status').textContent());
  await page.waitForFunction(() => /Done in .*libtasn1|Done in/.test(document.getElementById('compare-status').textContent), null, { timeout: 120000 });
  await page.click('#views-nav a[data-view="maps"]');
  await page.selectOption('#maps-doc', 'libtasn1.pdf#page=1');
  await page.waitForSelector('#maps canvas', { timeout: 60000 });
  await page.waitForTimeout(1500);
  console.log(await page.locator('#maps-status').textContent(), await page.locator('#maps-legend').textContent());
  await page.screenshot({ path: `/tmp/maps-${w}.png` });
  await page.click('#views-nav a[data-view="side"]');
  await page.waitForTimeout(3000);
  await page.screenshot({ path: `/tmp/side-${w}.png` });
  await ctx.close();
}
await b.close();
