/**
 * The command line's argument and file handling: comma lists, inputs read within the size limit,
 * outputs that may not overwrite an input, and outputs committed together (temporary files renamed
 * over their targets once all are written; devices, FIFOs and `-` written in place). A UsageError
 * exits with status 2.
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
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
  // A device (/dev/zero) declares no size and never ends; a FIFO blocks until a writer comes.
  if (!st.isFile()) throw new UsageError(`${flag}: ${path} is not a regular file (a device, FIFO or socket); give a file`);
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

/** One output of a command: the path as the user gave it (`-`: standard output), the flag that named it, what goes there. */
export interface Output {
  flag: string;
  path: string;
  data: Uint8Array | string | Iterable<string>;
}

/** Pieces written between chances for a signal to be handled (a 164 MB index is 21 of them). */
const PIECE = 8 * 2 ** 20;
const encoder = new TextEncoder();
/** Temporary files of outputs being written now: removed on error, SIGINT and SIGTERM. */
const pending = new Set<string>();

function onSignal(signal: NodeJS.Signals): void {
  for (const tmp of pending) rmSync(tmp, { force: true });
  pending.clear();
  process.stderr.write(`interrupted (${signal}): no output was written\n`);
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

/**
 * Where an output goes in place rather than by a temporary file renamed over it: standard output
 * (`-`), and anything that exists and is not a regular file (a device such as /dev/full, a FIFO,
 * /dev/stdout's pipe or terminal). Replacing those would destroy them.
 */
export function inPlace(path: string): boolean {
  if (path === '-') return true;
  try {
    return !statSync(path).isFile(); // follows links: /dev/stdout -> /proc/self/fd/1 -> the pipe
  } catch {
    return false; // does not exist yet: a new regular file
  }
}

/** Bytes written since the event loop last ran (signals are handled only then). */
let sinceYield = 0;

/**
 * The process's own standard output or error when `path` is one of them (`-`, /dev/stdout,
 * /dev/fd/2 ...): written through the descriptor, since reopening a socket by its /proc path fails.
 */
function ownStream(path: string): number | undefined {
  if (path === '-') return 1;
  const st = statSync(path);
  for (const fd of [1, 2]) {
    try {
      const own = fstatSync(fd);
      if (own.dev === st.dev && own.ino === st.ino) return fd;
    } catch {
      /* not open */
    }
  }
  return undefined;
}

/** Every byte written, however many calls it takes (a write may take fewer bytes than it was given). */
async function writeAll(fd: number, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length; ) {
    const n = writeSync(fd, bytes, off, Math.min(bytes.length - off, PIECE));
    if (n <= 0) throw new Error(`short write: ${off} of ${bytes.length} bytes`);
    off += n;
    sinceYield += n;
    if (sinceYield >= PIECE) {
      sinceYield = 0;
      await new Promise((r) => setImmediate(r)); // a signal can be handled here
    }
  }
}

async function writeData(fd: number, data: Output['data']): Promise<void> {
  if (typeof data === 'string') await writeAll(fd, encoder.encode(data));
  else if (data instanceof Uint8Array) await writeAll(fd, data);
  else for (const chunk of data) await writeAll(fd, encoder.encode(chunk));
  await new Promise((r) => setImmediate(r));
}

/** An error that names the output as the user gave it (never a temporary file). */
function outputError(o: Output, err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  const why = e.code === 'ENOSPC' ? 'no space left on the device' : e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.code === 'ENOENT' ? 'no such folder' : e.code ?? e.message;
  return new Error(`cannot write ${o.flag} ${o.path}: ${why}`);
}

async function writeTo(o: Output, target: string | number): Promise<void> {
  let fd: number | undefined;
  try {
    fd = typeof target === 'number' ? target : openSync(target, 'w');
    await writeData(fd, o.data);
  } catch (err) {
    throw outputError(o, err);
  } finally {
    if (fd !== undefined && typeof target !== 'number') closeSync(fd);
  }
}

/**
 * Writes a command's outputs, committed together or not at all: each regular file into a temporary
 * file beside it, then, once every one is written, each renamed over its target, so a failure
 * half-way (a full disk, an interrupt) never leaves a truncated output, destroys an old one, or
 * leaves a new index beside an old points file. `-` and non-regular outputs are written in place
 * as streams. Temporary files are removed on error and on SIGINT/SIGTERM.
 */
export async function writeOutputs(outputs: Output[]): Promise<void> {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const staged: [string, string][] = [];
  try {
    for (const o of outputs.filter((x) => !inPlace(x.path))) {
      const tmp = join(dirname(resolve(o.path)), `.${basename(o.path)}.${process.pid}.tmp`);
      pending.add(tmp);
      await writeTo(o, tmp);
      staged.push([tmp, o.path]);
    }
    for (const o of outputs.filter((x) => inPlace(x.path))) await writeTo(o, ownStream(o.path) ?? o.path);
    for (const [tmp, path] of staged) {
      renameSync(tmp, path);
      pending.delete(tmp);
    }
  } finally {
    for (const tmp of pending) rmSync(tmp, { force: true });
    pending.clear();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
