/**
 * The worker threads of one stress run: a piscina pool of exactly N threads, one task each.
 */
import { Piscina } from 'piscina';
import { heapLimitMb, workerLimits } from '../harness/worker-limits.ts';
import type { StressTask, WorkerReport } from '../subjects/allocator/task.ts';

const workerFile = new URL('../../workers/stress.mjs', import.meta.url).href;

export class StressPool {
  private readonly pool: Piscina<StressTask, WorkerReport>;
  private destroyed = false;
  /** Each worker's heap limit: a worker that reaches it is terminated, and its task fails. */
  readonly heapMb: number;

  constructor(readonly threads: number) {
    // The run's user host is one more worker sharing the machine's memory.
    this.heapMb = heapLimitMb(threads + 1);
    this.pool = new Piscina({
      filename: workerFile,
      minThreads: threads,
      maxThreads: threads,
      // One task per worker at a time: with N tasks on N workers, every task gets a thread of its own.
      concurrentTasksPerWorker: 1,
      idleTimeout: 10 * 60_000,
      // Without limits, an allocator that exhausts memory aborts the whole process (V8's fatal heap
      // limit, exit 134, no result file); with them only its worker ends, and the run reports a crash.
      resourceLimits: workerLimits(threads + 1),
    });
    // A worker that dies between tasks is reported by the task that needed it; without a listener the
    // pool's 'error' event would take the whole process down.
    this.pool.on('error', () => {});
  }

  run(task: StressTask): Promise<WorkerReport> {
    return this.pool.run(task);
  }

  /** Terminates every worker, even one stuck in an endless loop inside an allocator. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await this.pool.destroy();
  }
}
