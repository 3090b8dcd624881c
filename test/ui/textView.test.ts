// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { MultiVector } from '../../src/core/multivector.ts';
import { foldRuns, renderPassage } from '../../src/ui/textView.ts';

/** "red apple, pie": [CLS] [D] red apple pie [SEP] (the comma left out, as ColBERT does). */
const doc = (): MultiVector => ({
  id: 'p1',
  n: 6,
  d: 2,
  data: new Float32Array(12).fill(0.5),
  text: { passage: 'red apple, pie', tokens: ['[CLS]', '[D]', 'red', 'apple', 'pie', '[SEP]'], start: Int32Array.of(-1, -1, 0, 4, 11, -1), end: Int32Array.of(-1, -1, 3, 9, 14, -1) },
});

describe('a passage with its tokens marked', () => {
  it('keeps the text as it is, with special tokens as chips before and after', () => {
    const el = document.createElement('div');
    renderPassage(el, doc(), { stored: 6, won: new Set([3]) });
    expect(el.textContent).toBe('[CLS] [D] red apple, pie [SEP]');
    expect([...el.querySelectorAll('.chip')].map((c) => c.textContent)).toEqual(['[CLS]', '[D]', '[SEP]']);
    // Uncompressed: token i is stored vector i; only "apple" (token 3) won.
    expect([...el.querySelectorAll('.tok.won')].map((c) => c.textContent)).toEqual(['apple']);
    expect(el.querySelector('[data-token="3"]')!.getAttribute('title')).toBe('apple: stored vector 3, won a query token');
  });
  it('colours tokens by the vector they were pooled into, and strikes out dropped ones', () => {
    const el = document.createElement('div');
    // red and apple pooled into vector 0, pie dropped, the specials into vector 1; vector 0 won.
    renderPassage(el, doc(), { assignments: Int32Array.of(1, 1, 0, 0, -1, 1), stored: 2, won: new Set([0]) });
    const bg = (i: number) => (el.querySelector(`[data-token="${i}"]`) as HTMLElement).style.backgroundColor;
    expect(bg(2)).toBe(bg(3));
    expect(bg(2)).not.toBe(bg(0));
    expect(bg(0)).toBe(bg(5));
    expect(el.querySelector('[data-token="4"]')!.classList.contains('dropped')).toBe(true);
    expect([...el.querySelectorAll('.tok.won')].map((c) => c.textContent)).toEqual(['red', 'apple']);
  });
  it('folds a run of one token into a count', () => {
    expect(foldRuns(['[CLS]', '[Q]', 'red', '[SEP]', '[MASK]', '[MASK]', '[MASK]'])).toEqual(['[CLS]', '[Q]', 'red', '[SEP]', '[MASK] × 3']);
    expect(foldRuns(['a', 'a', 'b'])).toEqual(['a · a', 'b']);
  });
});
