/**
 * The command line's argument and file handling: comma lists, inputs read within the size limit,
 * outputs that may not overwrite an input, and atomic writes (a temporary file renamed over the
 * target). A UsageError exits with status 2.
 */
import { closeSync, existsSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { LIMITS } from '../src/core/limits.ts';

export class UsageError extends Error {}

export function intList(text: string, flag: string, zeroAllowed = false): number[] {
  const values = text.split(',').map((s) => Number(s.trim()));
  if (values.some((v) => !Number.isInteger(v) || v < (zeroAllowed ? 0 : 1)))
    throw new UsageError(`${flag} expects ${zeroAllowed ? 'whole numbers >= 0' : 'positive integers'} separated by commas, got "${text}"`);
  return values;
}

export function readFile(path: string, flag: string): Uint8Array {
  if (!existsSync(path)) throw new UsageError(`${flag}: no such file: ${path}`);
  const st = statSync(path);
  if (st.isDirectory()) throw new UsageError(`${flag}: ${path} is a folder, not a file`);
  if (st.size > LIMITS.fileBytes) throw new UsageError(`${flag}: ${path} is ${st.size.toLocaleString('en')} bytes, over the limit of ${LIMITS.fileBytes.toLocaleString('en')}`);
  return new Uint8Array(readFileSync(path));
}

/** The same file, however it is spelled (links and relative paths resolved where the file exists). */
const samePath = (a: string, b: string) => {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : join(existsSync(dirname(resolve(p))) ? realpathSync(dirname(resolve(p))) : dirname(resolve(p)), basename(p)));
  return real(a) === real(b);
};

/** Refuses an output that is one of the inputs (it would be destroyed before it is read in full). */
export function checkOutputs(outputs: Record<string, string | undefined>, inputs: (string | undefined)[]): void {
  const given = Object.entries(outputs).filter((e): e is [string, string] => !!e[1]);
  for (const [flag, out] of given) {
    for (const input of inputs) if (input && samePath(out, input)) throw new UsageError(`${flag} ${out} is also an input; write the output somewhere else`);
    for (const [other, o] of given) if (other !== flag && samePath(out, o)) throw new UsageError(`${flag} and ${other} name the same file: ${out}`);
  }
}

/**
 * Writes a file atomically: into a temporary file beside it, then renamed over it, so a failure
 * half-way (a full disk, a killed process) never leaves a truncated output or destroys an old one.
 */
export function writeOutput(path: string, data: Uint8Array | string | Iterable<string>): void {
  const tmp = join(dirname(resolve(path)), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    if (typeof data === 'string') writeSync(fd, data);
    else if (data instanceof Uint8Array) writeSync(fd, data);
    else for (const chunk of data) writeSync(fd, chunk);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
    rmSync(tmp, { force: true });
    throw err;
  }
}
