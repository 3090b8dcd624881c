import { getMethod, METHODS, PRESETS } from './methods/registry.ts';
import { SettingError } from './settingError.ts';
import { ALLOCATION_LABELS, ALLOCATIONS, isAllocation, type Allocation } from './allocation.ts';
import type { CompressionMethod, MethodOptions, OptionSpec, OptionValue } from './methods/types.ts';

/** A method with fully resolved options: what one column of an experiment compares. */
export interface MethodSpec {
  method: string;
  options: MethodOptions;
  /** Per-document budgets at the same total (allocation.ts); absent: every document gets m. Written "agc@tokens". */
  allocation?: Allocation;
}

/**
 * Parses "agc", "agc-mean" (a preset) or "agc:weighting=mean:clustering=false". Options are
 * checked against the method's declared options; defaults fill the rest.
 */
export function parseMethodSpec(text: string): MethodSpec {
  const [body, allocation, ...more] = text.trim().split('@');
  if (more.length || (allocation !== undefined && !isAllocation(allocation)))
    throw new SettingError(`method "${text}": after "@" comes a budget allocation, one of ${ALLOCATIONS.join(', ')}`);
  const spec = parseBody(body, text);
  return allocation ? { ...spec, allocation } : spec;
}

function parseBody(body: string, text: string): MethodSpec {
  const [head, ...pairs] = body.split(':');
  const preset = PRESETS.find((p) => p.id === head);
  const method = getMethod(preset ? preset.method : head);
  // No prototype: an option named __proto__ or toString is an unknown option, not a property.
  const given: MethodOptions = Object.assign(Object.create(null) as MethodOptions, preset?.options ?? {});
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new SettingError(`method "${text}": expected key=value after ":", got "${pair}"`);
    given[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { method: method.id, options: resolveOptions(method, given) };
}

/** Defaults merged with `given`, each value checked and converted to its declared type. */
export function resolveOptions(method: CompressionMethod, given: MethodOptions): MethodOptions {
  const out: MethodOptions = { ...method.defaults };
  for (const [key, raw] of Object.entries(given)) {
    const spec = method.options.find((o) => o.key === key);
    if (!spec) {
      const known = method.options.map((o) => o.key).join(', ') || 'none';
      throw new SettingError(`method "${method.id}" has no option "${key}" (options: ${known})`);
    }
    out[key] = coerce(method.id, spec, raw);
  }
  return out;
}

function coerce(id: string, spec: OptionSpec, raw: OptionValue): OptionValue {
  const where = `method "${id}" option "${spec.key}"`;
  if (spec.type === 'boolean') {
    if (raw === true || raw === 'true') return true;
    if (raw === false || raw === 'false') return false;
    throw new SettingError(`${where} must be true or false, got "${raw}"`);
  }
  if (spec.type === 'integer') {
    const v = Number(raw);
    if (!Number.isInteger(v) || v < spec.min || v > spec.max)
      throw new SettingError(`${where} must be an integer in [${spec.min}, ${spec.max}], got "${raw}"`);
    return v;
  }
  if (spec.type === 'number') {
    const v = typeof raw === 'number' ? raw : raw === '' ? NaN : Number(raw);
    if (!Number.isFinite(v) || v < spec.min || v > spec.max) throw new SettingError(`${where} must be a number in [${spec.min}, ${spec.max}], got "${raw}"`);
    return v;
  }
  const s = String(raw);
  if (!spec.choices.includes(s)) throw new SettingError(`${where} must be one of ${spec.choices.join(', ')}, got "${raw}"`);
  return s;
}

/** Canonical text of a spec: only options that differ from the defaults, in declaration order. */
export function formatMethodSpec(spec: MethodSpec): string {
  const method = getMethod(spec.method);
  const preset = PRESETS.find(
    (p) => p.method === spec.method && sameOptions(resolveOptions(method, p.options), spec.options),
  );
  const at = spec.allocation ? `@${spec.allocation}` : '';
  if (preset) return preset.id + at;
  const parts = method.options.filter((o) => spec.options[o.key] !== method.defaults[o.key]).map((o) => `${o.key}=${spec.options[o.key]}`);
  return [spec.method, ...parts].join(':') + at;
}

/** Human label: the preset's label, or the method label with its non-default options. */
export function methodSpecLabel(spec: MethodSpec): string {
  if (spec.allocation) return `${methodSpecLabel({ method: spec.method, options: spec.options })} (${ALLOCATION_LABELS[spec.allocation]})`;
  const text = formatMethodSpec(spec);
  const preset = PRESETS.find((p) => p.id === text);
  if (preset) return preset.label;
  const method = getMethod(spec.method);
  const extra = text.split(':').slice(1);
  return extra.length ? `${method.label} (${extra.join(', ')})` : method.label;
}

function sameOptions(a: MethodOptions, b: MethodOptions): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}

export const ALL_METHOD_IDS = [...METHODS.map((m) => m.id), ...PRESETS.map((p) => p.id)];
