/**
 * The scale page's settings, read from its URL with the same key helpers and reader as the
 * playground (schema.ts): one parser per key, errors that name the parameter. `run=1` builds and
 * searches on open, which is how the browser benchmark drives the page.
 */
import { METHODS } from '../../core/methods/registry.ts';
import { STORAGE_TYPES } from '../../core/storage/stored.ts';
import { flag, integer, oneOf } from './schema.ts';

/** The methods the scale page offers: every registered one but the uncompressed reference. */
export const SCALE_METHODS = METHODS.filter((m) => m.id !== 'none');

export const SCALE_SCHEMA = {
  docs: integer('docs', 10_000, 1, 'documents in the synthetic index', 1_000_000),
  d: integer('d', 128, 4, 'dimension', 2048),
  tokens: integer('tokens', 64, 1, 'tokens per document', 4096),
  m: integer('m', 32, 1, 'budget m'),
  method: oneOf('method', SCALE_METHODS.map((m) => m.id), 'agc', 'compression method'),
  compressOn: oneOf('compressOn', ['cpu', 'gpu'] as const, 'cpu', 'where k-means runs'),
  storage: oneOf('storage', STORAGE_TYPES, 'fp16', 'storage type'),
  queries: integer('queries', 32, 1, 'queries', 1000),
  seed: integer('seed', 1, Number.MIN_SAFE_INTEGER, 'seed'),
  k: integer('k', 10, 1, 'top k', 1000),
  backend: oneOf('backend', ['both', 'cpu', 'gpu'] as const, 'both', 'search backend'),
  binding: integer('binding', 0, 0, 'largest GPU buffer binding in bytes (0: the device limit)'),
  threads: integer('threads', 0, 0, 'CPU search threads (0: one per core)', 64),
  candidates: integer('candidates', 1000, 0, 'two-stage search: candidates re-ranked exactly (0: exhaustive only)', 1_000_000),
  baseline: flag('baseline', false, 'keep an uncompressed baseline for recall'),
  run: flag('run', false, 'build and search on open'),
};
