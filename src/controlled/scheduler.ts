/**
 * A scheduling strategy: given the threads that may run, which one runs the next step. One small
 * interface, one file per implementation (random walk, PCT, replay), as shuttle does it.
 */

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
