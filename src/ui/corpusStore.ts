/**
 * The embedded corpus's version: a signal every view that shows documents subscribes to (the
 * side-by-side lists, the teaching view, the similarity maps, the auto-comparison), instead of a
 * global DOM event. `reason` says why it changed, so a model switch (which empties the corpus)
 * is not mistaken for new documents.
 */
import { signal } from '@preact/signals-core';

export const corpusVersion = signal<{ n: number; reason: 'embedded' | 'cleared' }>({ n: 0, reason: 'cleared' });

export function corpusChanged(reason: 'embedded' | 'cleared'): void {
  corpusVersion.value = { n: corpusVersion.peek().n + 1, reason };
}
