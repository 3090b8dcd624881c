/** The Synthetic view's results table: one row per method x budget x storage type. */
import type { ExperimentResult } from '../../core/experiment.ts';

/** Column names and each row's cells, as text (pure: unit-tested without a browser). */
export function syntheticRows(result: ExperimentResult): { headers: string[]; metrics: string[]; rows: { method: string; budget: string; cells: string[] }[] } {
  const metrics = result.config.ks.flatMap((k) => [`recall@${k}`, `ndcg@${k}`]);
  const headers = ['method', 'budget', 'storage', 'vectors/doc', 'bytes/doc', ...metrics, 'active', 'ms/doc'];
  const rows = result.rows.map((r) => ({
    method: r.method,
    budget: String(r.budget ?? 'full'),
    cells: [
      r.label, String(r.budget ?? 'full'), r.storage, r.vectorsPerDoc.toFixed(1), r.bytesPerDoc.toFixed(0),
      ...metrics.map((m) => r.metrics[m].toFixed(3)), `${(r.utilization.activeFraction * 100).toFixed(1)}%`, r.compressMsPerDoc.toFixed(2),
    ],
  }));
  return { headers, metrics, rows };
}

/**
 * The table's caption: a preset of N scenes makes more documents than N (near-duplicates judged
 * relevant, unjudged distractors), which the caption now says (it read "336 documents" under a
 * "300 images" preset with no word why).
 */
export function syntheticCaption(result: ExperimentResult, scenes: number): string {
  const extra = result.documents - scenes;
  const made = extra > 0 ? `: ${scenes} scenes and ${extra} near-duplicates or distractors of them` : '';
  return `${result.documents} documents${made} (${result.tokens} tokens, d = ${result.dimension}), ${result.queries} queries, seed ${result.config.seed}`;
}

export function renderSyntheticTable(results: HTMLElement, result: ExperimentResult, scenes: number): void {
  const { headers, metrics, rows } = syntheticRows(result);
  const table = document.createElement('table');
  table.id = 'results-table';
  table.createCaption().textContent = syntheticCaption(result, scenes);
  const head = table.createTHead().insertRow();
  for (const h of headers) head.append(Object.assign(document.createElement('th'), { textContent: h, scope: 'col' }));
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    tr.dataset.method = r.method;
    tr.dataset.budget = r.budget;
    r.cells.forEach((c, i) => {
      const td = tr.insertCell();
      td.textContent = c;
      td.dataset.column = headers[i];
      if (i >= 5 && i < 5 + metrics.length) td.dataset.metric = metrics[i - 5];
    });
  }
  results.replaceChildren(table);
  if (result.failures.length) {
    const list = document.createElement('ul');
    for (const f of result.failures) list.append(Object.assign(document.createElement('li'), { textContent: `Skipped ${f.message}` }));
    results.append(list);
  }
}
