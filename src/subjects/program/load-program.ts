/**
 * Whether a file a command names is a program, and what the main thread may know of it, found without
 * running the file here: a program is code, and its top level could loop, throw or exhaust memory.
 * A file whose text has no `thread` method (nor a defineProgram or defineObject call) is not one (scenarios, the common case, cost no worker);
 * any other is imported in a worker with a deadline and a heap limit, and checked there.
 */
import { readFileSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { UsageError } from '../../io/usage-error.ts';
import { workerLimits } from '../../harness/worker-limits.ts';
import type { ProgramInfo } from './check-program.ts';

const infoWorker = new URL('../../../workers/program-info.mjs', import.meta.url);
/** How long a program's module may take to import. */
const IMPORT_TIMEOUT_MS = 10_000;
/** A program's source is a test, not a data file: past this it is not read for the cheap test. */
const MAX_SOURCE_BYTES = 4 * 2 ** 20;

/**
 * A `thread(` method or `thread:` function in the text (what every program has and no scenario does), or
 * a call of defineProgram or defineObject (an object is a program built by defineObject).
 */
const threadMethod = /\bthread\s*(?:\(|:\s*(?:async\s+)?(?:function\b|\())|\bdefine(?:Program|Object)\s*\(/;

/** Whether `file` may be a program: it exists, is small enough to read, and has a `thread` method. */
export function mayBeProgram(file: string): boolean {
  try {
    const stat = statSync(file);
    if (!stat.isFile() || stat.size > MAX_SOURCE_BYTES) return false;
    return threadMethod.test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

/** The program's plain fields, or undefined when its default export is not a program; bad input is a UsageError. */
export function loadProgramInfo(file: string, where: string): Promise<ProgramInfo | undefined> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(infoWorker, { workerData: { file, where }, resourceLimits: workerLimits(1), stdout: true, stderr: true });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new UsageError(`${where}: importing the program did not finish within ${IMPORT_TIMEOUT_MS / 1000} s (an endless loop at its top level?)`));
    }, IMPORT_TIMEOUT_MS);
    const done = (settle: () => void) => {
      clearTimeout(timer);
      void worker.terminate();
      settle();
    };
    worker.once('message', (message: { info?: ProgramInfo; notProgram?: true; error?: string }) => {
      done(() => (message.error !== undefined ? reject(new UsageError(message.error)) : resolve(message.info)));
    });
    worker.once('error', (error) => done(() => reject(new UsageError(`${where}: importing the program failed: ${String((error as Error)?.message ?? error).split('\n')[0]}`))));
    worker.once('exit', (code) => done(() => reject(new UsageError(`${where}: importing the program ended its worker (exit code ${code})`))));
  });
}
