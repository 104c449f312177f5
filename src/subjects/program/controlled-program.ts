/**
 * A program's thread under controlled scheduling (the controlled worker's side; the coordinator's is
 * src/controlled/coordinator.ts with a ProgramRunConfig, src/controlled/run-config.ts). Thread 0 runs `init` before its first step,
 * unscheduled, while every other thread waits at its start; each thread then runs `thread` with every
 * Atomics call (and with `--points all` every plain typed-array access) on the program's buffer a
 * scheduling point. A throw is a failed assertion: the thread parks with it and the run stops there.
 * When the coordinator says every thread ended, thread 0 runs `check` over the quiescent memory.
 * `programThread` (init before, the assertion, check after) is shared with the coroutine engine's side,
 * coroutine-program.ts.
 */
import type { SharedRegion } from '../../alloc/contract.ts';
import type { Violation } from '../../check/violation.ts';
import { ControlledAbort, Interceptor } from '../../controlled/intercept.ts';
import { runIntercepted } from '../../controlled/intercepted.ts';
import { markSubjectRoot } from '../../controlled/plain-access-loader.ts';
import type { ProgramControlledTask } from '../../controlled/program-task.ts';
import { Request, SlotLayout } from '../../controlled/protocol.ts';
import { serveSchedules } from '../../controlled/schedule-loop.ts';
import { locationKey } from '../../controlled/describe-location.ts';
import type { WorkerReport } from '../allocator/task.ts';
import { checkProgram, thrownText } from './check-program.ts';
import { describeProgramLocation } from './describe-program.ts';
import type { ProgramDefinition } from './contract.ts';
import { importProgram } from './import-program.ts';

export async function programWorker(task: ProgramControlledTask): Promise<void> {
  if (task.points !== 'atomics') markSubjectRoot(task.program);
  const program = checkProgram(await importProgram(task.program), task.program);
  await serveSchedules(
    task,
    () => ({ report: runSchedule(task, program), ops: [] }),
    (array, index) => ({ key: locationKey(array, index), text: describeProgramLocation(program, array, index) }),
  );
}

function runSchedule(task: ProgramControlledTask, program: ProgramDefinition): WorkerReport {
  const interceptor = new Interceptor(task.control, task.batch, task.threads, task.thread, task.subjectBuffer, task.spin);
  const p = programThread(task, program);
  runIntercepted(interceptor, task.subjectBuffer, task.points, () => {
    if (!p.ready) interceptor.park(Request.violation);
    interceptor.park(Request.start);
    try {
      program.thread(p.memory, task.thread, p.scratch);
    } catch (error) {
      if (error instanceof ControlledAbort) throw error;
      p.failed(error);
      interceptor.park(Request.violation);
    }
    interceptor.park(Request.done);
  });
  return p.finish();
}

/** One thread of a program's schedule, as both engines run it: its memory, init before and check after. */
export interface ProgramThread {
  memory: SharedRegion;
  scratch: SharedRegion;
  /** False when thread 0's init threw: the thread parks at a violation at once. */
  ready: boolean;
  /** The thread threw: a failed assertion. */
  failed(error: unknown): void;
  /** Its report, once every thread has returned and the Atomics functions are real again (thread 0 runs check). */
  finish(): WorkerReport;
}

/** Sets up thread `task.thread` of a program for one schedule; thread 0 runs init now, unscheduled. */
export function programThread(task: ProgramControlledTask, program: ProgramDefinition): ProgramThread {
  const { thread } = task;
  const memory = { buffer: task.subjectBuffer, byteOffset: 0, byteLength: task.sharedBytes };
  const scratch = { buffer: task.scratchBuffer, byteOffset: 0, byteLength: task.scratchBuffer.byteLength };
  const slot = new Int32Array(task.control, thread * SlotLayout.bytes, SlotLayout.bytes >> 2);
  const violations: Violation[] = [];
  const failed = (kind: Violation['kind'], message: string) => violations.push({ kind, message, pages: [], threads: [thread], history: [] });
  // Unscheduled, before any thread's first step: the coordinator waits for every thread to park.
  let ready = true;
  if (thread === 0 && program.init) {
    try {
      program.init(memory, scratch);
    } catch (error) {
      failed('crash', `init() threw: ${thrownText(error)}`);
      ready = false;
    }
  }
  return {
    memory,
    scratch,
    ready,
    failed: (error) => failed('assertion', `thread ${thread} failed: ${thrownText(error)}`),
    finish: () => {
      // Every thread has returned (the coordinator said so before it ended the run): memory is quiescent.
      if (thread === 0 && slot[SlotLayout.i32.check] === 1 && program.check) {
        try {
          const problems = program.check(memory, scratch) as unknown;
          if (!Array.isArray(problems)) failed('crash', `check() returned ${typeof problems}, not an array of strings`);
          else if (problems.length > 0) violations.push({ kind: 'check', message: `${problems.slice(0, 8).map((p) => String(p).slice(0, 4000)).join('; ')}`, pages: [], threads: [], history: [] });
        } catch (error) {
          failed('crash', `check() threw: ${thrownText(error)}`);
        }
      }
      return { thread, violations, measuredOps: 0 };
    },
  };
}
