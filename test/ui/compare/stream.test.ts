import { describe, expect, it } from 'vitest';
import type { ExperimentProgress, ExperimentRow } from '../../../src/core/experiment.ts';
import type { Shown } from '../../../src/ui/results.ts';
import { streamRows } from '../../../src/ui/compare/stream.ts';

const row = (method: string) => ({ method }) as unknown as ExperimentRow;
const event = (cell: number, ...methods: string[]): Extract<ExperimentProgress, { stage: 'rows' }> =>
  ({ stage: 'rows', rows: methods.map(row), partial: { documents: 9 } as never, cell, cells: 4 });

describe('streaming rows to the charts', () => {
  it('shows nothing in the first second, then every row so far at most every 0.7 s', () => {
    let t = 0;
    const shown: Shown[] = [];
    const stream = streamRows(0, (s) => shown.push(s), () => t);
    t = 400;
    stream(event(0, 'none'));
    expect(shown).toHaveLength(0); // a short run just finishes
    t = 1100;
    stream(event(1, 'agc', 'agc'));
    expect(shown).toHaveLength(1);
    expect(shown[0].result.rows.map((r) => r.method)).toEqual(['none', 'agc', 'agc']);
    expect(shown[0].result.documents).toBe(9);
    expect(shown[0].caption).toBe('Results so far: 2 of 4 cells (the run goes on; every chart fills in as it does)');
    t = 1500;
    stream(event(2, 'hpool'));
    expect(shown).toHaveLength(1); // within 0.7 s of the last
    t = 1900;
    stream(event(3, 'kmeans'));
    expect(shown[1].result.rows.map((r) => r.method)).toEqual(['none', 'agc', 'agc', 'hpool', 'kmeans']);
  });
});
