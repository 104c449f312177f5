/**
 * The coroutine engine's task (`--engine coroutines`): every logical thread of an allocator's
 * controlled run, on this one worker, as coroutines (driver.ts). The same stress thread and the same
 * allocator code as a controlled worker's (../worker.ts), rewritten by the coroutine transform in this
 * worker's loader, so that a scheduling point suspends the thread's generator instead of blocking a
 * worker: a switch is a generator resume, not a futex wake. Loaded through `workers/controlled.mjs`.
 */
import type { AllocatorDefinition } from '../../alloc/contract.ts';
import { loadAllocator } from '../../alloc/load-allocator.ts';
import { StressThread } from '../../subjects/allocator/stress-thread.ts';
import { type AllocatorThread, allocatorThread } from '../allocator-thread.ts';
import { describeLocation, locationKey } from '../describe-location.ts';
import { ControlledAbort, type Interceptor } from '../intercept.ts';
import { markSubjectRoot } from '../plain-access-loader.ts';
import { Request } from '../protocol.ts';
import type { DescribeLocation } from '../schedule-loop.ts';
import type { ControlledTask } from '../worker.ts';
import { coroutineInterceptors, runCoroutines, serveCoroutineSchedules } from './coroutine-run.ts';
import type { CoroutineDriver } from './driver.ts';
import { TWIN } from './runtime.ts';

/** The task of a coroutine worker: each logical thread's task, all on the same buffers (an allocator's, or a program's). */
export interface CoroutineTask<Thread = ControlledTask> {
  kind: 'coroutines';
  threads: Thread[];
}

type Run = (this: StressThread) => Generator<unknown, unknown, unknown>;

/** Runs schedules until the coordinator says QUIT. */
export default async function coroutineWorker(task: CoroutineTask): Promise<void> {
  const first = task.threads[0]!;
  if ('module' in first.allocator) markSubjectRoot(first.allocator.module);
  const definition = await loadAllocator(first.allocator);
  const runTwin = (StressThread.prototype.run as unknown as Record<symbol, Run | undefined>)[TWIN];
  if (!runTwin) throw new Error('the coroutine engine needs the coroutine transform in this worker (workers/controlled.mjs did not register it)');
  const described = new Map<string, string | undefined>();
  const describe: DescribeLocation = (array, index) => {
    const key = locationKey(array, index);
    if (!described.has(key)) described.set(key, describeLocation(definition, first.layout, array, index));
    return { key, text: described.get(key) };
  };
  await serveCoroutineSchedules(task.threads, (driver) => runSchedule(task, definition, driver, runTwin), describe);
}

type ThreadResult = ReturnType<AllocatorThread['finish']>;

function runSchedule(task: CoroutineTask, definition: AllocatorDefinition, driver: CoroutineDriver, runTwin: Run): ThreadResult[] {
  const first = task.threads[0]!;
  const interceptors = coroutineInterceptors(driver, task.threads.length, first, first.allocatorBuffer);
  // Each thread's setup (its views, the allocator's attach) runs now, before the Atomics functions are
  // wrapped, as a worker's does before its first park: setting up a view is not part of the race.
  const bodies = task.threads.map((thread, t) => threadBody(thread, definition, interceptors[t]!, runTwin)());
  return runCoroutines(driver, interceptors, first.allocatorBuffer, first.points, bodies);
}

/** One logical thread's setup (allocator-thread.ts); what it returns makes its schedule's generator. */
function threadBody(task: ControlledTask, definition: AllocatorDefinition, interceptor: Interceptor, runTwin: Run): () => Generator<unknown, ThreadResult, unknown> {
  const { thread, finish } = allocatorThread(task, definition, interceptor);
  return function* () {
    try {
      yield* runTwin.call(thread);
      yield* interceptor.parkCo(Request.done);
    } catch (error) {
      if (!(error instanceof ControlledAbort)) throw error;
    }
    return finish();
  };
}
