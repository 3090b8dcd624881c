import { defineConfig } from '@playwright/test';
import { join } from 'node:path';
import base from '../playwright.config.ts';

/** The browser benchmark: same server and Chromium as the e2e tests, figures printed, no pass/fail. */
export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: /.*\.bench\.ts/,
  timeout: 600_000,
  outputDir: join(import.meta.dirname, '..', 'test-results', 'bench'),
  webServer: { ...(base.webServer as object), cwd: join(import.meta.dirname, '..') } as typeof base.webServer,
});
