/**
 * Settings held to the limits table at the parser (exit 2, the option and the limit named, before
 * any work), inputs that are not regular files refused, and MUVERA without judgments reported.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const fx = join(import.meta.dirname, '../fixtures/import');
const cli = (...args: string[]) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli/main.ts'), ...args], { encoding: 'utf8', cwd: root, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
};

describe('cli settings and inputs', () => {
  it('threads above the cores: exit 2, named', () => {
    const r = cli('search', '--synthetic', 'tiny', '--threads', '1000');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: --threads 1000 is more than the ${availableParallelism()} cores here; at most ${availableParallelism()}\n`);
  });

  it('eval --threads 2 gives the figures of one thread; above the cores: exit 2, named', () => {
    const json = (threads: string) => {
      const out = join(tmpdir(), `mvc-eval-threads-${process.pid}-${threads}.json`);
      const r = cli('eval', '--synthetic', 'tiny', '--methods', 'none,agc,hpool,kmeans', '--budgets', '2,4', '--threads', threads, '--json', out, '--quiet');
      expect(r.code, r.stderr).toBe(0);
      const rows = (JSON.parse(readFileSync(out, 'utf8')) as { rows: Record<string, unknown>[] }).rows;
      return rows.map((x) => ({ ...x, compressMsPerDoc: 0, searchMsPerQuery: 0 }));
    };
    if (availableParallelism() >= 2) expect(json('2')).toEqual(json('1'));
    const r = cli('eval', '--synthetic', 'tiny', '--threads', '1000');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: --threads 1000 is more than the ${availableParallelism()} cores here; at most ${availableParallelism()}\n`);
  });

  it('MUVERA sizes refused by the bytes they imply, before any encoding (the old code took over 3 GB)', () => {
    // tiny has 27 documents at d = 32: 27 x 100,000 x 2^4 x 32 x 4 bytes = 5,273 MiB.
    const r = cli('muvera', '--synthetic', 'tiny', '--reps', '100000');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: these settings need 5273 MiB of encodings (27 documents x 100000 x 2^4 x 32 values x 4 bytes), more than the 512 MiB allowed: lower d_proj, k_sim or the repetitions\n');
    const e = cli('export', '--input', join(fx, 'ragged.npz'), '--method', 'agc', '--budget', '3', '--output', join(root, 'never.safetensors'), '--muvera', '4,1000000');
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/^error: these settings need \d+ MiB of encodings \(\d+ documents x 1000000 x 2\^4 x \d+ values x 4 bytes\)/);
  });

  it('an out-of-range k_sim is a setting error (exit 2)', () => {
    const r = cli('muvera', '--synthetic', 'tiny', '--ksim', '13');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: MUVERA: k_sim must be an integer in [0, 12], got 13\n');
  });

  it('a grid over the limit is refused before the corpus is read', () => {
    const budgets = Array.from({ length: 65 }, (_, i) => i + 1).join(',');
    const r = cli('eval', '--synthetic', 'tiny', '--budgets', budgets);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: 65 budgets, over the limit of 64 in one comparison\n');
  });

  it('a device or FIFO as input is refused (the old code read /dev/zero until killed)', () => {
    const r = cli('compress', '--method', 'agc', '--budget', '3', '--input', '/dev/zero', '--output', join(root, 'never.npy'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: --input: /dev/zero is not a regular file (a device, FIFO or socket); give a file\n');
  });

  it('MUVERA on queries without judgments: the stages are reported, recall and nDCG as undefined', () => {
    const r = cli('muvera', '--input', join(fx, 'ragged.npz'), '--candidates', '2');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no query has judgments (--qrels): recall and nDCG are undefined');
    const exhaustive = r.stdout.split('\n').find((l) => l.startsWith('exhaustive MaxSim'))!.slice(36).trim().split(/\s+/);
    expect(exhaustive.slice(0, 3)).toEqual(['–', '–', '100.0%']);
  });
});
