import { describe, expect, it } from 'vitest';
import { decodeState, DEFAULT_STATE, encodeState, UrlStateError } from '../src/urlState.ts';

describe('URL state', () => {
  it('round-trips every field through one schema', () => {
    const s = { ...DEFAULT_STATE, model: 'clip-vit-base-patch32', device: 'wasm' as const, dtype: 'q8', corpus: 'demo' as const, queries: 'typed' as const, typed: 'red top\nblue', methods: ['none', 'agc', 'hpool:protectFirst=true'], budgets: [4, 16], seed: 7, metric: 'overlap@10', util: 16, run: true, controls: false, teach: { doc: 'scene-001.png', method: 'hpool' as const, m: 6, step: 2 } };
    expect(decodeState(encodeState(s))).toEqual(s);
    expect(decodeState('')).toEqual(DEFAULT_STATE);
  });

  it('bad links are errors that say what is wrong', () => {
    expect(() => decodeState('?methods=agc;bogus')).toThrow(UrlStateError);
    expect(() => decodeState('?methods=agc;bogus')).toThrow(/bogus/);
    expect(() => decodeState('?budgets=4,x')).toThrow('budgets must be positive whole numbers, got "4,x"');
    expect(() => decodeState('?device=tpu')).toThrow('device must be one of auto, webgpu, wasm, got "tpu"');
    expect(() => decodeState('?m=0')).toThrow(/m must be a positive whole number/);
  });
});
