/**
 * A scheduling strategy: given the threads that may run, which one runs the next step. One small
 * interface, one file per implementation (random walk, PCT, POS, SURW, a portfolio of them, replay),
 * as shuttle does it; strategies/index.ts is the registry that names them.
 */

/**
 * The shared-memory access a parked thread is about to make: the bytes it touches in the subject's
 * buffer and whether it may change them. Two pending accesses race when their bytes overlap and at
 * least one writes (POS and SURW need this to tell racing events apart). A compareExchange or any
 * read-modify-write counts as a write, whether or not it will change the value.
 */
export interface PendingAccess {
  /** Byte offset of the first byte touched, from the start of the subject's buffer. */
  address: number;
  /** Bytes touched (the element size of the typed array). */
  bytes: number;
  write: boolean;
}

/** Whether two accesses touch a common byte and at least one of them writes. */
export function conflicts(a: PendingAccess, b: PendingAccess): boolean {
  return (a.write || b.write) && a.address < b.address + b.bytes && b.address < a.address + a.bytes;
}

/** What a strategy may look at when it picks. */
export interface PickContext {
  /** The step about to be taken, from 0. */
  step: number;
  /** The thread that took the previous step, or -1 before the first. */
  previous: number;
  /** A one-byte hash of the call thread `t` is parked before (replay checks it against the token). */
  pendingHash(thread: number): number;
  /** The call thread `t` is parked before, in words (for divergence messages). */
  pendingText(thread: number): string;
  /**
   * The access thread `t` is parked before, or undefined when it is parked at no access (its start, a
   * barrier, a wait or notify, its end) or when the step is being decided ahead and is not known yet.
   */
  pendingAccess(thread: number): PendingAccess | undefined;
}

export interface Scheduler {
  readonly name: string;
  /**
   * Picks one of `enabled` (never empty, ascending thread numbers). The coordinator may ask ahead, for
   * steps it will batch: then `pendingHash` answers -1 (the call is not known yet) and the picks must
   * depend on nothing else that the intervening steps could change.
   */
  pick(enabled: readonly number[], context: PickContext): number;
  /** How many steps from `step` may be decided ahead (a strategy whose state changes at a step says so). */
  batchLimit?(step: number): number;
  /** The call hash a decided-ahead step must have, or -1: replay's check, done by the worker itself. */
  expectedHash?(step: number): number;
}

/** Raised by a replay whose run no longer follows its recorded schedule. */
export class ScheduleDiverged extends Error {
  override readonly name = 'ScheduleDiverged';
  constructor(
    readonly step: number,
    message: string,
  ) {
    super(message);
  }
}
