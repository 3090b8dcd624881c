import { describe, expect, it } from 'vitest';
import { scoreSentence } from '../../../src/ui/teach/steps.ts';

describe('the teaching story\'s last step', () => {
  it('never says "1.75 instead of 1.75"', () => {
    expect(scoreSentence(1.5, 1.75)).toBe('The score is 1.50 instead of 1.75 uncompressed.');
    expect(scoreSentence(1.75, 1.75)).toBe('The score is 1.75, the same as uncompressed.');
    // 1.7523 and 1.7519 both print as 1.75 with two decimals.
    expect(scoreSentence(1.7523, 1.7519)).toBe('The score is 1.7523 against 1.7519 uncompressed: the same to two decimals.');
  });
});
