import { gaussian, hashString, mulberry32 } from '../core/rng.ts';
import type { WeightProvider } from './architecture.ts';

/** A generated model folder: file path -> bytes. */
export type ModelFiles = Map<string, Uint8Array>;

/** Seeded N(0, s^2) weights, LayerNorm scales near 1; deterministic per parameter name. */
export function randomWeights(seed: number): WeightProvider {
  return (name, dims) => {
    const rng = mulberry32(hashString(`${seed}:${name}`));
    const n = dims.reduce((a, b) => a * b, 1);
    const out = new Float32Array(n);
    const isNorm = /layer_?norm|layrnorm/.test(name);
    const scale = name.endsWith('.bias') ? 0.02 : /embedding|probe/.test(name) ? 0.5 : 0.5 / Math.sqrt(dims[0] || 1);
    for (let i = 0; i < n; i++) out[i] = (isNorm && name.endsWith('.weight') ? 1 : 0) + (isNorm ? 0.1 : scale) * gaussian(rng);
    return out;
  };
}
