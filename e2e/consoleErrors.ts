import { expect, test } from '@playwright/test';

/**
 * Fails every test of the file that logs a page error or a console error. The expected ones are
 * the CSP refusing the CSP tests' deliberate request to example.com and their inline script, and
 * Trusted Types refusing their HTML, script and foreign worker URL.
 */
const EXPECTED =
  /https:\/\/example\.com\/x.*(Content Security Policy)|(Executing inline script violates|Refused to execute inline script because it violates) the following Content Security Policy|This document requires 'Trusted(HTML|Script|ScriptURL)' assignment|Trusted Types: script URL https:\/\/example\.com/;

export function failOnConsoleErrors(): void {
  const errors: string[] = [];
  test.beforeEach(({ page }) => {
    errors.length = 0;
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && !EXPECTED.test(m.text()) && errors.push(m.text()));
  });
  test.afterEach(() => expect(errors).toEqual([]));
}
