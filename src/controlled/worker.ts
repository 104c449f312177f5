/**
 * A controlled worker's task: the same stress thread, the same allocator code, but every Atomics call
 * on the allocator's buffer waits for the coordinator's go (see intercept.ts). Loaded through
 * `workers/controlled.mjs`.
 */
import { GlobalLock } from '../alloc/global-lock.ts';
import { checkAttached, loadAllocator, refName } from '../alloc/load-allocator.ts';
import { withGlobalLock } from '../alloc/locked.ts';
import { RunViews } from '../stress/layout.ts';
import { StressThread } from '../stress/stress-thread.ts';
import type { StressTask, WorkerReport } from '../stress/task.ts';
import { ControlledAbort, Interceptor } from './intercept.ts';
import { Request } from './protocol.ts';

export interface ControlledTask extends StressTask {
  allocatorBuffer: SharedArrayBuffer;
  /** The coordinator's handshake buffer (protocol.ts). */
  control: SharedArrayBuffer;
}

export default async function controlledWorker(task: ControlledTask): Promise<WorkerReport> {
  const views = new RunViews(task.buffer, task.layout, task.allocatorBuffer);
  const definition = await loadAllocator(task.allocator);
  // Attached before the Atomics functions are wrapped: setting up a view is not part of the race.
  let allocator = checkAttached(
    definition.attach(views.allocatorRegion, task.layout.pages, task.thread, { schedulable: true }),
    refName(task.allocator),
  );
  let lock: GlobalLock | undefined;
  if (definition.locking === 'global-lock' && task.lock) {
    lock = new GlobalLock(views.lockRegion, task.thread);
    allocator = withGlobalLock(allocator, lock);
  }
  const interceptor = new Interceptor(task.control, task.thread, task.allocatorBuffer);
  let barriers = 0;
  const thread = new StressThread(task, allocator, lock?.counters, {
    barrier: () => {
      interceptor.park(barriers++ === 0 ? Request.start : Request.barrier);
      return true;
    },
    onViolation: () => interceptor.park(Request.violation),
    timed: false,
  });
  interceptor.install();
  try {
    thread.run();
    interceptor.park(Request.done);
  } catch (error) {
    if (!(error instanceof ControlledAbort)) throw error;
  } finally {
    interceptor.uninstall();
  }
  return thread.summary();
}
