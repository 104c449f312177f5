/**
 * A program's threads on the coroutine engine (`--engine coroutines`): every thread of the run on this
 * one worker, as coroutines (src/controlled/coroutines), each running the program's `thread`, rewritten
 * by the coroutine transform, with init before and check after as on workers (controlled-program.ts).
 * Loaded through `workers/controlled.mjs`, which hands it the coroutine tasks whose threads are a
 * program's.
 */
import { coroutineInterceptors, runCoroutines, serveCoroutineSchedules } from '../../controlled/coroutines/coroutine-run.ts';
import type { CoroutineTask } from '../../controlled/coroutines/worker.ts';
import { TWIN } from '../../controlled/coroutines/runtime.ts';
import { locationKey } from '../../controlled/describe-location.ts';
import { ControlledAbort } from '../../controlled/intercept.ts';
import { RunAborted } from '../../harness/run-aborted.ts';
import { markSubjectRoot } from '../../controlled/plain-access-loader.ts';
import type { ProgramControlledTask } from '../../controlled/program-task.ts';
import { Request } from '../../controlled/protocol.ts';
import { checkProgram } from './check-program.ts';
import type { ProgramDefinition } from './contract.ts';
import { programThread } from './controlled-program.ts';
import { describeProgramLocation } from './describe-program.ts';
import { importProgram } from './import-program.ts';

type Thread = ProgramDefinition['thread'];

export async function programCoroutineWorker(task: CoroutineTask<ProgramControlledTask>): Promise<void> {
  const first = task.threads[0]!;
  markSubjectRoot(first.program);
  const program = checkProgram(await importProgram(first.program), first.program);
  // The thread's generator twin; one that makes no call has none, and its points (if any) wait on the stack.
  const twin = (program.thread as unknown as Record<symbol, ((...args: Parameters<Thread>) => Generator<unknown, unknown, unknown>) | undefined>)[TWIN];
  const describe = (array: number, index: number) => ({ key: locationKey(array, index), text: describeProgramLocation(program, array, index) });
  await serveCoroutineSchedules(
    task.threads,
    (driver) => {
      const interceptors = coroutineInterceptors(driver, task.threads.length, first, first.subjectBuffer);
      // Set up before the Atomics functions are wrapped: thread 0's init runs unscheduled.
      const threads = task.threads.map((t) => programThread(t, program));
      const bodies = threads.map(function* (p, t): Generator<unknown, void, unknown> {
        const interceptor = interceptors[t]!;
        try {
          if (!p.ready) yield* interceptor.parkCo(Request.violation);
          yield* interceptor.parkCo(Request.start);
          try {
            if (twin) yield* twin.call(program, p.memory, t, p.scratch);
            else program.thread(p.memory, t, p.scratch);
          } catch (error) {
            // The coordinator's abort, or another thread's failure passing up this stack: not this thread's.
            if (error instanceof RunAborted) throw error;
            p.failed(error);
            yield* interceptor.parkCo(Request.violation);
          }
          yield* interceptor.parkCo(Request.done);
        } catch (error) {
          if (!(error instanceof ControlledAbort)) throw error;
        }
      });
      runCoroutines(driver, interceptors, first.subjectBuffer, first.points, bodies);
      // Every thread has returned and the Atomics functions are real again: thread 0's check, then the reports.
      return threads.map((p) => ({ report: p.finish(), ops: [] }));
    },
    describe,
  );
}
