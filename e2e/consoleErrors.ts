import { expect, test } from '@playwright/test';

/**
 * Fails every test of the file that logs a page error or a console error. The one expected error
 * is the CSP refusing the deliberate request to example.com in the CSP test.
 */
const EXPECTED = /https:\/\/example\.com\/x.*(Content Security Policy)/;

export function failOnConsoleErrors(): void {
  const errors: string[] = [];
  test.beforeEach(({ page }) => {
    errors.length = 0;
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && !EXPECTED.test(m.text()) && errors.push(m.text()));
  });
  test.afterEach(() => expect(errors).toEqual([]));
}
