/**
 * A text document's passage with its tokens marked: each token coloured by the stored vector it
 * was pooled into (after compression), struck through when a selection method dropped it, and
 * outlined in red when its stored vector won some query token's MaxSim. Tokens that have no place
 * in the text ([CLS], [D], [SEP]) are shown as chips before and after it, since they are stored
 * and can win matches too. With `heat`, tokens are coloured by a value instead (the similarity
 * maps of text documents). Plain DOM (text nodes), so the passage is never parsed as HTML.
 */
import type { MultiVector } from '../core/multivector.ts';
import { color, hsl } from 'd3';
import { clusterColour } from './patchCanvas.ts';

export interface TokenMarks {
  /** Stored vector of every token (-1: dropped), or undefined when uncompressed (token i is vector i). */
  assignments?: Int32Array;
  /** Number of stored vectors (for the colours). */
  stored: number;
  /** Stored vectors that won some query token's MaxSim. */
  won: Set<number>;
  /** A colour per token (a similarity map) instead of the cluster colours. */
  heat?: (i: number) => string;
}

export function renderPassage(el: HTMLElement, doc: MultiVector, marks: TokenMarks): void {
  el.replaceChildren();
  const t = doc.text;
  if (!t) return;
  el.dataset.doc = doc.id;
  const chip = (i: number) => {
    const span = token(i, t.tokens[i]);
    span.classList.add('chip');
    return span;
  };
  const token = (i: number, text: string) => {
    const span = document.createElement('span');
    span.className = 'tok';
    span.textContent = text;
    span.dataset.token = String(i);
    const stored = marks.assignments ? marks.assignments[i] : i;
    if (stored < 0) span.classList.add('dropped');
    else {
      span.dataset.stored = String(stored);
      if (marks.heat) {
        const c = marks.heat(i);
        span.style.backgroundColor = c;
        if ((hsl(c).l ?? 1) < 0.45) span.style.color = '#fff'; // dark end of the scale: light text
      } else if (marks.assignments) span.style.backgroundColor = color(clusterColour(stored, marks.stored))?.copy({ opacity: 0.35 }).toString() ?? '';
      if (marks.won.has(stored)) span.classList.add('won');
    }
    span.title = `${t.tokens[i]}: ${stored < 0 ? 'dropped' : `stored vector ${stored}`}${stored >= 0 && marks.won.has(stored) ? ', won a query token' : ''}`;
    return span;
  };
  const placed = [...t.tokens.keys()].filter((i) => t.start[i] >= 0);
  const first = placed.length ? placed[0] : t.tokens.length;
  for (let i = 0; i < first; i++) el.append(chip(i), ' ');
  let at = 0;
  for (const i of placed) {
    if (t.start[i] < at) continue; // overlapping pieces of one character: keep the first
    if (t.start[i] > at) el.append(t.passage.slice(at, t.start[i]));
    el.append(token(i, t.passage.slice(t.start[i], t.end[i])));
    at = t.end[i];
  }
  if (at < t.passage.length) el.append(t.passage.slice(at));
  for (let i = first; i < t.tokens.length; i++) if (t.start[i] < 0) el.append(' ', chip(i));
}

/** Tokens with runs of one repeated token written once with its count ("[MASK] × 27"). */
export function foldRuns(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; ) {
    let j = i;
    while (j < tokens.length && tokens[j] === tokens[i]) j++;
    out.push(j - i > 2 ? `${tokens[i]} × ${j - i}` : tokens.slice(i, j).join(' · '));
    i = j;
  }
  return out;
}
