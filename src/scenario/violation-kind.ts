/**
 * The kinds of violation a run can report. A scenario's `expect` names them, so a known-bug scenario
 * declares which failure it must produce (jcstress grades outcomes the same way).
 */
export const violationKinds = [
  /** Two threads hold the same page at once: the ledger claim after an alloc failed. */
  'double-allocation',
  /** A free of a page the thread does not hold: a double free or a free of another thread's page. */
  'bad-free',
  /** At quiescence the allocator says a page is allocated, but no thread holds it. */
  'leak',
  /** At quiescence a thread holds a page, but the allocator says it is free. */
  'lost-page',
  /** The allocator's own `audit()` found a problem in its state. */
  'audit',
  /** `alloc` returned -1 where the scenario guarantees that a free run exists. */
  'spurious-oom',
  /** No thread made progress within the watchdog timeout. */
  'hang',
  /** A worker threw or died. */
  'crash',
  /** Controlled mode: every thread is blocked, so no schedule can continue. */
  'deadlock',
  /** Controlled mode: threads keep running past the step budget without completing operations. */
  'livelock',
  /** A program's thread threw: a failed assertion (the run stops at the first one). */
  'assertion',
  /** A program's `check` found a problem in the memory its threads left. */
  'check',
] as const;

/** One of {@link violationKinds}. */
export type ViolationKind = (typeof violationKinds)[number];
