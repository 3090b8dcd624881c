/**
 * `npm run bench -- [--json out.json] [--quick]`: the engine benchmark (bench/main.ts), the
 * scale benchmark (bench/scale.ts, which needs --expose-gc) and the grid at the scale of a
 * document corpus (bench/grid.ts), each in its own process. npm appends arguments to the last
 * command of a script only, so "a && b" handed them to the second alone; this runner passes them
 * to every one and, with --json, writes every figure into one file:
 * { "engine": ..., "scale": ..., "grid": ... }.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const at = args.indexOf('--json');
const out = at >= 0 ? args[at + 1] : undefined;
if (at >= 0 && !out) {
  console.error('--json needs a file name');
  process.exit(2);
}
const rest = at >= 0 ? [...args.slice(0, at), ...args.slice(at + 2)] : args;
const folder = mkdtempSync(join(tmpdir(), 'mvc-bench-all-'));
const parts = { engine: join(folder, 'engine.json'), scale: join(folder, 'scale.json'), grid: join(folder, 'grid.json') };
for (const [label, cmd] of [
  ['engine', ['--import', 'tsx', 'bench/main.ts', ...rest, '--json', parts.engine]],
  ['scale', ['--expose-gc', '--import', 'tsx', 'bench/scale.ts', ...rest, '--json', parts.scale]],
  ['grid', ['--import', 'tsx', 'bench/grid.ts', ...rest, '--json', parts.grid]],
] as const) {
  console.log(`\n== ${label} benchmark: node ${cmd.join(' ')}`);
  const r = spawnSync(process.execPath, cmd, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (out) {
  const read = (f: string) => JSON.parse(readFileSync(f, 'utf8'));
  const merged = { engine: read(parts.engine), scale: read(parts.scale), grid: read(parts.grid) };
  writeFileSync(out, JSON.stringify(merged, null, 2) + '\n');
  console.log(`\nwrote ${out}`);
}
rmSync(folder, { recursive: true, force: true });
