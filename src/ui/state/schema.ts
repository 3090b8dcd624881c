/**
 * The page state, one table (as the TensorFlow Playground's state.ts): every key that matters has
 * its default, its parser (which checks it and says what is wrong) and its URL form written once
 * here. The URL, the rail's controls and the views all go through this table, so a copied link
 * reproduces what was on screen, and a default lives in exactly one place.
 */
import { formatMethodSpec, parseMethodSpec } from '../../core/methodSpec.ts';
import { EVAL_STORAGE_TYPES, parseEvalStorageList, STORAGE_TYPES, type EvalStorage } from '../../core/storage/stored.ts';
import { DEFAULT_HUB_HOST, getModel, MODELS } from '../../embed/registry.ts';
import { ALL_SYNTHETIC_PRESETS } from '../../core/synthetic.ts';
import { checkGrid, SETTING_LIMITS } from '../../core/settingLimits.ts';

/** One key of the page state: default, how it is read from text (throws a message) and written. */
export interface Key<T> {
  /** The URL parameter. */
  param: string;
  default: T;
  parse(text: string): T;
  format(value: T): string;
  /** Written to the URL even when equal to the default (the query source, methods and budgets
   * are always written, so a link says what it compares without knowing the defaults). */
  always?: boolean;
  /** What the key is, for the README and the error messages. */
  doc: string;
  /** Whole-number keys: the bounds the parser enforces (forms take them as min and max). */
  min?: number;
  max?: number;
}

export const oneOf = <T extends string>(param: string, values: readonly T[], def: T, doc: string): Key<T> => ({
  param,
  default: def,
  doc,
  parse(text) {
    if (!(values as readonly string[]).includes(text)) throw new Error(`${param} must be one of ${values.map((v) => v || '(empty)').join(', ')}, got "${text}"`);
    return text as T;
  },
  format: (v) => v,
});

export const integer = (param: string, def: number, min: number, doc: string, max = Number.MAX_SAFE_INTEGER): Key<number> => ({
  param,
  default: def,
  doc,
  min,
  max,
  parse(text) {
    const v = Number(text);
    if (text.trim() === '' || !Number.isInteger(v) || v < min || v > max)
      throw new Error(`${param} must be a whole number${min > Number.MIN_SAFE_INTEGER ? ` >= ${min}` : ''}${max < Number.MAX_SAFE_INTEGER ? ` and <= ${max}` : ''}, got "${text}"`);
    return v;
  },
  format: String,
});

/** A number (fractions allowed) in [min, max]; `blank` is the value an empty field means. */
export const decimal = (param: string, def: number, min: number, max: number, doc: string, blank?: number): Key<number> => ({
  param,
  default: def,
  doc,
  min,
  max,
  parse(text) {
    if (text.trim() === '' && blank !== undefined) return blank;
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || v < min || v > max) throw new Error(`${param} must be a number from ${min} to ${max}, got "${text}"`);
    return v;
  },
  format: (v) => (blank !== undefined && v === blank ? '' : String(v)),
});

export const flag = (param: string, def: boolean, doc: string): Key<boolean> => ({
  param,
  default: def,
  doc,
  parse(text) {
    if (text === '1' || text === 'true') return true;
    if (text === '0' || text === 'false') return false;
    throw new Error(`${param} must be 1 or 0, got "${text}"`);
  },
  format: (v) => (v ? '1' : '0'),
});

export const text = (param: string, def: string, doc: string): Key<string> => ({ param, default: def, doc, parse: (t) => t, format: (v) => v });

/** A list of method specs separated by semicolons, each normalised; at least one. */
export function parseMethodList(value: string): string[] {
  const texts = value.split(';').map((s) => s.trim()).filter(Boolean);
  // Counted before any is parsed: a link of 10,000 methods is refused at once.
  if (texts.length > SETTING_LIMITS.methods) throw new Error(`methods lists ${texts.length} methods, over the limit of ${SETTING_LIMITS.methods}`);
  const list = texts.map((m) => formatMethodSpec(parseMethodSpec(m)));
  if (list.length === 0) throw new Error('methods is empty');
  return [...new Set(list)];
}

/** Budgets: positive whole numbers, ascending and without repeats (the slider steps through them). */
export function parseBudgetList(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length > SETTING_LIMITS.budgets) throw new Error(`budgets lists ${parts.length} budgets, over the limit of ${SETTING_LIMITS.budgets}`);
  const values = parts.map(Number);
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 1 || v > 100_000))
    throw new Error(`budgets must be whole numbers from 1 to 100000 separated by commas, got "${value}"`);
  return [...new Set(values)].sort((a, b) => a - b);
}

export const VIEWS = ['compare', 'side', 'maps', 'teach', 'data', 'synthetic'] as const;
export type View = (typeof VIEWS)[number];
export const VIEW_LABELS: Record<View, string> = {
  compare: 'Compare',
  side: 'Side by side',
  maps: 'Similarity maps',
  teach: 'Teach',
  data: 'Data',
  synthetic: 'Synthetic',
};

/** Column groups of the results table the user can show or hide. */
export const COLUMN_GROUPS = ['size', 'quality', 'intervals', 'fidelity', 'utilisation', 'timing'] as const;
export type ColumnGroup = (typeof COLUMN_GROUPS)[number];

/** The methods and budgets compared when nothing else is asked for (the rail and the Synthetic view). */
const DEFAULT_METHODS = ['none', 'agc', 'hpool', 'kmeans', 'uniform', 'random'];
const DEFAULT_BUDGETS = [4, 8, 16, 32, 64];

export const SCHEMA = {
  view: oneOf('view', VIEWS, 'compare', 'the view in the main area'),
  model: {
    ...text('model', 'teaching-clip', 'model id from the embedding registry'),
    parse(t: string) {
      if (!getModel(t)) throw new Error(`model "${t}" is not one this page knows (${MODELS.map((m) => m.id).join(', ')})`);
      return t;
    },
  } satisfies Key<string>,
  device: oneOf('device', ['auto', 'webgpu', 'wasm'] as const, 'auto', 'where the model runs'),
  dtype: oneOf('dtype', ['', 'fp32', 'fp16', 'q8'] as const, '', 'weights; empty: best for the device'),
  host: { ...text('host', DEFAULT_HUB_HOST, 'where Hub models are downloaded from (the page\'s policy must allow it)'), parse: (t: string) => t.trim() || DEFAULT_HUB_HOST } satisfies Key<string>,
  // How files are embedded (they decide the corpus, so a link carries them).
  tiles: integer('tiles', 1, 1, 'image tiles k: a global view plus k x k tiles', 4),
  pdfTiles: integer('pdftiles', 3, 1, 'PDF tiles k: each page is the whole page plus k x k tiles', 4),
  pdfSize: integer('pdfpx', 1024, 64, 'pixels of the longer side a PDF page is rendered at', 4096),
  frames: integer('frames', 24, 1, 'frames per video (at equal spacing; with fps, the most taken)', 256),
  fps: decimal('fps', 0, 0, 60, 'frames per second to sample videos at; empty: frames at equal spacing', 0),
  // The streaming index (Data view).
  streamMethod: { ...text('smethod', 'agc', 'the streaming index: method'), parse: (t: string) => formatMethodSpec(parseMethodSpec(t)) } satisfies Key<string>,
  streamM: integer('sbudget', 32, 1, 'the streaming index: budget m'),
  streamStorage: oneOf('sstore', STORAGE_TYPES, 'fp16', 'the streaming index: storage type'),
  streamKeep: flag('skeep', true, 'the streaming index: also keep the full vectors (to compare methods)'),
  searchQuery: text('find', 'red shape at the top left', 'the Data view search query'),
  corpus: {
    ...text('corpus', '', "'demo': the built-in scenes; 16 hex digits: a corpus of one's own stored in this browser, by its fingerprint (its documents never go into a link)"),
    parse(t: string) {
      if (t === '' || t === 'demo' || /^[0-9a-f]{16}$/.test(t)) return t;
      throw new Error(`corpus must be "demo" or a corpus fingerprint (16 hex digits), got "${t.slice(0, 40)}"`);
    },
  } satisfies Key<string>,
  queries: { ...oneOf('queries', ['demo', 'typed', 'file'] as const, 'demo', 'where the queries come from'), always: true },
  typed: text('q', 'red shape at the top left\nblue shape at the bottom right\nyellow shape at the top right', 'typed queries, one per line'),
  methods: {
    param: 'methods',
    default: DEFAULT_METHODS,
    always: true,
    doc: 'methods with options (id:key=value), separated by semicolons',
    parse: parseMethodList,
    format: (v: string[]) => v.join(';'),
  } satisfies Key<string[]>,
  budgets: { param: 'budgets', default: DEFAULT_BUDGETS, always: true, doc: 'budgets m compared', parse: parseBudgetList, format: (v: number[]) => v.join(',') } satisfies Key<number[]>,
  storages: {
    param: 'storage',
    default: ['fp32', 'fp16', 'int8'] as EvalStorage[],
    doc: `storage types scored (${EVAL_STORAGE_TYPES.join(', ')})`,
    parse: parseEvalStorageList,
    format: (v: EvalStorage[]) => v.join(','),
  } satisfies Key<EvalStorage[]>,
  seed: integer('seed', 1, Number.MIN_SAFE_INTEGER, 'the run seed'),
  /** Workers compressing the grid; 0: one per core once the corpus has 20,000 vectors (src/search/gridPool.ts). */
  gridThreads: integer('gthreads', 0, 0, 'threads compressing the comparison grid; 0: one per core for a corpus of 20,000 vectors or more, else one', 16),
  metric: text('metric', '', 'the metric on the charts; empty: nDCG@10 (or overlap@10 without judgments)'),
  /** The budget the slider points at: highlighted on every chart, used by utilisation, maps and side by side. */
  focus: { ...integer('m', 0, 0, 'the focused budget (slider); 0: the middle one'), parse: (t: string) => integer('m', 0, 1, '').parse(t) },
  /** The quality charts' y axis: 0 to 1, or fitted to the methods shown (0.85-0.91 read as a flat line on 0-1). */
  yAxis: oneOf('yaxis', ['full', 'fit'] as const, 'full', "the quality charts' y axis: full, 0 to 1; fit, the span of the methods shown"),
  /** Which storage type the bytes chart draws ('all' for every type). */
  shown: oneOf('shown', ['all', ...EVAL_STORAGE_TYPES] as const, 'fp32', 'storage type drawn on the bytes chart (all: every type, each its own line style); the first type run when this one was not'),
  /** Methods hidden on the charts (the legend toggles), as method specs. */
  hidden: { param: 'hide', default: [] as string[], doc: 'methods hidden on the charts', parse: (t: string) => t.split(';').filter(Boolean), format: (v: string[]) => v.join(';') } satisfies Key<string[]>,
  columns: {
    param: 'cols',
    default: ['size', 'quality', 'intervals', 'utilisation'] as ColumnGroup[],
    doc: `table column groups shown (${COLUMN_GROUPS.join(', ')})`,
    parse(t: string) {
      const list = t.split(',').filter(Boolean);
      const bad = list.find((c) => !(COLUMN_GROUPS as readonly string[]).includes(c));
      if (bad) throw new Error(`cols must be among ${COLUMN_GROUPS.join(', ')}, got "${bad}"`);
      return list as ColumnGroup[];
    },
    format: (v: ColumnGroup[]) => v.join(','),
  } satisfies Key<ColumnGroup[]>,
  run: flag('run', false, 'replay the demo comparison on open'),
  controls: flag('controls', true, '0 hides every setting (for slides)'),
  present: flag('present', false, 'presenter mode: large type, no controls'),
  sideM: integer('sm', 0, 0, "Side by side's budget; 0: the slider's"),
  sideQuery: text('sq', 'red shape at the top left', "Side by side's query"),
  // MUVERA's settings (checked against the corpus when it runs: ui/compare/muvera.ts).
  muveraKsim: integer('ksim', 4, 1, 'MUVERA: SimHash bits per repetition', 10),
  muveraReps: integer('reps', 10, 1, 'MUVERA: repetitions', 64),
  muveraDproj: { ...integer('dproj', 0, 0, "MUVERA: projected dimension per bucket; empty: the vectors' own d", 4096), format: (v: number) => (v ? String(v) : ''), parse: (t: string) => (t.trim() === '' ? 0 : integer('dproj', 0, 1, '', 4096).parse(t)) } satisfies Key<number>,
  muveraCandidates: text('cands', '', 'MUVERA: candidates C re-ranked, comma-separated; empty: 5%, 10% and 25% of the documents'),
  // The Synthetic view.
  synPreset: oneOf('preset', Object.keys(ALL_SYNTHETIC_PRESETS), 'images', 'the Synthetic view: preset'),
  synMethods: { param: 'smethods', default: DEFAULT_METHODS, doc: 'the Synthetic view: methods', parse: parseMethodList, format: (v: string[]) => v.join(';') } satisfies Key<string[]>,
  synBudgets: { param: 'sbudgets', default: DEFAULT_BUDGETS, doc: 'the Synthetic view: budgets', parse: parseBudgetList, format: (v: number[]) => v.join(',') } satisfies Key<number[]>,
  synSeed: integer('sseed', 1, Number.MIN_SAFE_INTEGER, 'the Synthetic view: seed'),
  mapQuery: text('mq', '', 'the similarity maps query id (or text)'),
  mapDoc: text('md', '', 'the similarity maps document'),
  mapMethod: text('mm', '', 'the similarity maps method beside uncompressed (empty: AGC, or the first method run)'),
  mapScale: oneOf('mscale', ['doc', 'abs'] as const, 'doc', "the similarity maps' colours: doc, this document's range; abs, 0 to 1 for every document"),
  teachDoc: text('tdoc', '', 'the teaching view document'),
  teachMethod: oneOf('tmethod', ['story', 'agc', 'hpool'] as const, 'story', 'the teaching view: the whole story, or one method'),
  teachQuery: text('tq', '', "the teaching story's query (empty: a demo caption relevant to the picture)"),
  teachM: integer('tm', 8, 1, 'the teaching view budget'),
  /** 0-based in the page, 1-based in the address, as the counter reads ("tstep=3" is "Step 3 of 12"). */
  teachStep: {
    ...integer('tstep', 0, 0, 'the teaching view step, as the counter numbers it (1: the first)'),
    parse: (t: string) => integer('tstep', 1, 1, '').parse(t) - 1,
    format: (v: number) => String(v + 1),
  } satisfies Key<number>,
};

type Schema = typeof SCHEMA;
export type PageState = { [K in keyof Schema]: Schema[K]['default'] };
/** The state a schema describes: each key's value type. */
export type StateOf<S extends Record<string, Key<any>>> = { [K in keyof S]: S[K]['default'] };

export const defaultsOf = <S extends Record<string, Key<any>>>(schema: S): StateOf<S> =>
  Object.fromEntries(Object.entries(schema).map(([k, key]) => [k, key.default])) as StateOf<S>;

export const DEFAULT_STATE: PageState = defaultsOf(SCHEMA);

export class UrlStateError extends Error {
  constructor(message: string) {
    super(`This link's settings are not valid: ${message}`);
    this.name = 'UrlStateError';
  }
}

/** The query string for a state of `schema`: keys equal to their default are left out (unless `always`). */
export function encodeWith<S extends Record<string, Key<any>>>(schema: S, state: StateOf<S>): string {
  const p = new URLSearchParams();
  for (const [name, key] of Object.entries(schema)) {
    const text = key.format(state[name]);
    if (key.always || text !== key.format(key.default)) p.set(key.param, text);
  }
  return p.toString();
}

/** Reads a query string with `schema`; a bad value is an error naming its parameter, never silently dropped. */
export function decodeWith<S extends Record<string, Key<any>>>(schema: S, search: string): StateOf<S> {
  const p = new URLSearchParams(search);
  const out = { ...defaultsOf(schema) } as Record<string, unknown>;
  for (const [name, key] of Object.entries(schema)) {
    const raw = p.get(key.param);
    if (raw === null) continue;
    try {
      out[name] = key.parse(raw);
    } catch (err) {
      throw new UrlStateError((err as Error).message);
    }
  }
  return out as StateOf<S>;
}

export const encodeState = (state: PageState): string => encodeWith(SCHEMA, state);
/** Reads a link: every key by its parser, then the grid the keys make together (methods x budgets x storage types). */
export function decodeState(search: string): PageState {
  const s = decodeWith(SCHEMA, search);
  try {
    checkGrid(s.methods.length, s.budgets.length, s.storages.length);
  } catch (err) {
    throw new UrlStateError((err as Error).message);
  }
  return s;
}

/** The budget the slider points at: the focused one when it was run, else the middle budget. */
export function focusedBudget(state: Pick<PageState, 'focus'>, budgetsRun: readonly number[]): number | undefined {
  if (budgetsRun.length === 0) return undefined;
  return budgetsRun.includes(state.focus) ? state.focus : budgetsRun[Math.floor((budgetsRun.length - 1) / 2)];
}
