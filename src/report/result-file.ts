/**
 * Result files under `results/`: written whole or not at all. The JSON goes to a temporary file in the
 * same folder and is renamed over the final name, which on one filesystem is atomic: a reader (or a run
 * killed halfway) never sees half a file.
 */
import { closeSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../io/usage-error.ts';
import { shownPath } from '../io/user-cwd.ts';

export const resultsDir = fileURLToPath(new URL('../../results/', import.meta.url));

/** Suffixes tried after the plain name when a file of that name exists already (`-2` ... `-99`). */
const MAX_SUFFIX = 99;

export function writeJsonAtomic(file: string, data: unknown): void {
  writeTextAtomic(file, `${JSON.stringify(data, null, 2)}\n`);
}

/** Any text file (a report page, a chart), whole or not at all, the same way. */
export function writeTextAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  removeStaleTemporaries(file);
  const temporary = temporaryName(file, process.pid);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  } catch (error) {
    // A rename that fails (the target is a folder, the disk is full) must not leave the temporary behind.
    try {
      unlinkSync(temporary);
    } catch {
      // Never written, or already gone.
    }
    throw error;
  }
}

/**
 * Creates `<dir>/<base><ext>` holding `text`, or `<base>-2<ext>`, `<base>-3<ext>`... when that name is
 * taken: two sweeps started in the same millisecond each get a file of their own instead of one
 * renaming its results over the other's. Creating the file is also the check that the folder can be
 * written to, made before anything runs: a read-only `results/` is one line, not a stack after the
 * first run.
 * @returns the file created.
 */
export function createExclusive(dir: string, base: string, ext: string, text: string): string {
  checkOutDir(dir);
  for (let n = 1; n <= MAX_SUFFIX; n++) {
    const file = path.join(dir, `${base}${n === 1 ? '' : `-${n}`}${ext}`);
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new UsageError(`cannot write in ${shownPath(dir)}: ${errorText(error)}; give another folder with --out DIR`);
    }
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    return file;
  }
  throw new UsageError(`${shownPath(dir)}: ${base}${ext} and ${MAX_SUFFIX - 1} suffixed names are taken; give another folder with --out DIR`);
}

/**
 * Makes sure `dir` is a folder pagerace can write in (creating it if need be), or says why not in one
 * line: a file where the folder should be, a folder that cannot be created, a read-only one.
 */
export function checkOutDir(dir: string): void {
  let isFolder = false;
  try {
    isFolder = statSync(dir).isDirectory();
    if (!isFolder) throw new UsageError(`${shownPath(dir)}: is a file, not a folder; --out takes a folder`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new UsageError(`${shownPath(dir)}: a part of this path is a file, not a folder`);
    if (code !== 'ENOENT') throw new UsageError(`${shownPath(dir)}: cannot use this folder: ${errorText(error)}`);
  }
  if (!isFolder) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new UsageError(`cannot create the folder ${shownPath(dir)}: ${errorText(error)}`);
    }
  }
  // access(W_OK) says yes to root on a read-only folder it could chmod, and nothing about a read-only
  // mount until a write; one real write is the only honest probe.
  const probe = temporaryName(path.join(dir, '.pagerace-write-check'), process.pid);
  try {
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (error) {
    throw new UsageError(`cannot write in ${shownPath(dir)}: ${errorText(error)}; give another folder with --out DIR`);
  }
}

/** Makes sure `file` can be written as a file (its folder exists or can be made, and it is no folder). */
export function checkOutFile(file: string, flag: string): void {
  try {
    if (statSync(file).isDirectory()) throw new UsageError(`${flag} ${shownPath(file)}: is a folder; give a file name`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`${flag} ${shownPath(file)}: ${errorText(error)}`);
  }
  checkOutDir(path.dirname(file));
}

/** `results/<kind>-<name>-<UTC time>.json`, with the name made safe for a file name. */
export function resultFileName(kind: string, name: string, date = new Date(), dir = resultsDir): string {
  return path.join(dir, `${resultFileBase(kind, name, date)}.json`);
}

/** The name of a result file without its `.json`. */
export function resultFileBase(kind: string, name: string, date = new Date()): string {
  const stamp = date.toISOString().replace(/[-:.]/g, '');
  return `${kind}-${name.replace(/[^\w.-]+/g, '_')}-${stamp}`;
}

function temporaryName(file: string, pid: number): string {
  return `${file}.${pid}.tmp`;
}

/**
 * Removes `<file>.<pid>.tmp` files whose process is gone: a write killed with kill -9 between its
 * write and its rename leaves one, and nothing else ever would remove it. A live process's temporary
 * is left alone, since it may be about to rename it.
 */
function removeStaleTemporaries(file: string): void {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = /^(\d+)\.tmp$/.exec(name.slice(prefix.length))?.[1];
    if (pid === undefined || Number(pid) === process.pid || isAlive(Number(pid))) continue;
    try {
      unlinkSync(path.join(dir, name));
    } catch {
      // Another writer removed it first.
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it just is not ours.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const errnoWords: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'is a folder',
};

function errorText(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (!e?.code) return String(e?.message ?? error).split('\n')[0]!;
  return `${errnoWords[e.code] ?? e.code} (${e.code})`;
}
