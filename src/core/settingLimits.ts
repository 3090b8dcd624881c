/**
 * The limits every setting is held to where it is parsed (URL keys of both pages, CLI options):
 * one table, so a link and a command line are refused the same way, before any work starts. Each
 * refusal is a SettingError (exit code 2 on the command line) naming the setting and the limit.
 * The limits on what files may declare are in limits.ts.
 */
import { SettingError } from './settingError.ts';

export const SETTING_LIMITS = {
  /** Methods in one comparison (the registry has 20 ids with presets; room for option variants). */
  methods: 64,
  /** Budgets in one comparison. */
  budgets: 64,
  /** Cells of one grid: methods x budgets x storage types. */
  gridCells: 1024,
  /** MUVERA's encodings of one run, in bytes (docs x repetitions x 2^k_sim x d_proj x 4). */
  muveraBytes: 512 * 2 ** 20,
  /** The scale page's synthetic index: the largest typed array it would allocate, in bytes (4 GiB). */
  scaleIndexBytes: 4 * 2 ** 30,
} as const;

const MiB = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

/** Refuses a grid over the limits, naming what to lower. */
export function checkGrid(methods: number, budgets: number, storages: number): void {
  if (methods > SETTING_LIMITS.methods) throw new SettingError(`${methods} methods, over the limit of ${SETTING_LIMITS.methods} in one comparison`);
  if (budgets > SETTING_LIMITS.budgets) throw new SettingError(`${budgets} budgets, over the limit of ${SETTING_LIMITS.budgets} in one comparison`);
  const cells = methods * budgets * storages;
  if (cells > SETTING_LIMITS.gridCells)
    throw new SettingError(`${methods} methods x ${budgets} budgets x ${storages} storage types is ${cells.toLocaleString('en')} cells, over the limit of ${SETTING_LIMITS.gridCells.toLocaleString('en')}`);
}

/** The bytes MUVERA's encodings of `docs` documents take, refused over the limit with the figure and what to lower. */
export function checkMuveraBytes(docs: number, reps: number, kSim: number, dProj: number): number {
  const bytes = docs * reps * 2 ** kSim * dProj * 4;
  if (bytes > SETTING_LIMITS.muveraBytes)
    throw new SettingError(
      `these settings need ${MiB(bytes)} of encodings (${docs} documents x ${reps} x 2^${kSim} x ${dProj} values x 4 bytes), more than the ${MiB(SETTING_LIMITS.muveraBytes)} allowed: lower d_proj, k_sim or the repetitions`,
    );
  return bytes;
}

/** A thread count held to the cores there are (more only queue on the same cores, with a copy of the scratch each). */
export function checkThreads(threads: number, cores: number, name = 'threads'): number {
  if (!Number.isInteger(threads) || threads < 1) throw new SettingError(`${name} must be a whole number >= 1, got ${threads}`);
  if (threads > cores) throw new SettingError(`${name} ${threads} is more than the ${cores} cores here; at most ${cores}`);
  return threads;
}

/**
 * The scale index's largest allocation, before it is made: the compressed index (at most
 * min(m, tokens) vectors per document of `bytesPerVector` bytes) plus the uncompressed baseline in
 * the same storage type when kept.
 */
export function checkScaleIndex(o: { docs: number; tokens: number; m: number; bytesPerVector: number; baseline: boolean }): number {
  const bytes = o.docs * (Math.min(o.m, o.tokens) + (o.baseline ? o.tokens : 0)) * o.bytesPerVector;
  if (bytes > SETTING_LIMITS.scaleIndexBytes)
    throw new SettingError(
      `${o.docs.toLocaleString('en')} documents x ${Math.min(o.m, o.tokens)} vectors${o.baseline ? ` (+ ${o.tokens} for the uncompressed baseline)` : ''} x ${o.bytesPerVector} bytes is ${(bytes / 2 ** 30).toFixed(1)} GiB, over the ${SETTING_LIMITS.scaleIndexBytes / 2 ** 30} GiB limit; lower docs, m, d or tokens`,
    );
  return bytes;
}
