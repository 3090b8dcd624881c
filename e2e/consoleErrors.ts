import { expect, test } from '@playwright/test';

/** Fails every test of the file that logs a page error or a console error. */
export function failOnConsoleErrors(): void {
  const errors: string[] = [];
  test.beforeEach(({ page }) => {
    errors.length = 0;
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  });
  test.afterEach(() => expect(errors).toEqual([]));
}
