/** Probes of the Content-Security-Policy, run in the page by the CSP tests (preview and dev server). */
import type { Page } from '@playwright/test';

/**
 * What Trusted Types must refuse: HTML from a string, a foreign worker; a worker of this origin passes.
 * (eval cannot be probed from here: Playwright's evaluate runs outside the page's CSP.)
 */
export const TRUSTED_TYPES_REFUSALS = { html: 'refused', foreignWorker: 'refused', ownWorker: 'allowed' };
export const trustedTypesRefusals = (page: Page) =>
  page.evaluate(() => {
    const attempt = (f: () => unknown) => {
      try {
        f();
        return 'allowed';
      } catch {
        return 'refused';
      }
    };
    const div = document.createElement('div');
    return {
      html: attempt(() => (div.innerHTML = '<img src=x onerror="window.__xss = 1">')),
      foreignWorker: attempt(() => new Worker('https://example.com/w.js')),
      ownWorker: attempt(() => new Worker(URL.createObjectURL(new Blob(['close()'], { type: 'text/javascript' })))),
    };
  });

/** Appends an inline <script> and says whether it ran (Trusted Types refuse its text before CSP refuses to run it). */
export const injectedScriptRan = (page: Page) =>
  page.evaluate(() => {
    const s = document.createElement('script');
    try {
      s.textContent = 'window.__injected = true';
    } catch {
      return false;
    }
    document.head.append(s);
    return (window as unknown as { __injected?: boolean }).__injected === true;
  });

/** Every request the page makes from now on; `foreign()` lists those to another origin (blob: and data: are local). */
export function recordRequests(page: Page): { all: string[]; foreign(): string[] } {
  const all: string[] = [];
  page.on('request', (r) => all.push(r.url()));
  return {
    all,
    foreign: () => {
      const origin = new URL(page.url()).origin;
      return all.filter((u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:'));
    },
  };
}
