/**
 * A violation: one thing the harness saw go wrong, as a tagged value. It carries what a person needs to
 * act on it (what, which pages, which threads, what those threads did last); the run it belongs to adds
 * the scenario, allocator, seed and the command that reproduces it, and one formatter renders it all
 * (`src/report/format-violation.ts`).
 */
import type { Phase } from '../scenario/schema.ts';
import type { ViolationKind } from '../scenario/violation-kind.ts';
import type { OpRecord } from '../subjects/allocator/op-log.ts';

export interface ThreadHistory {
  thread: number;
  /** Oldest first, at most the last 8. */
  ops: OpRecord[];
  /** The call the thread was inside when the report was made, if any. */
  inFlight?: Omit<OpRecord, 'result'>;
}

export interface Violation {
  kind: ViolationKind;
  /** One sentence saying what happened, naming pages and threads. */
  message: string;
  /** The pages involved (the first 16 when there are more). */
  pages: number[];
  threads: number[];
  history: ThreadHistory[];
  /** The phase in which it was seen; audits report the phase that had just ended. */
  phase?: Phase;
  /**
   * Which operation of that phase the reporting thread (`threads[0]`) was doing when it saw this,
   * counting from 1: in churn, the churn step. Absent for what is seen between operations (audits at
   * a barrier, hangs, workers that died). A run of the same seed cut to this many churn operations
   * reaches the same point of every thread's operation stream, which is what lets a stress failure be
   * explored at its own size.
   */
  op?: number;
}

/** At most this many pages are listed in one violation; the message says how many there were. */
export const MAX_PAGES_LISTED = 16;
