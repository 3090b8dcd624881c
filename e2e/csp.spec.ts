/**
 * The development server (npm start) serves the page with the same Content-Security-Policy as the
 * preview and the build (plus its HMR websocket): injected inline script and foreign requests are
 * blocked there too.
 */
import { expect, test } from '@playwright/test';
import { createServer, type ViteDevServer } from 'vite';
import { CSP, DEV_CSP } from '../vite.config.ts';
import { failOnConsoleErrors } from './consoleErrors.ts';
import { injectedScriptRan, TRUSTED_TYPES_REFUSALS, trustedTypesRefusals } from './cspProbes.ts';

failOnConsoleErrors();

let server: ViteDevServer;
test.beforeAll(async () => {
  server = await createServer({ configFile: 'vite.config.ts', server: { port: 5199, strictPort: true, host: 'localhost' }, logLevel: 'error' });
  await server.listen();
});
test.afterAll(async () => server?.close());

test('the dev server sends the policy: inline script and foreign requests are blocked', async ({ page }) => {
  const response = await page.goto('http://localhost:5199/?view=synthetic');
  const csp = (await response!.allHeaders())['content-security-policy'];
  expect(csp).toBe(DEV_CSP);
  expect(DEV_CSP).toContain(CSP.split('; ')[0]);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Multi-vector compression playground');
  const ran = await injectedScriptRan(page);
  expect(ran).toBe(false);
  expect(await trustedTypesRefusals(page)).toEqual(TRUSTED_TYPES_REFUSALS);
  const blocked = await page.evaluate(() => fetch('https://example.com/x').then(() => 'loaded', (e) => String(e)));
  expect(blocked).toContain('Failed to fetch');
  // The page works under it: the engine worker runs the synthetic grid.
  await page.selectOption('#preset', 'tiny');
  await page.fill('#budgets', '4');
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(page.locator('#status')).toContainText('Done', { timeout: 90_000 });
});
