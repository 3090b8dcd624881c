import { describe, expect, it } from 'vitest';
import { sameOriginScript } from '../../src/trustedTypes.ts';

describe('the Trusted Types policy admits script URLs of this origin only', () => {
  const base = 'http://localhost:4173/?view=compare';
  it.each([
    ['/assets/embed.worker-abc.js', true],
    ['http://localhost:4173/assets/ort.mjs', true],
    ['blob:http://localhost:4173/6f1c2d', true],
    ['http://localhost:5173/assets/x.js', false], // another port is another origin
    ['https://example.com/w.js', false],
    ['blob:https://example.com/6f1c2d', false],
    ['data:text/javascript,close()', false],
    ['javascript:alert(1)', false],
    ['//example.com/w.js', false],
  ])('%s -> %s', (url, ok) => expect(sameOriginScript(url, base)).toBe(ok));
});
