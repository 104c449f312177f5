/**
 * One thread of a program's stress run, on a real worker thread: round after round, all threads
 * released at once by the leader (thread 0), which zeroes the memory and runs init before and check
 * after. Atomics.wait on the program's memory is wrapped to publish that the thread waits and on what,
 * and to give up when the round is aborted: that is how the main thread tells a deadlock from a hang
 * and ends a deadlocked round. A throw is the round's failed assertion: the thread aborts the round,
 * so threads blocked on a lock the thrower held are let go instead of counted as a deadlock.
 */
import type { MessagePort } from 'node:worker_threads';
import { arrayTypeOf } from '../../harness/array-types.ts';
import { checkProgram, thrownText } from './check-program.ts';
import { importProgram } from './import-program.ts';
import { describeProgramLocation } from './describe-program.ts';
import { BUCKETS, HISTOGRAM_BYTES } from '../../metrics/histogram.ts';
import { type TimedProgram, objectHooksOf } from '../object/object-hooks.ts';
import { ProgramControl, ProgramThread, ThreadRunState, threadSlot } from './stress-layout.ts';

export interface ProgramStressTask {
  program: string;
  thread: number;
  threads: number;
  rounds: number;
  memory: SharedArrayBuffer;
  sharedBytes: number;
  scratch: SharedArrayBuffer;
  control: SharedArrayBuffer;
  /** Where failures go, as they happen: a run cut short keeps what it found. */
  port: MessagePort;
  /**
   * An object's call latencies: for each thread, for each operation, a histogram's counts
   * (HISTOGRAM_BYTES each), in memory the main thread reads after the run, even one cut short.
   */
  latency?: SharedArrayBuffer;
}

/** What a thread waited on when its round was ended as a deadlock, in the program's words. */
export interface ProgramWaitNote {
  kind: 'waited';
  round: number;
  thread: number;
  text: string;
}

/** A thread's last message: everything it posted before is in. */
export interface ProgramThreadEnd {
  kind: 'end';
}

export type ProgramMessage = ProgramFailure | ProgramWaitNote | ProgramThreadEnd;

/** A failure a thread posts: an assertion, an init or check problem. */
export interface ProgramFailure {
  kind: 'assertion' | 'check' | 'crash';
  round: number;
  thread: number;
  message: string;
}

class RoundAborted extends Error {}

/** Spins this many times for the start of a round before sleeping: threads should start together. */
const START_SPIN = 200_000;

export default async function programStressWorker(task: ProgramStressTask): Promise<void> {
  const base = checkProgram(await importProgram(task.program), task.program);
  const object = objectHooksOf(base);
  const program = object ? object.at(task.threads) : base;
  // This thread's histograms, one per operation: written by this thread only, with plain increments.
  const latency = object && task.latency ? object.operations.map((_, i) => new Int32Array(task.latency!, (task.thread * object.operations.length + i) * HISTOGRAM_BYTES, BUCKETS)) : undefined;
  const control = new Int32Array(task.control);
  const { thread, threads } = task;
  const memory = { buffer: task.memory, byteOffset: 0, byteLength: task.sharedBytes };
  const bytes = new Uint8Array(task.memory);
  const scratchBytes = new Uint8Array(task.scratch);
  const scratch = { buffer: task.scratch, byteOffset: 0, byteLength: task.scratch.byteLength };
  const at = (field: number) => threadSlot(thread, field);
  const post = (message: ProgramMessage) => task.port.postMessage(message);
  let round = 0;
  const realWait = Atomics.wait as (array: Int32Array | BigInt64Array, index: number, value: number | bigint, timeout?: number) => 'ok' | 'not-equal' | 'timed-out';
  Atomics.wait = function (array: Int32Array | BigInt64Array, index: number, value: number | bigint, timeout?: number) {
    if (array.buffer !== task.memory) return realWait.call(Atomics, array, index, value, timeout);
    const element = array.byteOffset / array.BYTES_PER_ELEMENT + index;
    Atomics.store(control, at(ProgramThread.waitIndex), element);
    Atomics.store(control, at(ProgramThread.waitType), arrayTypeOf(array));
    Atomics.store(control, at(ProgramThread.waitTimed), timeout === undefined || timeout === Infinity ? 0 : 1);
    Atomics.store(control, at(ProgramThread.state), ThreadRunState.waiting);
    try {
      // A round already ended by another thread's failure: waiting now could only be forever. (One
      // ended between this check and the wait is caught by the main thread, which wakes such waiters
      // again until they are gone.)
      if (Atomics.load(control, ProgramControl.abort) === round) throw new RoundAborted();
      const result = realWait.call(Atomics, array, index, value, timeout);
      if (Atomics.load(control, ProgramControl.abort) === round) {
        // Woken by the round's end, maybe a deadlock the main thread names: say what this wait was on,
        // now that the thread can run the program's describe again.
        const text = describeProgramLocation(program, arrayTypeOf(array), element);
        if (text !== undefined) post({ kind: 'waited', round, thread, text });
        throw new RoundAborted();
      }
      return result;
    } finally {
      Atomics.store(control, at(ProgramThread.state), ThreadRunState.running);
    }
  } as unknown as typeof Atomics.wait;
  try {
    for (round = 1; round <= task.rounds; round++) {
      // The previous round's check must be done before memory is touched again.
      waitFor(control, ProgramControl.checked, round - 1);
      if (Atomics.load(control, ProgramControl.stop) !== 0) break;
      if (thread === 0) {
        bytes.fill(0);
        scratchBytes.fill(0);
        let ready = true;
        try {
          program.init?.(memory, scratch);
        } catch (error) {
          post({ kind: 'crash', round, thread, message: `init() threw: ${thrownText(error)}` });
          ready = false;
        }
        if (!ready) Atomics.store(control, ProgramControl.abort, round);
        Atomics.store(control, ProgramControl.go, round);
        Atomics.notify(control, ProgramControl.go);
      } else {
        let spins = 0;
        while (Atomics.load(control, ProgramControl.go) < round) {
          if (++spins > START_SPIN) realWait.call(Atomics, control, ProgramControl.go, round - 1, 10);
        }
      }
      Atomics.store(control, at(ProgramThread.round), round);
      Atomics.store(control, at(ProgramThread.state), ThreadRunState.running);
      if (Atomics.load(control, ProgramControl.abort) !== round) {
        try {
          if (latency) (program as TimedProgram).timedThread(memory, thread, scratch, latency);
          else program.thread(memory, thread, scratch);
        } catch (error) {
          if (!(error instanceof RoundAborted)) {
            post({ kind: 'assertion', round, thread, message: `thread ${thread} failed: ${thrownText(error)}` });
            abortRound(control, task.memory, threads, round);
          }
        }
      }
      Atomics.store(control, at(ProgramThread.state), ThreadRunState.done);
      Atomics.add(control, ProgramControl.finished, 1);
      Atomics.notify(control, ProgramControl.finished);
      if (thread === 0) {
        waitFor(control, ProgramControl.finished, round * threads);
        if (Atomics.load(control, ProgramControl.abort) !== round && program.check) {
          try {
            const problems = program.check(memory, scratch) as unknown;
            if (!Array.isArray(problems)) post({ kind: 'crash', round, thread, message: `check() returned ${typeof problems}, not an array of strings` });
            else if (problems.length > 0) post({ kind: 'check', round, thread, message: problems.slice(0, 8).map((p) => String(p).slice(0, 4000)).join('; ') });
          } catch (error) {
            post({ kind: 'crash', round, thread, message: `check() threw: ${thrownText(error)}` });
          }
        }
        Atomics.store(control, ProgramControl.checked, round);
        Atomics.notify(control, ProgramControl.checked);
      }
    }
  } finally {
    Atomics.wait = realWait;
    post({ kind: 'end' });
    task.port.close();
  }
}

/** Waits until control[index] reaches at least `value`. */
function waitFor(control: Int32Array, index: number, value: number): void {
  for (let seen = Atomics.load(control, index); seen < value; seen = Atomics.load(control, index)) Atomics.wait(control, index, seen, 50);
}

/** Ends the round early: every thread waiting on the program's memory is woken and gives up. */
function abortRound(control: Int32Array, memory: SharedArrayBuffer, threads: number, round: number): void {
  Atomics.store(control, ProgramControl.abort, round);
  const words = new Int32Array(memory, 0, memory.byteLength >> 2);
  for (let t = 0; t < threads; t++) {
    if (Atomics.load(control, threadSlot(t, ProgramThread.state)) !== ThreadRunState.waiting) continue;
    const type = Atomics.load(control, threadSlot(t, ProgramThread.waitType));
    const index = Atomics.load(control, threadSlot(t, ProgramThread.waitIndex));
    if (type === 6 || type === 7) Atomics.notify(new BigInt64Array(memory, 0, memory.byteLength >> 3), index);
    else if (index < words.length) Atomics.notify(words, index);
  }
}

