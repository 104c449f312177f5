/**
 * The handshake between the coordinator (main thread) and controlled workers, on a small buffer of its
 * own. A worker about to make an `Atomics` call on the scenario's buffer writes what it is about to do
 * into its slot and parks; the coordinator picks one parked thread and grants it the turn; that thread
 * makes the call, runs on to its next scheduling point and parks again. Only one worker runs at a time.
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
export const kCountField = 5; // for notify, how many to wake (-1: all)
export const kObservedKindField = 6; // 0: no value; 1: number in kObservedF64; 2: a string result
export const kEpochField = 7; // bumped by the coordinator to start the next schedule; QUIT to end the task
export const kReportEpochField = 14; // the epoch whose report the worker has written
export const kReportLengthField = 15; // bytes of that report (UTF-8 JSON) in the thread's report area
/** Float64 slots of a thread's slot (indices into a Float64Array over the same bytes). */
export const kArg1F64 = 4; // value / expected / operand
export const kArg2F64 = 5; // replacement (compareExchange)
export const kObservedF64 = 6; // what the call returned, written by the worker after making it
export const SLOT_BYTES = 64;
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
};

/** The typed arrays Atomics works on, by code. */
export const arrayTypes = ['i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u64'] as const;

export function arrayTypeOf(array: ArrayBufferView): number {
  if (array instanceof Int8Array) return 0;
  if (array instanceof Uint8Array) return 1;
  if (array instanceof Int16Array) return 2;
  if (array instanceof Uint16Array) return 3;
  if (array instanceof Int32Array) return 4;
  if (array instanceof Uint32Array) return 5;
  if (array instanceof BigInt64Array) return 6;
  return 7;
}

/** Results of `Atomics.wait`, as the coordinator decides them. */
export const WaitResult = { ok: 0, notEqual: 1, timedOut: 2 } as const;
export const waitResultNames = ['ok', 'not-equal', 'timed-out'] as const;
