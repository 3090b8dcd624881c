/** Small pieces shared by the page's panels. */

export function download(name: string, data: Blob | string, type = 'text/plain'): void {
  const blob = typeof data === 'string' ? new Blob([data], { type }) : data;
  const a = Object.assign(document.createElement('a'), { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** " (compression and fp32 scoring on 2 threads)" after a run's time when it used a pool, else nothing. */
export const threadsNote = (threads: number | undefined) => (threads && threads > 1 ? ` (compression and fp32 scoring on ${threads} threads)` : '');

/**
 * Shows experiment-grid progress: the share of the run's estimated work done (the event's
 * `fraction`, gridWork.ts; else the fraction of cells, each a compress and a search half) and the
 * time left, on a progress bar and a status line. Ignores other stages. A pool compresses cells
 * ahead of the one being scored, so events run ahead and back: the bar only moves forward within
 * a run (`started`), and the line says what the furthest event says.
 */
export function showGridProgress(
  p: import('../core/experiment.ts').ExperimentProgress,
  started: number,
  bar: HTMLProgressElement,
  status: HTMLElement,
): void {
  if (p.stage !== 'compress' && p.stage !== 'search') return;
  const fraction = p.fraction ?? (p.cell + (p.stage === 'compress' ? 0 : 0.5) + (0.5 * p.done) / p.total) / p.cells;
  const run = String(started);
  if (bar.dataset.run === run && fraction < bar.value) return;
  // The time left is measured from the run's first step, not from `started` (building a synthetic
  // corpus or starting the workers came before it, and is no part of what is left).
  if (bar.dataset.run !== run) bar.dataset.first = String(performance.now());
  bar.dataset.run = run;
  bar.value = fraction;
  const elapsed = (performance.now() - Number(bar.dataset.first)) / 1000;
  // Counting cells, an estimate from the first ones is far off (84 s said for a run of 14 s): none
  // before a tenth. Weighed by their work, from a twentieth.
  const left = fraction >= (p.fraction === undefined ? 0.1 : 0.05) ? (elapsed / fraction) * (1 - fraction) : NaN;
  status.textContent = `${p.stage === 'compress' ? 'Compressing' : 'Searching'} with ${p.method}${p.budget ? ` at m = ${p.budget}` : ' (uncompressed)'}: ${p.done} / ${p.total}, cell ${p.cell + 1} of ${p.cells}${Number.isFinite(left) ? `, about ${Math.ceil(left)} s left` : ''}`;
}

/** Downloads an exported index (safetensors, manifest, Qdrant JSONL when there is one); returns what was written. */
export function downloadIndex(r: { baseName: string; documents: number; vectors: number; index: Blob; manifest: string; points?: Blob }): string {
  download(`${r.baseName}.safetensors`, r.index);
  download(`${r.baseName}.json`, r.manifest, 'application/json');
  if (r.points) download(`${r.baseName}.qdrant.jsonl`, r.points);
  return `${r.baseName}.safetensors (${r.documents} documents, ${r.vectors} vectors, ${(r.index.size / 2 ** 20).toFixed(2)} MiB), its manifest with the Qdrant collection settings` +
    (r.points ? `, and ${r.baseName}.qdrant.jsonl` : '; no Qdrant points for binary vectors (Qdrant multivectors score dot products)');
}
