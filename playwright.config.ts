import { defineConfig } from '@playwright/test';

// Debian's Chromium (apt-get install chromium), never a Playwright-downloaded browser.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: 'http://localhost:4173',
    launchOptions: {
      executablePath,
      // --liftoff-only: V8 compiles WebAssembly with its baseline compiler only. Every test has a fresh
      // context, so onnxruntime-web's 27 MB binary was otherwise compiled and then re-optimised by
      // TurboFan on both cores at every model load (measured: 6.5 -> 4.1 s to load the teaching
      // model). Test speed only: the product and what the tests check are unchanged.
      args: ['--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--js-flags=--liftoff-only'],
    },
  },
  webServer: {
    // Built here with the stand-in model hosts, which the page's <meta> policy must allow too.
    command: 'npx vite build --logLevel warn && npx vite preview --host localhost --port 4173 --strictPort',
    url: 'http://localhost:4173',
    reuseExistingServer: !process.env.CI,
    // The stand-in model hosts of the tests must pass the page's Content-Security-Policy.
    env: { MODEL_HOSTS: 'https://huggingface.co https://*.huggingface.co https://*.hf.co https://hub.example.test https://down.example.test' },
    timeout: 120_000,
  },
});
