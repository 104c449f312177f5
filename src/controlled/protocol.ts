import type { SharedLayout } from '../harness/shared-layout.ts';
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

/**
 * A thread's slot in the control buffer (one per thread, `bytes` apart): what it is parked before, and
 * the handshake around each schedule. The worker writes the call's description before it parks; the
 * coordinator (or a parking worker running a batch) reads it only after seeing `turn` parked, so the
 * plain writes are ordered by the Atomics store and load of `turn`.
 */
export const SlotLayout = {
  bytes: 128,
  i32: {
    /** One of Turn: written by the worker to park, by the coordinator (or a batch) to grant; waited on by both. */
    turn: 0,
    /** Request code of the call the thread is parked before: what the strategy schedules and the log records. */
    request: 1,
    /** ArrayType of the typed array the call is on: with `index`, the location conflicts are judged by. */
    array: 2,
    /** Element index from the start of the scenario buffer. */
    index: 3,
    /** For wait/notify: the result the coordinator decided, read by the worker after it is granted. */
    result: 4,
    /** For notify: how many to wake (NOTIFY_ALL: every waiter); the coordinator's wait model reads it. */
    count: 5,
    /**
     * Written by the coordinator before it ends a schedule it will report: 1 + the number of locations it
     * lists (Int32 pairs: array type, element index) at the start of the thread's report area, or 0. When
     * set, the worker's report carries its operations and what those locations are (describe-location.ts).
     */
    details: 6,
    /** Bumped by the coordinator to start the next schedule (QUIT to end the task); the worker waits on it. */
    epoch: 7,
    /**
     * Written by the worker as it parks: how many reads in a row of the parked call's location saw the same
     * value (a spin the call would go on with). A batch hands the turn back to the coordinator rather than
     * to a thread at SPIN_SWITCH or more (spin-detector.ts), so a spinner takes no more than a few batched steps.
     */
    repeat: 12,
    /**
     * Written by the coordinator to thread 0 before it ends a program's schedule: 1 when every thread
     * ended and none failed, so thread 0 runs the program's `check` over the quiescent memory and reports
     * what it found; 0 otherwise.
     */
    check: 13,
    /** The epoch whose report the worker has written: the coordinator waits for it to match before reading. */
    reportEpoch: 14,
    /** Bytes of that report (UTF-8 JSON) in the thread's report area; written before `reportEpoch`. */
    reportLength: 15,
    /** The step the thread was last granted: where a batch logs its call's result. */
    step: 16,
  },
  /**
   * The call's operands, as Float64 over bytes 32-47 (Int32 slots 8-11, which no Int32 field uses): a
   * Float64 holds any Int32, Uint32 or float operand exactly, so one encoding serves every array type.
   */
  f64: {
    /** value / expected / operand. */
    arg1: 4,
    /** replacement (compareExchange). */
    arg2: 5,
  },
} as const satisfies SharedLayout;
/** Every thread's slot, as Int32 and as Float64 views over the same bytes. */
export function slotViews(control: SharedArrayBuffer, threads: number): { slots: Int32Array[]; slots64: Float64Array[] } {
  return {
    slots: Array.from({ length: threads }, (_, t) => new Int32Array(control, t * SlotLayout.bytes, SlotLayout.bytes >> 2)),
    slots64: Array.from({ length: threads }, (_, t) => new Float64Array(control, t * SlotLayout.bytes, SlotLayout.bytes >> 3)),
  };
}

/** A notify count that wakes every waiter. */
export const NOTIFY_ALL = 0x7fffffff;
/**
 * Each thread's area for its end-of-schedule report (one per thread, `bytes` apart). Its bytes are used
 * twice an epoch, never at once: first the coordinator lists the locations to describe (Int32 pairs,
 * see `SlotLayout.i32.details`), which the worker reads before it writes its report (UTF-8 JSON) over
 * them and publishes `reportEpoch`.
 */
export const ReportAreaLayout = {
  bytes: 64 * 1024,
  u8: { report: { index: 0, length: 64 * 1024 } },
} as const satisfies SharedLayout;
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

/**
 * The batch buffer's header. The coordinator writes it while it owns the schedule; workers read and
 * move it only while they hold the turn, and the turn hand-over (an Atomics store and load of a slot's
 * `turn`) orders those plain accesses.
 */
export const BatchHeaderLayout = {
  bytes: 64,
  i32: {
    /** The step logged in entry 0 of the step log: a log index is a step minus this. */
    base: 0,
    /** The next step to take: a parking worker reads it to find the next decision, and bumps it. */
    next: 1,
    /** Steps before this one have decisions: at `next === end` the batch is spent. */
    end: 2,
    /** Owner: who moves the schedule on; a worker that hands back the turn sets coordinator. */
    owner: 3,
    /**
     * Bumped by the coordinator at every grant and at a schedule's end when the threads are coroutines
     * on one worker (src/controlled/coroutines): that worker runs every thread, so it cannot wait on
     * one thread's turn; it waits here.
     */
    doorbell: 4,
  },
} as const satisfies SharedLayout;
export const Owner = { workers: 0, coordinator: 1 } as const;

/** Most steps one batch decides ahead. */
export const BATCH = 4096;
/** An Int32 entry of the step log, written by the worker that makes the step (one per step, `bytes` apart). */
export const StepLogLayout = {
  bytes: 20,
  i32: {
    thread: 0,
    /** The parked call, copied from the slot when the step is granted. */
    request: 1,
    array: 2,
    index: 3,
    /** 0: nothing yet; 1: a number in the Float64 entry's `value`; 2: a wait's result there. */
    observed: 4,
  },
} as const satisfies SharedLayout;
/** The Float64 entry of the same step (a parallel array: Float64 must be 8-byte aligned, 20 bytes are not). */
export const StepLog64Layout = {
  bytes: 24,
  f64: {
    /** The call's operands, copied from the slot. */
    arg1: 0,
    arg2: 1,
    /** What the call returned, once it has: the coordinator reads it to replay the step's effect. */
    value: 2,
  },
} as const satisfies SharedLayout;
const headerSlots = BatchHeaderLayout.bytes >> 2;
const log64Byte = (headerSlots + 2 * BATCH) * 4 + BATCH * StepLogLayout.bytes;
/** The whole batch buffer: header, then each region BATCH entries long. */
export const BatchLayout = {
  bytes: log64Byte + BATCH * StepLog64Layout.bytes,
  i32: {
    header: { index: 0, length: headerSlots },
    /** The thread each batched step grants, written by the coordinator before it hands the batch over. */
    decisions: { index: headerSlots, length: BATCH },
    /** -1: no check; else the one-byte call hash a replay recorded for that step. */
    expected: { index: headerSlots + BATCH, length: BATCH },
    log: { index: headerSlots + 2 * BATCH, length: BATCH * (StepLogLayout.bytes >> 2) },
  },
  f64: {
    log64: { index: log64Byte / 8, length: BATCH * (StepLog64Layout.bytes >> 3) },
  },
} as const satisfies SharedLayout;

/** Views over the batch buffer: decisions, the hash each decided step must have, and the step log. */
export class BatchViews {
  static readonly bytes = BatchLayout.bytes;
  readonly header: Int32Array;
  readonly decisions: Int32Array;
  /** -1: no check; else the one-byte call hash a replay recorded for that step. */
  readonly expected: Int32Array;
  readonly log: Int32Array;
  readonly log64: Float64Array;

  constructor(buffer: SharedArrayBuffer) {
    const { header, decisions, expected, log } = BatchLayout.i32;
    const { log64 } = BatchLayout.f64;
    this.header = new Int32Array(buffer, header.index * 4, header.length);
    this.decisions = new Int32Array(buffer, decisions.index * 4, decisions.length);
    this.expected = new Int32Array(buffer, expected.index * 4, expected.length);
    this.log = new Int32Array(buffer, log.index * 4, log.length);
    this.log64 = new Float64Array(buffer, log64.index * 8, log64.length);
  }

  /** Step `step` as logged, with what its call returned. */
  stepAt(step: number): Step {
    const at = step - this.header[BatchHeaderLayout.i32.base]!;
    const i = at * (StepLogLayout.bytes >> 2);
    const j = at * (StepLog64Layout.bytes >> 3);
    const e = StepLogLayout.i32;
    const e64 = StepLog64Layout.f64;
    const observed = this.log[i + e.observed];
    return {
      thread: this.log[i + e.thread]!,
      request: this.log[i + e.request]!,
      array: this.log[i + e.array]!,
      index: this.log[i + e.index]!,
      arg1: this.log64[j + e64.arg1]!,
      arg2: this.log64[j + e64.arg2]!,
      ...(observed === 1 ? { observed: this.log64[j + e64.value]! } : observed === 2 ? { observed: this.waitResult(step) } : {}),
    };
  }

  /** A wait's outcome is the result the coordinator handed the thread; the log keeps it as a code. */
  private waitResult(step: number): string {
    return waitResultNames[this.log64[(step - this.header[BatchHeaderLayout.i32.base]!) * (StepLog64Layout.bytes >> 3) + StepLog64Layout.f64.value]!] ?? 'ok';
  }

  /** Logs step `step` as `thread` making the call parked in `slot`. */
  logCall(step: number, thread: number, slot: Int32Array, slot64: Float64Array): void {
    const at = step - this.header[BatchHeaderLayout.i32.base]!;
    const i = at * (StepLogLayout.bytes >> 2);
    const j = at * (StepLog64Layout.bytes >> 3);
    const e = StepLogLayout.i32;
    const s = SlotLayout.i32;
    this.log[i + e.thread] = thread;
    this.log[i + e.request] = slot[s.request]!;
    this.log[i + e.array] = slot[s.array]!;
    this.log[i + e.index] = slot[s.index]!;
    this.log[i + e.observed] = 0;
    this.log64[j + StepLog64Layout.f64.arg1] = slot64[SlotLayout.f64.arg1]!;
    this.log64[j + StepLog64Layout.f64.arg2] = slot64[SlotLayout.f64.arg2]!;
  }
}

/** Calls that never change which threads may run: a batch may carry on through them. */
export function isPlainCall(request: number): boolean {
  return (request >= Request.load && request <= Request.compareExchange) || request === Request.read || request === Request.write;
}
