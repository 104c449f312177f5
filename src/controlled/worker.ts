/**
 * A controlled worker's task: the same stress thread, the same allocator code, but every Atomics call
 * on the allocator's buffer, and with `--points all` every plain typed-array read and write of the code
 * under test there (plain-access.ts), waits for the coordinator's go (see intercept.ts). One task runs schedule
 * after schedule: the coordinator resets the buffers between them and bumps the epoch to start the
 * next. Loaded through `workers/controlled.mjs`, which hands it the tasks of kind allocator.
 */
import type { AllocatorDefinition } from '../alloc/contract.ts';
import { loadAllocator } from '../alloc/load-allocator.ts';
import type { StressTask, WorkerReport } from '../subjects/allocator/task.ts';
import { allocatorThread } from './allocator-thread.ts';
import { describeLocation, locationKey } from './describe-location.ts';
import { Interceptor } from './intercept.ts';
import { runIntercepted } from './intercepted.ts';
import { markSubjectRoot } from './plain-access-loader.ts';
import type { PointsMode } from './plain-access-mode.ts';
import { Request } from './protocol.ts';
import { serveSchedules } from './schedule-loop.ts';
import type { ProgramControlledTask } from './program-task.ts';
import type { OpSpan } from './trace.ts';

export interface ControlledTask extends StressTask {
  kind?: 'allocator';
  allocatorBuffer: SharedArrayBuffer;
  /** The coordinator's handshake buffer (protocol.ts). */
  control: SharedArrayBuffer;
  /** The coordinator's batch of decisions and the step log (protocol.ts). */
  batch: SharedArrayBuffer;
  /** Polls of its turn a parked worker makes before it sleeps (see Interceptor). */
  spin: number;
  /** Where each thread writes its report at the end of a schedule. */
  reports: SharedArrayBuffer;
  /**
   * Which accesses are scheduling points; the pool's workerData says the same, since the loader must
   * know it before any module is imported (workers/controlled.mjs). Default: all.
   */
  points?: PointsMode;
}

export type { ControlledReport } from './schedule-loop.ts';

/** Every kind of task a controlled worker runs: an allocator's thread, or a program's. */
export type AnyControlledTask = ControlledTask | ProgramControlledTask;

/** An allocator's thread (a program's task goes to its subject: workers/controlled.mjs). */
export default async function controlledWorker(task: ControlledTask): Promise<void> {
  if (task.points !== 'atomics' && 'module' in task.allocator) markSubjectRoot(task.allocator.module);
  const definition = await loadAllocator(task.allocator);
  // Descriptions are pure functions of the location: asked once per location for the whole task.
  const described = new Map<string, string | undefined>();
  await serveSchedules(
    task,
    () => runSchedule(task, definition),
    (array, index) => {
      const key = locationKey(array, index);
      if (!described.has(key)) described.set(key, describeLocation(definition, task.layout, array, index));
      return { key, text: described.get(key) };
    },
  );
}

function runSchedule(task: ControlledTask, definition: AllocatorDefinition): { report: WorkerReport; ops: OpSpan[] } {
  const interceptor = new Interceptor(task.control, task.batch, task.layout.threads, task.thread, task.allocatorBuffer, task.spin);
  const { thread, finish } = allocatorThread(task, definition, interceptor);
  runIntercepted(interceptor, task.allocatorBuffer, task.points, () => {
    thread.run();
    interceptor.park(Request.done);
  });
  return finish();
}
