/**
 * One logical thread of an allocator's controlled run, set up as both engines run it: its views, the
 * allocator attached (under the global lock if it asks for one), and the stress thread whose hooks
 * park at its barriers and at a violation, and record each operation with the steps it took (OpSpan).
 * The hooks carry generator twins (coroutines/runtime.ts), so that a stress thread the coroutine
 * transform rewrote suspends there instead of waiting on its stack; a worker calls them plainly.
 */
import type { AllocatorDefinition } from '../alloc/contract.ts';
import { GlobalLock } from '../alloc/global-lock.ts';
import { checkAttached, refName } from '../alloc/load-allocator.ts';
import { withGlobalLock } from '../alloc/locked.ts';
import { RunViews } from '../subjects/allocator/layout.ts';
import { describeOp } from '../subjects/allocator/op-log.ts';
import { StressThread } from '../subjects/allocator/stress-thread.ts';
import type { WorkerReport } from '../subjects/allocator/task.ts';
import { TWIN } from './coroutines/runtime.ts';
import type { Interceptor } from './intercept.ts';
import { Request } from './protocol.ts';
import type { OpSpan } from './trace.ts';
import type { ControlledTask } from './worker.ts';

/** Operations a report carries at most per thread: a trace shows the last few dozen steps. */
const MAX_OPS_REPORTED = 256;

export interface AllocatorThread {
  thread: StressThread;
  /** Its report once the schedule has ended, with its last operations (one it was stopped in, so far). */
  finish(): { report: WorkerReport; ops: OpSpan[] };
}

/** Sets up thread `task.thread` for one schedule; runs before the Atomics functions are wrapped (setting up a view is not part of the race). */
export function allocatorThread(task: ControlledTask, definition: AllocatorDefinition, interceptor: Interceptor): AllocatorThread {
  const views = new RunViews(task.buffer, task.layout, task.allocatorBuffer);
  let allocator = checkAttached(definition.attach(views.allocatorRegion, task.layout.pages, task.thread), refName(task.allocator));
  let lock: GlobalLock | undefined;
  if (definition.locking === 'global-lock' && task.lock) {
    lock = new GlobalLock(views.lockRegion, task.thread);
    allocator = withGlobalLock(allocator, lock);
  }
  let barriers = 0;
  // Each operation with the steps it took: the step granted last as it began and as it ended.
  const ops: OpSpan[] = [];
  let current: OpSpan | undefined;
  const barrier = () => (barriers++ === 0 ? Request.start : Request.barrier);
  const thread = new StressThread(task, allocator, lock?.counters, {
    onOp: (phase, op, first, count, result) => {
      if (phase === 'begin') {
        current = { thread: task.thread, call: describeOp({ op, first, count }), returned: false, after: interceptor.grantedStep, last: interceptor.grantedStep };
        return;
      }
      if (!current) return;
      current.returned = true;
      current.last = interceptor.grantedStep;
      if (op === 'alloc') current.result = String(result);
      else if (op === 'removeMemory') current.result = String(result === 1);
      ops.push(current);
      current = undefined;
      if (ops.length >= 2 * MAX_OPS_REPORTED) ops.splice(0, MAX_OPS_REPORTED);
    },
    barrier: Object.assign(
      () => {
        interceptor.park(barrier());
        return true;
      },
      {
        [TWIN]: function* () {
          yield* interceptor.parkCo(barrier());
          return true;
        },
      },
    ),
    onViolation: Object.assign(() => interceptor.park(Request.violation), { [TWIN]: () => interceptor.parkCo(Request.violation) }),
    timed: false,
  });
  return {
    thread,
    finish: () => {
      if (current) ops.push({ ...current, last: interceptor.grantedStep });
      return { report: thread.summary(), ops: ops.slice(-MAX_OPS_REPORTED) };
    },
  };
}
