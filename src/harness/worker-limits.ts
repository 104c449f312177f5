/**
 * Resource limits for every worker that runs allocator code (stress threads, controlled threads, the
 * user host). Without them a worker that exhausts its heap takes the whole process down (V8's fatal
 * "heap limit" abort, exit 134, no result file); with them only that worker is terminated, its task
 * fails with ERR_WORKER_OUT_OF_MEMORY, and the run reports a crash and keeps what it gathered.
 */
import { totalmem } from 'node:os';
import type { ResourceLimits } from 'node:worker_threads';

/**
 * Half of the machine's memory is shared by one run's workers (the other half is the main thread's, the
 * shared buffers' and the system's). A worker of the harness needs a few tens of MB (tsx, the harness,
 * small arrays: the allocator's state is in the SharedArrayBuffer, outside every heap), so the floor is
 * generous; the ceiling keeps an allocator that leaks from thrashing for long before it is stopped. On
 * the 24 GiB development machine that is 512 MB a worker up to 22 workers, 189 MB at 64.
 */
const MIN_HEAP_MB = 128;
const MAX_HEAP_MB = 512;
/** Node's default, made explicit: deep recursion is a RangeError the harness reports, not a segfault. */
const STACK_MB = 4;

export function heapLimitMb(workers: number): number {
  const share = Math.floor(totalmem() / 2 ** 20 / 2 / Math.max(1, workers));
  return Math.min(MAX_HEAP_MB, Math.max(MIN_HEAP_MB, share));
}

/** Limits for each of `workers` workers started together (count the host too). */
export function workerLimits(workers: number): ResourceLimits {
  return { maxOldGenerationSizeMb: heapLimitMb(workers), stackSizeMb: STACK_MB };
}

/** The one line for a worker that hit its heap limit, or undefined for any other error. */
export function outOfMemoryText(error: unknown, limitMb: number): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'ERR_WORKER_OUT_OF_MEMORY') return undefined;
  return `ran out of memory: its worker reached the ${limitMb} MB heap limit and was terminated`;
}
