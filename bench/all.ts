/**
 * `npm run bench -- [--json out.json] [--quick]`: the engine benchmark (bench/main.ts), then the
 * scale benchmark (bench/scale.ts, which needs --expose-gc), each given the arguments. npm appends
 * arguments to the last command of a script only, so "a && b" handed them to the second alone;
 * this runner passes them to both. --json out.json writes out.json (engine) and
 * out.scale.json (scale).
 */
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const at = args.indexOf('--json');
const scaleArgs = [...args];
if (at >= 0 && args[at + 1]) scaleArgs[at + 1] = args[at + 1].replace(/(\.json)?$/, '.scale.json');
for (const [label, cmd] of [
  ['engine', ['--import', 'tsx', 'bench/main.ts', ...args]],
  ['scale', ['--expose-gc', '--import', 'tsx', 'bench/scale.ts', ...scaleArgs]],
] as const) {
  console.log(`\n== ${label} benchmark: node ${cmd.join(' ')}`);
  const r = spawnSync(process.execPath, cmd, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
