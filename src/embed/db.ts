/**
 * The page's one IndexedDB database, shared by the embedding worker and the page: stored
 * embeddings (keyed by file content, model and options: store.ts) and the corpora of one's own
 * (their documents and pictures, restored after a reload: corpusDb.ts). One version number and
 * one upgrade for every store, so the worker and the page never open it at different versions.
 */

export const DB_NAME = 'mvc-playground';
/** v1: embeddings; v2: corpora and their documents. */
export const DB_VERSION = 2;
export const STORES = ['embeddings', 'corpora', 'corpus-docs'] as const;
export type StoreName = (typeof STORES)[number];

export function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      for (const name of STORES) if (!req.result.objectStoreNames.contains(name)) req.result.createObjectStore(name);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    // Another tab still holds the old version open: say so rather than wait without end.
    req.onblocked = () => reject(new Error('the page\'s storage is being upgraded while another tab of this page holds it open: close the other tabs and reload'));
  });
}

/**
 * Runs `fn` in one transaction over `stores` and settles on the transaction, not on the request:
 * a quota error aborts the transaction after the request succeeded.
 */
export async function inTransaction<T>(stores: StoreName[], mode: IDBTransactionMode, fn: (t: IDBTransaction) => IDBRequest<T> | (() => T) | void): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const t = db.transaction(stores, mode);
      const out = fn(t);
      // A request's result, or a function that reads the results of several (called at the end).
      const req = out instanceof IDBRequest ? out : undefined;
      t.oncomplete = () => resolve(typeof out === 'function' ? out() : req ? req.result : (undefined as T));
      t.onabort = () => reject(t.error ?? req?.error ?? new Error('the storage transaction was aborted'));
      t.onerror = () => reject(t.error ?? req?.error);
    });
  } finally {
    db.close();
  }
}
