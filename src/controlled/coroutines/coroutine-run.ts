/**
 * The frame of one schedule on the coroutine engine, whatever its threads run (an allocator's stress
 * threads, a program's): the Atomics functions wrapped with generator twins, and unless `--points
 * atomics` the plain accesses and typed-array methods on the subject's buffer made points, each routed
 * to the interceptor of the thread that is running; parks that cannot yield wait on the stack; all put
 * back however the schedule ends. The coroutine counterpart of ../intercepted.ts.
 */
import { Interceptor, installAtomics, uninstallAtomics } from '../intercept.ts';
import { type AccessPoints, startPlainAccess, stopPlainAccess } from '../plain-access.ts';
import type { PointsMode } from '../plain-access-mode.ts';
import { patchTypedArrayMethods, unpatchTypedArrayMethods } from '../plain-access-methods.ts';
import { BatchViews, QUIT, slotViews } from '../protocol.ts';
import { type DescribeLocation, nextEpoch, type ScheduleLoopTask, sendReport, slotOf } from '../schedule-loop.ts';
import type { WorkerReport } from '../../subjects/allocator/task.ts';
import type { OpSpan } from '../trace.ts';
import { CoroutineDriver } from './driver.ts';
import { setSyncYield } from './runtime.ts';

/** Polls of the doorbell before the driver sleeps: the coordinator has a core of its own. */
const DOORBELL_POLLS = 20_000;

/**
 * A coroutine worker's life, whatever its threads run: one driver for all of them, `runSchedule` once
 * per epoch until the coordinator says QUIT, and each thread's report written into its area after.
 */
export async function serveCoroutineSchedules(
  threads: readonly (ScheduleLoopTask & { batch: SharedArrayBuffer })[],
  runSchedule: (driver: CoroutineDriver) => { report: WorkerReport; ops: OpSpan[] }[],
  describe: DescribeLocation,
): Promise<void> {
  const first = threads[0]!;
  const driver = new CoroutineDriver(slotViews(first.control, threads.length).slots, new BatchViews(first.batch).header, DOORBELL_POLLS);
  const last = slotOf(threads[threads.length - 1]!);
  let epoch = 0;
  for (;;) {
    // The coordinator starts a schedule slot by slot: once the last slot has the epoch, all have.
    epoch = nextEpoch(last, epoch);
    if (epoch === QUIT) return;
    const results = runSchedule(driver);
    for (const [t, thread] of threads.entries()) sendReport(thread, epoch, results[t]!.report, results[t]!.ops, describe);
  }
}

/** The interceptor of each of `threads` threads, on the handshake buffers, waiting through `driver`. */
export function coroutineInterceptors(driver: CoroutineDriver, threads: number, handshake: { control: SharedArrayBuffer; batch: SharedArrayBuffer }, buffer: SharedArrayBuffer): Interceptor[] {
  return Array.from({ length: threads }, (_, t) => new Interceptor(handshake.control, handshake.batch, threads, t, buffer, 0, () => driver.waitOnStack(t)));
}

/** Runs one schedule of `bodies` (thread t's generator is bodies[t]) and returns what each returned. */
export function runCoroutines<T>(driver: CoroutineDriver, interceptors: Interceptor[], buffer: SharedArrayBuffer, points: PointsMode | undefined, bodies: Generator<unknown, T, unknown>[]): T[] {
  const current = () => interceptors[driver.current]!;
  const router: AccessPoints = {
    read: (array, index) => current().read(array, index),
    write: (array, index, value) => current().write(array, index, value),
    readCo: (array, index) => current().readCo(array, index),
    writeCo: (array, index, value) => current().writeCo(array, index, value),
    park: (request, array, index, arg1, arg2) => current().park(request, array, index, arg1, arg2),
    parkCo: (request, array, index, arg1, arg2) => current().parkCo(request, array, index, arg1, arg2),
  };
  const plain = points !== 'atomics';
  installAtomics(buffer, current, true);
  setSyncYield(() => driver.waitOnStack(driver.current));
  if (plain) {
    startPlainAccess(router, buffer);
    patchTypedArrayMethods(router, buffer);
  }
  try {
    return driver.run(bodies) as T[];
  } finally {
    if (plain) {
      unpatchTypedArrayMethods();
      stopPlainAccess();
    }
    setSyncYield(undefined);
    uninstallAtomics();
  }
}
