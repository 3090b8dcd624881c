/**
 * The maps' query-token buttons: "Whole query", then each token; ColBERT's [MASK] expansion tokens
 * (each a vector of its own) fold under one summary so the query's words stay in view.
 */

/** Token indices shown as buttons, and those folded under the expansion summary. */
export function tokenGroups(names: readonly string[]): { words: number[]; expansion: number[] } {
  const expansion = names.flatMap((n, t) => (n === '[MASK]' ? [t] : []));
  const fold = expansion.length > 3;
  return { words: names.flatMap((n, t) => (n === '[MASK]' && fold ? [] : [t])), expansion: fold ? expansion : [] };
}

/** Fills `box` with the buttons; `pick(t)` runs when a token is hovered, focused or clicked (-1: whole query). */
export function drawTokenButtons(box: HTMLElement, names: readonly string[], selected: number, pick: (t: number) => void): void {
  const button = (t: number) => {
    const b = Object.assign(document.createElement('button'), { type: 'button', textContent: t < 0 ? 'Whole query' : (names[t] ?? `token ${t + 1}`) });
    b.dataset.token = String(t);
    b.setAttribute('aria-pressed', String(t === selected));
    const choose = () => {
      if (b.getAttribute('aria-pressed') === 'true') return;
      for (const x of box.querySelectorAll('button')) x.setAttribute('aria-pressed', String(x === b));
      pick(t);
    };
    b.addEventListener('pointerenter', choose);
    b.addEventListener('focus', choose);
    b.addEventListener('click', choose);
    return b;
  };
  const { words, expansion } = tokenGroups(names);
  box.replaceChildren(button(-1), ...words.map(button));
  if (expansion.length) {
    const more = document.createElement('details');
    more.className = 'expansion';
    more.append(Object.assign(document.createElement('summary'), { textContent: `${expansion.length} query expansion tokens ([MASK])` }), ...expansion.map(button));
    box.append(more);
  }
}
