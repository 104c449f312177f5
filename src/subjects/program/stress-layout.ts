/**
 * The control buffer of a program's stress run: round handshakes, and each thread's state, so that the
 * main thread can tell a deadlock (every unfinished thread in Atomics.wait) from a hang (one running).
 * The program's own memory is a buffer of its own; nothing here is ever in it.
 */

/** Int32 slots of the control block. */
export const ProgramControl = {
  /** The round the leader (thread 0) released, once the memory is zeroed and init has run. */
  go: 0,
  /** Thread-rounds ended so far, all rounds: every thread adds one at the end of each round. */
  finished: 1,
  /** A round the main thread (a deadlock) or a failed thread ended early: its waiters give up. */
  abort: 2,
  /** Non-zero: no round after the current one. */
  stop: 3,
  /** The last round whose check the leader finished: threads start the next only after it. */
  checked: 4,
  /** Where the thread blocks start. */
  threadsBase: 8,
} as const;

/** Int32 slots of a thread's block. */
export const ProgramThread = {
  /** One of ThreadRunState. */
  state: 0,
  /** The round the thread is in. */
  round: 1,
  /** While waiting: the element index it waits on, and the array type's code (protocol.ts arrayTypes). */
  waitIndex: 2,
  waitType: 3,
  /** 1 while waiting with a finite timeout: such a wait ends by itself, so it is not blocked. */
  waitTimed: 4,
  slots: 8,
} as const;

export const ThreadRunState = { idle: 0, running: 1, waiting: 2, done: 3 } as const;

export function controlBytes(threads: number): number {
  return (ProgramControl.threadsBase + threads * ProgramThread.slots) * 4;
}

/** The Int32 index of `field` of thread `t`'s block. */
export function threadSlot(t: number, field: number): number {
  return ProgramControl.threadsBase + t * ProgramThread.slots + field;
}
