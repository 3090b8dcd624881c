// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { showGridProgress } from '../../src/ui/common.ts';
import type { ExperimentProgress } from '../../src/core/experiment.ts';

const event = (stage: 'compress' | 'search', cell: number, done: number): ExperimentProgress => ({ stage, method: 'kmeans', budget: 8, done, total: 10, cell, cells: 4 });

describe('grid progress', () => {
  it('moves forward only within a run (a pool reports cells ahead of the one scored), and starts again with the next run', () => {
    const bar = document.createElement('progress');
    const status = document.createElement('p');
    showGridProgress(event('compress', 2, 10), 100, bar, status); // cell 3 compressed ahead: (2 + 0.5) / 4
    expect(bar.value).toBeCloseTo(0.625, 9);
    expect(status.textContent).toContain('Compressing with kmeans at m = 8: 10 / 10, cell 3 of 4');
    expect(status.textContent).toMatch(/about \d+ s left$/);
    showGridProgress(event('search', 0, 5), 100, bar, status); // cell 1 being scored: (0 + 0.5 + 0.25) / 4
    expect(bar.value).toBeCloseTo(0.625, 9);
    expect(status.textContent).toContain('cell 3 of 4');
    showGridProgress(event('search', 3, 10), 100, bar, status); // the last cell scored: 1
    expect(bar.value).toBeCloseTo(1, 9);
    showGridProgress(event('search', 0, 5), 200, bar, status); // a new run
    expect(bar.value).toBeCloseTo(0.1875, 9);
    expect(status.textContent).toContain('Searching with kmeans at m = 8: 5 / 10, cell 1 of 4');
    showGridProgress({ ...event('search', 0, 1), cells: 26 } as ExperimentProgress, 300, bar, status); // a twentieth of a cell of 26: no estimate yet
    expect(status.textContent).toBe('Searching with kmeans at m = 8: 1 / 10, cell 1 of 26');
  });

  it('measures the time left from the run\'s first step, not from when the run was asked for (a synthetic corpus built for 100 s first)', () => {
    const bar = document.createElement('progress');
    const status = document.createElement('p');
    const now = vi.spyOn(performance, 'now');
    try {
      const started = -100_000;
      now.mockReturnValue(1_000);
      showGridProgress({ ...event('compress', 1, 10), fraction: 0.5 } as ExperimentProgress, started, bar, status);
      now.mockReturnValue(3_000);
      showGridProgress({ ...event('compress', 2, 10), fraction: 0.75 } as ExperimentProgress, started, bar, status);
      // 2 s for a quarter of the work: 2 / 0.75 x 0.25 = 0.67 s left (from `started`, 103 s for three quarters: 35 s).
      expect(status.textContent).toMatch(/, about 1 s left$/);
    } finally {
      now.mockRestore();
    }
  });
});
