import { adaptivePrune, pruneMerge } from './adaptivePrune.ts';
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
 * test/core/methods/others.test.ts fails if a method module in this folder is missing from the list.
 */
export const METHODS: readonly CompressionMethod[] = [none, agc, hierarchicalPool, kmeans, uniformPool, randomSelect, topSaliency, adaptivePrune, pruneMerge];

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
  { id: 'agc-raw', label: 'AGC, raw attention weights', method: 'agc', options: { saliency: 'raw' } },
  // H-Pool as each source runs it (m clusters for a budget of m; the libraries' pool_factor f is m = max(n // f, 1)):
  {
    id: 'hpool-paper',
    label: "H-Pool, the paper's code",
    method: 'hpool',
    options: { observations: 'distance-rows', input: 'raw', protectFirst: true, normalize: true },
  },
  { id: 'hpool-colpali', label: 'H-Pool, colpali-engine', method: 'hpool', options: { observations: 'distance-rows', input: 'raw', protectFirst: false, normalize: true } },
  { id: 'hpool-pylate14', label: 'H-Pool, PyLate <= 1.4', method: 'hpool', options: { observations: 'distance-rows', input: 'unit', protectFirst: true, normalize: false } },
  // Qdrant's recipe for ColPali: the mean of each patch-grid row (uniform pooling is the k x k tiles).
  { id: 'spatial-rows', label: 'Spatial pooling, rows', method: 'uniform', options: { cells: 'rows' } },
  { id: 'hpool-pylate', label: 'H-Pool, PyLate after 1.4', method: 'hpool', options: { observations: 'distance-condensed', input: 'unit', protectFirst: true, normalize: false } },
];

export function getMethod(id: string): CompressionMethod {
  const m = METHODS.find((x) => x.id === id);
  if (!m) throw new SettingError(`unknown method "${id}"; known: ${[...METHODS.map((x) => x.id), ...PRESETS.map((p) => p.id)].join(', ')}`);
  return m;
}
