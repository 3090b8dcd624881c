/**
 * The experiment in the URL, through one schema (as the TensorFlow Playground does): model,
 * device, corpus (the demo), query source, methods with their options, budgets, seed, the chart
 * metric and utilisation budget. A copied link reproduces the same figures; `run=1` replays it on
 * open, and `controls=0` hides the settings so a teacher can embed one state in slides.
 */
import { parseMethodSpec, formatMethodSpec } from './core/methodSpec.ts';
import { parseStorageList, type StorageType } from './core/storage.ts';

export interface PageState {
  model: string;
  device: 'auto' | 'webgpu' | 'wasm';
  dtype: string;
  /** 'demo': the built-in scenes (the only corpus a link can carry; files stay on the device). */
  corpus: 'demo' | '';
  queries: 'demo' | 'typed' | 'file';
  typed: string;
  methods: string[];
  budgets: number[];
  /** Storage types the compressed vectors are scored in (each a point on the bytes chart). */
  storages: StorageType[];
  seed: number;
  metric: string;
  util: number | null;
  run: boolean;
  controls: boolean;
  /** The teaching view's document, method, budget and step, if it is open. */
  teach: { doc: string; method: 'agc' | 'hpool'; m: number; step: number } | null;
}

export const DEFAULT_STATE: PageState = {
  model: 'teaching-clip',
  device: 'auto',
  dtype: '',
  corpus: '',
  queries: 'demo',
  typed: '',
  methods: ['none', 'agc', 'hpool', 'kmeans', 'uniform', 'random'],
  budgets: [4, 8, 16, 32, 64],
  storages: ['fp32', 'fp16', 'int8'],
  seed: 1,
  metric: '',
  util: null,
  run: false,
  controls: true,
  teach: null,
};

export class UrlStateError extends Error {
  constructor(message: string) {
    super(`This link's settings are not valid: ${message}`);
    this.name = 'UrlStateError';
  }
}

export function encodeState(s: PageState): string {
  const p = new URLSearchParams();
  if (s.model !== DEFAULT_STATE.model) p.set('model', s.model);
  if (s.device !== 'auto') p.set('device', s.device);
  if (s.dtype) p.set('dtype', s.dtype);
  if (s.corpus) p.set('corpus', s.corpus);
  p.set('queries', s.queries);
  if (s.queries === 'typed' && s.typed) p.set('q', s.typed);
  p.set('methods', s.methods.join(';'));
  p.set('budgets', s.budgets.join(','));
  if (s.storages.join(',') !== DEFAULT_STATE.storages.join(',')) p.set('storage', s.storages.join(','));
  if (s.seed !== 1) p.set('seed', String(s.seed));
  if (s.metric) p.set('metric', s.metric);
  if (s.util !== null) p.set('m', String(s.util));
  if (s.run) p.set('run', '1');
  if (!s.controls) p.set('controls', '0');
  if (s.teach) {
    p.set('tdoc', s.teach.doc);
    p.set('tmethod', s.teach.method);
    p.set('tm', String(s.teach.m));
    p.set('tstep', String(s.teach.step));
  }
  return p.toString();
}

/** Reads a query string; unknown methods, bad budgets and bad enums are errors, not silently dropped. */
export function decodeState(search: string): PageState {
  const p = new URLSearchParams(search);
  const s: PageState = { ...DEFAULT_STATE, methods: [...DEFAULT_STATE.methods], budgets: [...DEFAULT_STATE.budgets], storages: [...DEFAULT_STATE.storages] };
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const v = p.get(key);
    if (v === null) return fallback;
    if (!(allowed as readonly string[]).includes(v)) throw new UrlStateError(`${key} must be one of ${allowed.join(', ')}, got "${v}"`);
    return v as T;
  };
  s.model = p.get('model') ?? s.model;
  s.device = oneOf('device', ['auto', 'webgpu', 'wasm'] as const, 'auto');
  s.dtype = oneOf('dtype', ['', 'fp32', 'fp16', 'q8'] as const, '');
  s.corpus = oneOf('corpus', ['', 'demo'] as const, '');
  s.queries = oneOf('queries', ['demo', 'typed', 'file'] as const, 'demo');
  s.typed = p.get('q') ?? '';
  const methods = p.get('methods');
  if (methods !== null) {
    s.methods = methods.split(';').filter(Boolean).map((m) => {
      try {
        return formatMethodSpec(parseMethodSpec(m));
      } catch (err) {
        throw new UrlStateError((err as Error).message);
      }
    });
    if (s.methods.length === 0) throw new UrlStateError('methods is empty');
  }
  const budgets = p.get('budgets');
  if (budgets !== null) {
    s.budgets = budgets.split(',').map(Number);
    if (s.budgets.length === 0 || s.budgets.some((b) => !Number.isInteger(b) || b < 1)) throw new UrlStateError(`budgets must be positive whole numbers, got "${budgets}"`);
  }
  const storage = p.get('storage');
  if (storage !== null) {
    try {
      s.storages = parseStorageList(storage);
    } catch (err) {
      throw new UrlStateError((err as Error).message);
    }
  }
  const seed = p.get('seed');
  if (seed !== null) {
    s.seed = Number(seed);
    if (!Number.isInteger(s.seed)) throw new UrlStateError(`seed must be a whole number, got "${seed}"`);
  }
  s.metric = p.get('metric') ?? '';
  const m = p.get('m');
  s.util = m === null ? null : Number(m);
  if (s.util !== null && !(Number.isInteger(s.util) && s.util > 0)) throw new UrlStateError(`m must be a positive whole number, got "${m}"`);
  s.run = p.get('run') === '1';
  s.controls = p.get('controls') !== '0';
  const tdoc = p.get('tdoc');
  if (tdoc !== null) {
    const method = oneOf('tmethod', ['agc', 'hpool'] as const, 'agc');
    const tm = Number(p.get('tm') ?? 8);
    const step = Number(p.get('tstep') ?? 0);
    if (!(Number.isInteger(tm) && tm > 0)) throw new UrlStateError(`tm must be a positive whole number, got "${p.get('tm')}"`);
    if (!(Number.isInteger(step) && step >= 0)) throw new UrlStateError(`tstep must be a whole number >= 0, got "${p.get('tstep')}"`);
    s.teach = { doc: tdoc, method, m: tm, step };
  }
  return s;
}
