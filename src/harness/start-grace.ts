/**
 * How long a pool of workers gets to start (each loads tsx, the harness and the allocator module)
 * before the ones still starting count as hung. Starting costs CPU time per worker, and a pool's
 * workers start together on however many cores are free, so the time grows with the pool: a fixed 30 s
 * failed 64 workers on the 2-core development machine under load (load average near 30: a false hang,
 * "did not start within 35000 ms"); with this grace (163 s for 64, from the last worker that started)
 * the same run passed, 4 min in all. Waiting is also judged by progress: the grace is counted from the last time another worker of
 * the pool finished starting, so a slow but moving start is never a hang, and a stuck one is found
 * within one grace of the last worker that made it.
 */

/** What a single worker may need on a loaded machine. */
export const START_BASE_MS = 30_000;
/** And for each worker of the pool. */
export const START_PER_WORKER_MS = 2_000;

export function startGraceMs(workers: number): number {
  return START_BASE_MS + START_PER_WORKER_MS * workers;
}

/** `30 s + 2 s a worker`, for messages. */
export const START_GRACE_TEXT = `${START_BASE_MS / 1000} s + ${START_PER_WORKER_MS / 1000} s a worker`;
