/**
 * The workers of an exploration: the controlled worker pool and the user host, kept for every size the
 * exploration grows through and every shrinking step, instead of started again for each. A worker's
 * start (tsx, the module graph, the plain-access transform of the code under test) takes about 2 s on
 * two cores, a small schedule a few milliseconds: measured here, 4 sizes of a growing exploration of
 * 40 schedules took 19.2 s when each size started its own, and one size of 40 schedules 4.2 s.
 *
 * A coordinator runs its session's tasks on these workers and ends them when it closes; only the owner
 * of the set (explore's size loop, or a coordinator made without one) terminates the workers.
 */
import { Piscina } from 'piscina';
import type { AllocatorRef } from '../alloc/load-allocator.ts';
import { refName } from '../alloc/load-allocator.ts';
import { UserHost } from '../harness/user-host.ts';
import { workerLimits } from '../harness/worker-limits.ts';
import { DEFAULT_ENGINE, type Engine } from './engine.ts';
import { DEFAULT_POINTS, type PointsMode } from './plain-access-mode.ts';
import type { AnyControlledTask } from './worker.ts';

const workerFile = new URL('../../workers/controlled.mjs', import.meta.url).href;

export class ControlledWorkers {
  private pool: Piscina<AnyControlledTask, void> | undefined;
  private host: Promise<UserHost> | undefined;
  /** Threads the pool holds: the most any session asked for so far. */
  private size = 0;

  /**
   * @param threads the most threads a session will ask for, if known: the pool starts that many at
   *   once, so that a later, larger size finds its workers ready.
   */
  constructor(
    /** The allocator whose code the user host runs; none for a program, which has no host. */
    readonly allocator: AllocatorRef | undefined,
    readonly points: PointsMode = DEFAULT_POINTS,
    private readonly watchdogMs: number,
    private threads = 1,
    /** With `coroutines`, one worker runs every thread of a session (src/controlled/coroutines). */
    readonly engine: Engine = DEFAULT_ENGINE,
  ) {}

  /** A pool of at least `threads` workers, each free for one long-lived task. */
  async workers(threads: number): Promise<Piscina<AnyControlledTask, void>> {
    // One worker runs every coroutine.
    const size = this.engine === 'coroutines' ? 1 : Math.max(threads, this.threads);
    if (this.pool && this.size >= size) return this.pool;
    // A larger pool than the one there: its workers are idle between sessions, so it can simply go.
    if (this.pool) await this.pool.destroy();
    this.size = size;
    this.pool = new Piscina<AnyControlledTask, void>({
      filename: workerFile,
      minThreads: this.size,
      maxThreads: this.size,
      concurrentTasksPerWorker: 1,
      idleTimeout: 10 * 60_000,
      // The worker's loader must know before it imports anything whether to rewrite plain accesses.
      workerData: { points: this.points, engine: this.engine },
      // A worker that exhausts its heap is terminated (its task fails: a crash of that thread), instead
      // of V8 aborting the whole process. The user host is one more worker.
      resourceLimits: workerLimits(this.size + 1),
    });
    this.pool.on('error', () => {});
    return this.pool;
  }

  /** Where the allocator's code runs for the coordinator: init, attach, removeMemory, audits. */
  userHost(): Promise<UserHost> {
    if (!this.allocator) return Promise.reject(new Error('a program has no user host'));
    this.host ??= UserHost.start(this.allocator, refName(this.allocator), { timeoutMs: this.watchdogMs, workers: Math.max(this.size, this.threads) + 1 });
    // A host that failed to start fails this call; the next one tries again.
    this.host.catch(() => (this.host = undefined));
    return this.host;
  }

  /** Threads (or a host) that could not be brought back to the start: the next session gets new ones. */
  async replace(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    const host = this.host;
    const pool = this.pool;
    this.host = undefined;
    this.pool = undefined;
    this.size = 0;
    await Promise.all([host?.then((h) => h.close(), () => {}), pool?.destroy()]);
  }
}
