/**
 * The task a piscina worker runs: attach to the run's buffer as one thread and race. Loaded through
 * `workers/stress.mjs`, which registers tsx in the worker first.
 */
import { GlobalLock } from '../alloc/global-lock.ts';
import { checkAttached, loadAllocator, refName } from '../alloc/load-allocator.ts';
import { withGlobalLock } from '../alloc/locked.ts';
import { RunViews } from '../subjects/allocator/layout.ts';
import { StressThread } from '../subjects/allocator/stress-thread.ts';
import type { StressTask, WorkerReport } from '../subjects/allocator/task.ts';

export default async function stressWorker(task: StressTask): Promise<WorkerReport> {
  const views = new RunViews(task.buffer, task.layout);
  const definition = await loadAllocator(task.allocator);
  let allocator = checkAttached(definition.attach(views.allocatorRegion, task.layout.pages, task.thread), refName(task.allocator));
  let lock: GlobalLock | undefined;
  if (definition.locking === 'global-lock' && task.lock) {
    lock = new GlobalLock(views.lockRegion, task.thread);
    allocator = withGlobalLock(allocator, lock);
  }
  return new StressThread(task, allocator, lock?.counters).run();
}
