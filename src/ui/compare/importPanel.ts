/**
 * The import of embeddings made elsewhere (a corpus with its own queries): read and checked in the
 * engine worker, kept here whole or not at all. The rail's Corpus menu then offers it; an imported
 * corpus brings its own query vectors, so the text-query controls do not apply to it.
 */
import type { EngineClient, ImportSummary } from '../../clients/engineClient.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export interface ImportedCorpus {
  name: string;
  summary: ImportSummary;
  qrels: Map<string, Map<string, number>>;
}

/** What the import status line says after a successful import. */
export function importSummaryText(imported: ImportedCorpus): string {
  const { summary, qrels } = imported;
  const c = summary.corpus;
  return (
    `Imported ${c.docs.length} documents (${summary.tokens} vectors, d = ${c.d}, ${c.layout}, ${c.dtype}), ${c.queries.length} queries, ` +
    `${qrels.size} with relevance${c.manifest ? `; an exported index (${c.manifest.method}, m = ${c.manifest.budget ?? 'full'}, ${c.manifest.storage})` : ''}.` +
    (c.notes.length ? ` Notes: ${c.notes.join('; ')}.` : '') +
    (c.queries.length ? " The comparison runs on it now (Compare view; the rail's Corpus chooses)." : ' Add a queries file to compare methods on it.')
  );
}

/** Whether the rail's Corpus menu points at the imported corpus (and one is there). */
export const usesImported = (imported: ImportedCorpus | undefined): imported is ImportedCorpus => $<HTMLSelectElement>('compare-corpus').value === 'imported' && imported !== undefined;

/** Binds the import form and the Corpus menu; `onReady` runs when an import has queries to compare, `onCorpus` when the menu changes. */
export function initImport(engine: EngineClient, hooks: { onReady(): void; onCorpus(): void }): { imported(): ImportedCorpus | undefined } {
  const status = $<HTMLParagraphElement>('import-status');
  const corpusSelect = $<HTMLSelectElement>('compare-corpus');
  let imported: ImportedCorpus | undefined;
  const syncCorpusChoice = () => {
    const own = corpusSelect.value === 'imported';
    for (const id of ['query-source', 'typed-queries', 'queries-file']) $<HTMLInputElement>(id).disabled = own;
  };
  corpusSelect.addEventListener('change', () => (syncCorpusChoice(), hooks.onCorpus()));
  const fail = (text: string) => {
    status.textContent = text;
    status.classList.add('error');
  };
  $<HTMLFormElement>('import-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.classList.remove('error');
    const docsFile = $<HTMLInputElement>('import-docs').files?.[0];
    if (!docsFile) return fail('Choose a documents file (.safetensors or .npz).');
    const button = $<HTMLButtonElement>('import-run');
    button.disabled = true;
    status.textContent = `Reading ${docsFile.name} (${(docsFile.size / 2 ** 20).toFixed(1)} MiB)…`;
    try {
      const summary = await engine.importFiles(docsFile, $<HTMLInputElement>('import-queries').files?.[0], $<HTMLInputElement>('import-qrels').files?.[0]);
      const c = summary.corpus;
      imported = { name: docsFile.name, summary, qrels: new Map(c.qrels.map(([q, rel]) => [q, new Map(rel)])) };
      const option = corpusSelect.querySelector<HTMLOptionElement>('option[value="imported"]')!;
      option.disabled = false;
      option.textContent = `Imported: ${docsFile.name} (${c.docs.length} documents, ${c.queries.length} queries)`;
      corpusSelect.value = 'imported';
      syncCorpusChoice();
      // The rail's list of corpora shows the import beside the embedded ones.
      corpusSelect.dispatchEvent(new Event('corpus-imported'));
      status.textContent = importSummaryText(imported);
      if (c.queries.length) hooks.onReady();
    } catch (err) {
      fail(`Nothing was imported. ${(err as Error).message}`);
    } finally {
      button.disabled = false;
    }
  });
  return { imported: () => imported };
}
