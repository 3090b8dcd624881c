import { agc } from './agc.ts';
import { hierarchicalPool } from './hierarchicalPool.ts';
import { SettingError } from '../settingError.ts';
import { kmeans } from './kmeans.ts';
import { none } from './none.ts';
import { randomSelect } from './randomSelect.ts';
import { topSaliency } from './topSaliency.ts';
import type { CompressionMethod, MethodOptions } from './types.ts';
import { uniformPool } from './uniformPool.ts';

/**
 * Every implemented method, in display order. A method that is not implemented is not here.
 * test/core/methods/registry.test.ts fails if a module in this folder is missing from the list.
 */
export const METHODS: readonly CompressionMethod[] = [none, agc, hierarchicalPool, kmeans, uniformPool, randomSelect, topSaliency];

/** Named settings of a method: the paper's AGC ablations (Table 9), usable anywhere a method id is. */
export interface MethodPreset {
  id: string;
  label: string;
  method: string;
  options: MethodOptions;
}

export const PRESETS: readonly MethodPreset[] = [
  { id: 'agc-mean', label: 'AGC, no attention weights', method: 'agc', options: { weighting: 'mean' } },
  { id: 'agc-random', label: 'AGC, random centroids', method: 'agc', options: { centroids: 'random' } },
  { id: 'agc-select', label: 'AGC, selection only', method: 'agc', options: { clustering: false } },
];

export function getMethod(id: string): CompressionMethod {
  const m = METHODS.find((x) => x.id === id);
  if (!m) throw new SettingError(`unknown method "${id}"; known: ${[...METHODS.map((x) => x.id), ...PRESETS.map((p) => p.id)].join(', ')}`);
  return m;
}
