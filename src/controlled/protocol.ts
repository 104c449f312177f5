import type { Step } from './trace.ts';

/**
 * The handshake between the coordinator (main thread) and controlled workers, on a small buffer of its
 * own. A worker about to make an `Atomics` call on the scenario's buffer writes what it is about to do
 * into its slot and parks; the coordinator picks one parked thread and grants it the turn; that thread
 * makes the call, runs on to its next scheduling point and parks again. Only one worker runs at a time.
 *
 * The coordinator need not be asked at every step: when the next steps are plain calls (Atomics calls
 * and the transform's plain reads and writes; no wait, notify or barrier), it writes a batch of decisions ahead, and a parking worker hands the turn straight
 * to the next thread the batch names, logging each step for the coordinator to read afterwards. The
 * decisions are the strategy's all the same; the batch only saves a round trip through the main
 * thread, which on two cores costs more than the step itself.
 *
 * A worker's piscina task lives for a whole exploration: starting a task costs milliseconds, a schedule
 * often less. The coordinator starts each schedule by bumping every slot's epoch; each worker answers
 * with its report, written as JSON into its report area, and the epoch it belongs to.
 */

/** Int32 slots of a thread's slot. */
export const kTurnField = 0; // one of Turn: written by the worker to park, by the coordinator to grant
export const kRequestField = 1; // Request code of the call the thread is parked before
export const kArrayField = 2; // ArrayType of the typed array the call is on
export const kIndexField = 3; // element index from the start of the scenario buffer
export const kResultField = 4; // for wait/notify, the result the coordinator decided
export const kCountField = 5; // for notify, how many to wake (NOTIFY_ALL: every waiter)
/**
 * Written by the coordinator before it ends a schedule it will report: 1 + the number of locations it
 * lists (Int32 pairs: array type, element index) at the start of the thread's report area, or 0. When
 * set, the worker's report carries its operations and what those locations are (describe-location.ts).
 */
export const kDetailsField = 6;
export const kEpochField = 7; // bumped by the coordinator to start the next schedule; QUIT to end the task
/**
 * Written by the worker as it parks: how many reads in a row of the parked call's location saw the same
 * value (a spin the call would go on with). A batch hands the turn back to the coordinator rather than
 * to a thread at SPIN_SWITCH or more (spin-detector.ts), so a spinner takes no more than a few batched steps.
 */
export const kRepeatField = 12;
/**
 * Written by the coordinator to thread 0 before it ends a program's schedule: 1 when every thread
 * ended and none failed, so thread 0 runs the program's `check` over the quiescent memory and reports
 * what it found; 0 otherwise.
 */
export const kCheckField = 13;
export const kReportEpochField = 14; // the epoch whose report the worker has written
export const kReportLengthField = 15; // bytes of that report (UTF-8 JSON) in the thread's report area
export const kStepField = 16; // the step the thread was last granted: where its call's result is logged
/** Float64 slots of a thread's slot (indices into a Float64Array over the same bytes). */
export const kArg1F64 = 4; // value / expected / operand
export const kArg2F64 = 5; // replacement (compareExchange)
export const SLOT_BYTES = 128;
/** Every thread's slot, as Int32 and as Float64 views over the same bytes. */
export function slotViews(control: SharedArrayBuffer, threads: number): { slots: Int32Array[]; slots64: Float64Array[] } {
  return {
    slots: Array.from({ length: threads }, (_, t) => new Int32Array(control, t * SLOT_BYTES, SLOT_BYTES >> 2)),
    slots64: Array.from({ length: threads }, (_, t) => new Float64Array(control, t * SLOT_BYTES, SLOT_BYTES >> 3)),
  };
}

/** A notify count that wakes every waiter. */
export const NOTIFY_ALL = 0x7fffffff;
/** Each thread's area for its end-of-schedule report (JSON of its violations). */
export const REPORT_BYTES = 64 * 1024;
/** Epoch value that tells a worker to end its task. */
export const QUIT = -1;

export const Turn = {
  parked: 0,
  running: 1,
  /** The coordinator ends the run: the worker unwinds from wherever it is parked. */
  abort: 2,
} as const;

export const Request = {
  /** Parked before its first step. */
  start: 1,
  load: 2,
  store: 3,
  add: 4,
  sub: 5,
  and: 6,
  or: 7,
  xor: 8,
  exchange: 9,
  compareExchange: 10,
  wait: 11,
  notify: 12,
  /** Reached a phase barrier: not runnable until every live thread has. */
  barrier: 13,
  /** Found a violation: the run stops here. */
  violation: 14,
  /** Finished its stream. */
  done: 15,
  /** A plain typed-array read on the subject's buffer (a scheduling point made by the source transform). */
  read: 16,
  /** A plain typed-array write on the subject's buffer (likewise). */
  write: 17,
} as const;
export type Request = (typeof Request)[keyof typeof Request];

export const requestNames: Record<number, string> = {
  [Request.start]: 'start',
  [Request.load]: 'load',
  [Request.store]: 'store',
  [Request.add]: 'add',
  [Request.sub]: 'sub',
  [Request.and]: 'and',
  [Request.or]: 'or',
  [Request.xor]: 'xor',
  [Request.exchange]: 'xchg',
  [Request.compareExchange]: 'cas',
  [Request.wait]: 'wait',
  [Request.notify]: 'notify',
  [Request.barrier]: 'barrier',
  [Request.violation]: 'violation',
  [Request.done]: 'done',
  [Request.read]: 'read',
  [Request.write]: 'write',
};

/**
 * The typed arrays a scheduling point can be on, by code: those Atomics works on, then the float arrays
 * that only plain reads and writes (the source transform's points) can touch.
 */
export const arrayTypes = ['i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u64', 'f32', 'f64', 'u8c'] as const;
/** Bytes per element of each array type, by code. */
export const elementBytes = [1, 1, 2, 2, 4, 4, 8, 8, 4, 8, 1] as const;

export function arrayTypeOf(array: ArrayBufferView): number {
  if (array instanceof Int8Array) return 0;
  if (array instanceof Uint8Array) return 1;
  if (array instanceof Int16Array) return 2;
  if (array instanceof Uint16Array) return 3;
  if (array instanceof Int32Array) return 4;
  if (array instanceof Uint32Array) return 5;
  if (array instanceof BigInt64Array) return 6;
  if (array instanceof BigUint64Array) return 7;
  if (array instanceof Float32Array) return 8;
  if (array instanceof Float64Array) return 9;
  return 10;
}

/** Requests that read shared memory without writing it; every other access request may write. */
export function isReadOnly(request: number): boolean {
  return request === Request.load || request === Request.read;
}

/** Requests that are an access to the subject's buffer (not a start, barrier, wait, notify or end). */
export function isAccess(request: number): boolean {
  return (request >= Request.load && request <= Request.compareExchange) || request === Request.read || request === Request.write;
}

/** Results of `Atomics.wait`, as the coordinator decides them. */
export const WaitResult = { ok: 0, notEqual: 1, timedOut: 2 } as const;
export const waitResultNames = ['ok', 'not-equal', 'timed-out'] as const;

/** Int32 slots of the batch header. */
export const kBaseField = 0; // the step logged in entry 0 of the step log
export const kNextField = 1; // the next step to take
export const kEndField = 2; // steps before this one have decisions
export const kOwnerField = 3; // Owner: who moves the schedule on
export const HEADER_SLOTS = 16;
export const Owner = { workers: 0, coordinator: 1 } as const;

/** Most steps one batch decides ahead. */
export const BATCH = 4096;
/** Int32 fields of a step log entry. */
export const kLogThread = 0;
export const kLogRequest = 1;
export const kLogArray = 2;
export const kLogIndex = 3;
export const kLogObserved = 4; // 0: nothing yet; 1: a number in the Float64 log; 2: a wait's result
export const LOG_I32 = 5;
/** Float64 fields of a step log entry. */
export const kLogArg1 = 0;
export const kLogArg2 = 1;
export const kLogValue = 2;
export const LOG_F64 = 3;

/** Views over the batch buffer: decisions, the hash each decided step must have, and the step log. */
export class BatchViews {
  static readonly bytes = (HEADER_SLOTS + BATCH * (2 + LOG_I32)) * 4 + BATCH * LOG_F64 * 8;
  readonly header: Int32Array;
  readonly decisions: Int32Array;
  /** -1: no check; else the one-byte call hash a replay recorded for that step. */
  readonly expected: Int32Array;
  readonly log: Int32Array;
  readonly log64: Float64Array;

  constructor(buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, HEADER_SLOTS);
    this.decisions = new Int32Array(buffer, HEADER_SLOTS * 4, BATCH);
    this.expected = new Int32Array(buffer, (HEADER_SLOTS + BATCH) * 4, BATCH);
    this.log = new Int32Array(buffer, (HEADER_SLOTS + 2 * BATCH) * 4, BATCH * LOG_I32);
    this.log64 = new Float64Array(buffer, (HEADER_SLOTS + BATCH * (2 + LOG_I32)) * 4, BATCH * LOG_F64);
  }

  /** Step `step` as logged, with what its call returned. */
  stepAt(step: number): Step {
    const at = step - this.header[kBaseField]!;
    const i = at * LOG_I32;
    const observed = this.log[i + kLogObserved];
    return {
      thread: this.log[i + kLogThread]!,
      request: this.log[i + kLogRequest]!,
      array: this.log[i + kLogArray]!,
      index: this.log[i + kLogIndex]!,
      arg1: this.log64[at * LOG_F64 + kLogArg1]!,
      arg2: this.log64[at * LOG_F64 + kLogArg2]!,
      ...(observed === 1 ? { observed: this.log64[at * LOG_F64 + kLogValue]! } : observed === 2 ? { observed: this.waitResult(step) } : {}),
    };
  }

  /** A wait's outcome is the result the coordinator handed the thread; the log keeps it as a code. */
  private waitResult(step: number): string {
    return waitResultNames[this.log64[(step - this.header[kBaseField]!) * LOG_F64 + kLogValue]!] ?? 'ok';
  }

  /** Logs step `step` as `thread` making the call parked in `slot`. */
  logCall(step: number, thread: number, slot: Int32Array, slot64: Float64Array): void {
    const at = step - this.header[kBaseField]!;
    const i = at * LOG_I32;
    this.log[i + kLogThread] = thread;
    this.log[i + kLogRequest] = slot[kRequestField]!;
    this.log[i + kLogArray] = slot[kArrayField]!;
    this.log[i + kLogIndex] = slot[kIndexField]!;
    this.log[i + kLogObserved] = 0;
    this.log64[at * LOG_F64 + kLogArg1] = slot64[kArg1F64]!;
    this.log64[at * LOG_F64 + kLogArg2] = slot64[kArg2F64]!;
  }
}

/** Calls that never change which threads may run: a batch may carry on through them. */
export function isPlainCall(request: number): boolean {
  return (request >= Request.load && request <= Request.compareExchange) || request === Request.read || request === Request.write;
}
