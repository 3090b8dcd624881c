/**
 * The command line's outputs: `-` and non-regular files (devices, FIFOs, /dev/stdout) written in
 * place and never replaced, errors that name the output as given, outputs of one command committed
 * together or not at all, and temporary files removed on SIGINT.
 */
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeNpy } from '../../src/core/npy.ts';
import { randomDoc } from '../helpers.ts';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cli-out-'));
const run = (args: string[], shell?: string) => {
  // A timeout: code that replaced a FIFO instead of writing it would leave its reader waiting.
  const cmd = [process.execPath, '--import', 'tsx', join(root, 'cli/main.ts'), ...args];
  const r = shell ? spawnSync('sh', ['-c', shell.replace('CLI', cmd.map((a) => `'${a}'`).join(' '))], { encoding: 'utf8', cwd: root, timeout: 60_000 }) : spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const input = join(dir, 'tokens.npy');
writeFileSync(input, writeNpy(randomDoc('t', 20, 8, 5).data, [20, 8]));
const compress = (...more: string[]) => ['compress', '--method', 'uniform', '--budget', '4', '--input', input, ...more];
const tmpLeft = () => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describe('cli outputs', () => {
  it('"-" writes to standard output', () => {
    const r = run(compress('--output', join(dir, 'a.npy'), '--assignments', '-'));
    expect(r.code).toBe(0);
    // 20 tokens pooled into 4 cells of the 1-D uniform split: 5 each, in order.
    expect(JSON.parse(r.stdout)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3]);
  });

  // /dev/fd/1 rather than /dev/stdout: code that replaced its output would fail there (/dev/fd is
  // /proc/self/fd) instead of replacing the machine's /dev/stdout, as the bug this guards did.
  it("the process's own standard output by path (/dev/fd/1) is written through, not replaced", () => {
    const r = run(compress('--output', join(dir, 'b.npy'), '--assignments', '/dev/fd/1'));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(20);
  });

  it('a FIFO is written in place and stays a FIFO', () => {
    const fifo = join(dir, 'pipe');
    execSync(`mkfifo '${fifo}'`);
    const got = join(dir, 'from-pipe.json');
    // The reader gives up after 30 s, so a writer that never opens the FIFO fails the test instead of hanging it.
    const r = run(compress('--output', join(dir, 'c.npy'), '--assignments', fifo), `timeout 30 cat '${fifo}' > '${got}' & CLI; status=$?; wait; exit $status`);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(got, 'utf8'))).toHaveLength(20);
    expect(statSync(fifo).isFIFO()).toBe(true);
  });

  // A device node of our own with /dev/full's numbers (1, 7), so a regression replaces only it.
  // Needs root (CAP_MKNOD), as the tests and CI run here.
  it('a full device: exit 1, the error names the output as given, and the device is still a device', () => {
    const full = join(dir, 'full');
    execSync(`mknod -m 666 '${full}' c 1 7`);
    const r = run(compress('--output', full));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: cannot write --output ${full}: no space left on the device\n`);
    expect(statSync(full).isCharacterDevice()).toBe(true);
  });

  it('two outputs are committed together: when the second cannot be written, the first is not either', () => {
    const out = join(dir, 'together.npy');
    const r = run(compress('--output', out, '--assignments', join(dir, 'no-such-folder', 'a.json')));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: cannot write --assignments ${join(dir, 'no-such-folder', 'a.json')}: no such folder\n`);
    expect(existsSync(out)).toBe(false);
    expect(tmpLeft()).toEqual([]);
  });

  it('SIGINT while writing removes the temporary files, commits nothing and exits 130', () => {
    // A generator output that interrupts its own process half-way, as a user's Ctrl-C would.
    const script = join(dir, 'interrupt.mts');
    writeFileSync(
      script,
      `import { writeOutputs } from ${JSON.stringify(join(root, 'cli/files.ts'))};
function* lines() { for (let i = 0; i < 4000; i++) { if (i === 10) process.kill(process.pid, 'SIGINT'); yield 'x'.repeat(4096) + '\\n'; } }
await writeOutputs([{ flag: '--first', path: ${JSON.stringify(join(dir, 'first.json'))}, data: '{}' }, { flag: '--points', path: ${JSON.stringify(join(dir, 'points.jsonl'))}, data: lines() }]);
console.log('not interrupted');`,
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', cwd: root });
    expect(r.status).toBe(130);
    expect(r.stdout).not.toContain('not interrupted');
    expect(r.stderr).toContain('interrupted (SIGINT): no output was written');
    expect(existsSync(join(dir, 'first.json'))).toBe(false);
    expect(existsSync(join(dir, 'points.jsonl'))).toBe(false);
    expect(tmpLeft()).toEqual([]);
  });
});
