import { describe, expect, it } from 'vitest';
import { checkGrid, checkMuveraBytes, checkScaleIndex, checkThreads, SETTING_LIMITS } from '../../src/core/settingLimits.ts';
import { SettingError } from '../../src/core/settingError.ts';
import { decodeState, UrlStateError } from '../../src/ui/state/schema.ts';

describe('setting limits (one table for links and the command line)', () => {
  it('grids: methods, budgets and cells', () => {
    expect(() => checkGrid(65, 1, 1)).toThrow('65 methods, over the limit of 64 in one comparison');
    expect(() => checkGrid(1, 65, 1)).toThrow('65 budgets, over the limit of 64 in one comparison');
    // 10 x 11 x 10 = 1,100 cells > 1,024.
    expect(() => checkGrid(10, 11, 10)).toThrow('10 methods x 11 budgets x 10 storage types is 1,100 cells, over the limit of 1,024');
    expect(() => checkGrid(8, 16, 8)).not.toThrow(); // 1,024 exactly
    expect(() => checkGrid(65, 1, 1)).toThrow(SettingError);
  });

  it('MUVERA: bytes from the settings, with the figure', () => {
    // 24 x 64 x 2^10 x 4096 x 4 = 25,769,803,776 bytes = 24,576 MiB.
    expect(() => checkMuveraBytes(24, 64, 10, 4096)).toThrow('these settings need 24576 MiB of encodings (24 documents x 64 x 2^10 x 4096 values x 4 bytes), more than the 512 MiB allowed');
    expect(checkMuveraBytes(24, 10, 4, 128)).toBe(24 * 10 * 16 * 128 * 4);
  });

  it('threads: whole, positive, at most the cores', () => {
    expect(() => checkThreads(1000, 2, '--threads')).toThrow('--threads 1000 is more than the 2 cores here; at most 2');
    expect(() => checkThreads(0, 2)).toThrow('threads must be a whole number >= 1, got 0');
    expect(checkThreads(2, 2)).toBe(2);
  });

  it('the scale index: its bytes before they are allocated', () => {
    // 1,000,000 x 32 x (2,048 x 2 bytes in fp16) = 131,072,000,000 bytes = 122.1 GiB.
    expect(() => checkScaleIndex({ docs: 1_000_000, tokens: 4096, m: 32, bytesPerVector: 4096, baseline: false })).toThrow('1,000,000 documents x 32 vectors x 4096 bytes is 122.1 GiB, over the 4 GiB limit');
    // The scale page's largest tested run: 100,000 documents, m = 32 of 64 tokens, fp16 at d = 128, baseline kept: 2.3 GiB.
    expect(checkScaleIndex({ docs: 100_000, tokens: 64, m: 32, bytesPerVector: 256, baseline: true })).toBe(100_000 * 96 * 256);
    expect(() => checkScaleIndex({ docs: 100_000, tokens: 64, m: 32, bytesPerVector: 512, baseline: true })).toThrow('(+ 64 for the uncompressed baseline) x 512 bytes is 4.6 GiB');
  });

  it('links: counted before parsing, and the grid the keys make together', () => {
    const many = (n: number, sep: string, item: (i: number) => string) => Array.from({ length: n }, (_, i) => item(i)).join(sep);
    const t0 = performance.now();
    expect(() => decodeState(`?methods=${many(10_000, ';', () => 'agc')}`)).toThrow('methods lists 10000 methods, over the limit of 64');
    expect(() => decodeState(`?budgets=${many(2000, ',', (i) => String(i + 1))}`)).toThrow('budgets lists 2000 budgets, over the limit of 64');
    expect(performance.now() - t0).toBeLessThan(5000); // a generous bound: the old parser took 8 s for 2,000
    // 20 methods x 60 budgets x 1 storage type = 1,200 cells.
    // 18 registered methods and presets x 60 budgets x 1 storage type = 1,080 cells.
    const methods = 'none;agc;agc-mean;agc-random;agc-select;agc-raw;hpool;hpool-paper;hpool-colpali;hpool-pylate14;hpool-pylate;kmeans;uniform;spatial-rows;random;top-saliency;prune;prune-merge';
    expect(() => decodeState(`?methods=${methods}&budgets=${many(60, ',', (i) => String(i + 1))}&storage=fp32`)).toThrow('18 methods x 60 budgets x 1 storage types is 1,080 cells, over the limit of 1,024');
    expect(() => decodeState(`?methods=${methods}&budgets=${many(60, ',', (i) => String(i + 1))}&storage=fp32`)).toThrow(UrlStateError);
    expect(SETTING_LIMITS.gridCells).toBe(1024);
  });
});
