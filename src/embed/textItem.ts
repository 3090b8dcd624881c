/**
 * One dropped text file in the embedding worker: its passages (src/embed/textDocs.ts) embedded by
 * the loaded ColBERT model in batches of 8, each passage a document with its text and token spans,
 * read from and written to the stored embeddings per file content, passage span and model. Bad
 * lines and a file over the limit are reported; the other passages and files go on.
 */
import type { MultiVector } from '../core/multivector.ts';
import { LIMITS } from '../core/limits.ts';
import type { ColbertEmbedder } from './colbert.ts';
import { sha256 } from './store.ts';
import { jsonlPassages, looksBinary, PASSAGE_WORDS, plainTextPassages, type Passage } from './textDocs.ts';
import type { EmbedResult } from './workerTypes.ts';

/** What a handler needs of the worker's batch: where documents, errors, progress and notes go. */
export interface ItemContext {
  /**
   * A stored-embedding key: `what` (the file's hash and where in it), the loaded model, its
   * fingerprint, weights and device, then `settings`, then the engine version. (PDF pages keep the
   * order their keys had before this was shared, so pages stored then are still found.)
   */
  storeKey(what: string[], settings: string[]): string;
  accept(doc: MultiVector): void;
  fail(name: string, message: string): void;
  /** One more document done. */
  done(name: string, ms: number): void;
  /** The batch has `n` more items than it was given (a file gave several documents). */
  grow(n: number): void;
  cancelled(): boolean;
  decoders: EmbedResult['decoders'];
  notes: string[];
  /** The stored document under `key` (or undefined; a record not served is noted for the user under `id`). */
  recall(key: string | undefined, id: string): Promise<MultiVector | undefined>;
  /** Stores a document for the next drop (a storage failure is noted, never thrown). */
  keep(key: string | undefined, doc: MultiVector, decoder: string): Promise<void>;
  fromStore(): void;
}

/** Embeds the passages of one text file; returns how many passages it had (0: the caller counts the file as done). */
export async function embedTextItem(c: ColbertEmbedder | undefined, name: string, file: Blob, jsonl: boolean, ctx: ItemContext): Promise<number> {
  let count = 0;
  try {
    if (!c) throw new Error('text documents need a text model: load a ColBERT model (answerai-colbert-small-v1, or a local ColBERT folder) to embed .txt, .md and JSONL files');
    if (file.size > LIMITS.textBytes) throw new Error(`${(file.size / 2 ** 20).toFixed(0)} MiB, over the ${LIMITS.textBytes / 2 ** 20} MiB a text file may have here; split it`);
    // Read once: decoded for the passages, hashed for the stored keys.
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (looksBinary(bytes)) throw new Error('binary data, not text (a NUL byte or many control characters near the start); give a .txt, .md or JSONL file');
    const raw = new TextDecoder().decode(bytes);
    const { passages, errors, leftOut } = jsonl ? jsonlPassages(name, raw) : plainTextPassages(name, raw);
    for (const x of errors) ctx.fail(x.name, x.message);
    if (leftOut) ctx.notes.push(`${name}: the first ${passages.length.toLocaleString('en')} passages were embedded, ${leftOut.toLocaleString('en')} more left out (at most ${LIMITS.passagesPerFile.toLocaleString('en')} per file; split the file)`);
    count = passages.length;
    if (count > 1) ctx.grow(count - 1);
    let cut = 0;
    // Stored per file content, passage span, model and settings, as pictures are.
    const fileHash = await sha256(bytes).catch(() => undefined);
    const keyOf = (p: Passage) => fileHash && ctx.storeKey([fileHash, `passage=${p.id}:${p.start}-${p.end}`], [`words=${PASSAGE_WORDS}`]);
    for (let i = 0; i < passages.length && !ctx.cancelled(); i += 8) {
      const part = passages.slice(i, i + 8);
      const t0 = performance.now();
      const stored = await Promise.all(part.map((p) => ctx.recall(keyOf(p), p.id)));
      const todo = part.filter((_, k) => !stored[k]);
      const embs = todo.length ? await c.embedPassages(todo.map((p) => p.text)) : [];
      for (const [k, p] of part.entries()) {
        let doc = stored[k] && { ...stored[k]!, id: p.id };
        if (!doc) {
          const pe = embs[todo.indexOf(p)];
          if (pe.truncated > 0) cut++;
          doc = {
            id: p.id,
            n: pe.n,
            d: pe.d,
            data: pe.vectors,
            saliency: pe.saliency ?? new Float32Array(pe.n).fill(1),
            saliencySource: pe.saliency ? c.saliencySource : 'uniform',
            text: { passage: p.text, tokens: pe.tokenIds.map((id) => c.tokenLabel(id)), start: pe.start, end: pe.end },
          };
          await ctx.keep(keyOf(p), doc, 'text');
        }
        try {
          ctx.accept(doc);
          ctx.decoders[p.id] = stored[k] ? 'stored' : 'text';
          if (stored[k]) ctx.fromStore();
        } catch (err) {
          ctx.fail(p.id, (err as Error).message);
        }
        ctx.done(p.id, (performance.now() - t0) / part.length);
      }
    }
    if (cut > 0) ctx.notes.push(`${name}: ${cut} passage${cut > 1 ? 's were' : ' was'} longer than the model's ${c.bundle.settings.documentLength} tokens and cut there`);
  } catch (err) {
    ctx.fail(name, (err as Error).message);
  }
  return count;
}
