import { describe, expect, it } from 'vitest';
import { decodeState, DEFAULT_STATE, encodeState, focusedBudget, parseBudgetList, SCHEMA, UrlStateError, type PageState } from '../../../src/ui/state/schema.ts';
import { createStore, effect, syncUrl } from '../../../src/ui/state/store.ts';

describe('page state schema', () => {
  it('round-trips every key through the URL', () => {
    const s: PageState = {
      ...DEFAULT_STATE, view: 'maps', model: 'clip-vit-base-patch32', device: 'wasm', dtype: 'q8', corpus: 'demo', queries: 'typed',
      typed: 'red top\nblue & green', methods: ['none', 'agc', 'hpool:protectFirst=true'], budgets: [4, 16], storages: ['fp16', 'binary'],
      seed: -7, metric: 'overlap@10', focus: 16, shown: 'int8', hidden: ['random'], columns: ['quality', 'timing'], run: true,
      controls: false, present: true, mapQuery: 'q-3', mapDoc: 'scene-001.png', teachDoc: 'scene-001.png', teachMethod: 'hpool', teachQuery: 'red top', teachM: 6, teachStep: 2,
      host: 'https://hub.example.test', tiles: 2, pdfTiles: 2, pdfSize: 512, frames: 6, fps: 2.5, streamMethod: 'hpool', streamM: 8, streamStorage: 'int8', streamKeep: false,
      searchQuery: 'blue', sideM: 4, sideQuery: 'green', muveraKsim: 3, muveraReps: 5, muveraDproj: 16, muveraCandidates: '3,6', synPreset: 'tiny', synMethods: ['agc', 'kmeans'],
      synBudgets: [2, 8], synSeed: 9, mapMethod: 'hpool', mapScale: 'abs', yAxis: 'fit', gridThreads: 2,
    };
    // Every key differs from its default here, so the round trip exercises every parser and formatter.
    for (const k of Object.keys(SCHEMA) as (keyof PageState)[]) expect(JSON.stringify(s[k]), k).not.toBe(JSON.stringify(DEFAULT_STATE[k]));
    expect(decodeState(encodeState(s))).toEqual(s);
    expect(decodeState('')).toEqual(DEFAULT_STATE);
  });

  it("names a corpus of one's own by its fingerprint, and nothing else", () => {
    expect(SCHEMA.corpus.parse('0123456789abcdef')).toBe('0123456789abcdef');
    expect(() => SCHEMA.corpus.parse('0123456789ABCDEF')).toThrow('corpus must be "demo" or a corpus fingerprint (16 hex digits), got "0123456789ABCDEF"');
    expect(() => SCHEMA.corpus.parse('my-files')).toThrow('corpus must be');
    expect(decodeState('corpus=0123456789abcdef&run=1')).toMatchObject({ corpus: '0123456789abcdef', run: true });
  });

  it('gives every key its own URL parameter', () => {
    const params = Object.values(SCHEMA).map((k) => k.param);
    expect(new Set(params).size).toBe(params.length);
  });

  it('writes only what differs from the defaults, plus what a link must always say', () => {
    expect(encodeState(DEFAULT_STATE)).toBe('queries=demo&methods=none%3Bagc%3Bhpool%3Bkmeans%3Buniform%3Brandom&budgets=4%2C8%2C16%2C32%2C64');
    expect(encodeState({ ...DEFAULT_STATE, focus: 16, run: true })).toContain('m=16');
  });

  it('reads links written before the store (m, tdoc, storage and methods keep their names)', () => {
    const s = decodeState('?corpus=demo&queries=demo&methods=none;agc;hpool:protectFirst=true&budgets=4,16&metric=recall%405&m=16&run=1&tdoc=scene-001.png&tmethod=hpool&tm=6&tstep=2');
    expect(s).toMatchObject({ corpus: 'demo', methods: ['none', 'agc', 'hpool:protectFirst=true'], budgets: [4, 16], metric: 'recall@5', focus: 16, run: true, teachDoc: 'scene-001.png', teachMethod: 'hpool', teachM: 6, teachStep: 1 });
  });

  it('numbers the teaching step in the address as the counter does (tstep=3 is "Step 3")', () => {
    expect(decodeState('?tstep=3').teachStep).toBe(2);
    expect(encodeState({ ...DEFAULT_STATE, teachStep: 2 })).toContain('tstep=3');
    expect(() => decodeState('?tstep=0')).toThrow('tstep must be a whole number >= 1');
  });

  it('bad links are errors that name the parameter', () => {
    expect(() => decodeState('?methods=agc;bogus')).toThrow(UrlStateError);
    expect(() => decodeState('?methods=agc;bogus')).toThrow(/bogus/);
    expect(() => decodeState('?budgets=4,x')).toThrow('budgets must be whole numbers from 1 to 100000 separated by commas, got "4,x"');
    expect(() => decodeState('?device=tpu')).toThrow('device must be one of auto, webgpu, wasm, got "tpu"');
    expect(() => decodeState('?m=0')).toThrow('m must be a whole number >= 1, got "0"');
    expect(() => decodeState('?seed=1.5')).toThrow('seed must be a whole number, got "1.5"');
    expect(() => decodeState('?view=settings')).toThrow(/view must be one of compare, side/);
    expect(() => decodeState('?cols=quality,colour')).toThrow('cols must be among size, quality, intervals, fidelity, utilisation, timing, got "colour"');
    expect(() => decodeState('?run=yes')).toThrow('run must be 1 or 0, got "yes"');
    expect(() => decodeState('?storage=fp8')).toThrow(/fp8/);
  });

  it('budgets come out sorted and without repeats; the focus falls back to the middle budget run', () => {
    expect(parseBudgetList(' 32, 4,16,4 ')).toEqual([4, 16, 32]);
    expect(() => parseBudgetList('')).toThrow(/budgets/);
    expect(() => parseBudgetList('0,4')).toThrow(/budgets/);
    expect(focusedBudget({ focus: 16 }, [4, 8, 16, 32])).toBe(16);
    expect(focusedBudget({ focus: 12 }, [4, 8, 16, 32])).toBe(8);
    expect(focusedBudget({ focus: 0 }, [4, 8, 16, 32, 64])).toBe(16);
    expect(focusedBudget({ focus: 4 }, [])).toBeUndefined();
  });
});

describe('page state store', () => {
  it('notifies views only when a value really changes, and the URL follows', () => {
    const store = createStore();
    const urls: string[] = [];
    const seen: number[][] = [];
    effect(() => void seen.push(store.state.value.budgets));
    syncUrl(store, (q) => urls.push(q));
    store.update({ budgets: [4, 8, 16, 32, 64] }); // equal content: no change
    expect(seen).toHaveLength(1);
    store.update({ budgets: [8, 16] });
    expect(seen).toEqual([[4, 8, 16, 32, 64], [8, 16]]);
    expect(urls.at(-1)).toContain('budgets=8%2C16');
    store.update({ focus: 16 });
    expect(decodeState(urls.at(-1)!)).toMatchObject({ budgets: [8, 16], focus: 16 });
  });
});

describe('the scale page reads its URL with the same schema helpers', async () => {
  const { SCALE_SCHEMA } = await import('../../../src/ui/state/scaleSchema.ts');
  const { decodeWith, encodeWith } = await import('../../../src/ui/state/schema.ts');
  it('round-trips and names a bad parameter', () => {
    const s = decodeWith(SCALE_SCHEMA, '?docs=100000&d=512&storage=int8&backend=gpu&run=1');
    expect(s).toMatchObject({ docs: 100000, d: 512, storage: 'int8', backend: 'gpu', run: true, m: 32 });
    expect(decodeWith(SCALE_SCHEMA, encodeWith(SCALE_SCHEMA, s))).toEqual(s);
    expect(() => decodeWith(SCALE_SCHEMA, '?docs=2000000')).toThrow('docs must be a whole number >= 1 and <= 1000000, got "2000000"');
    expect(() => decodeWith(SCALE_SCHEMA, '?method=none')).toThrow(/method must be one of agc/);
  });
});
