/**
 * The control buffer of a program's stress run: round handshakes, and each thread's state, so that the
 * main thread can tell a deadlock (every unfinished thread in Atomics.wait) from a hang (one running).
 * The program's own memory is a buffer of its own; nothing here is ever in it.
 *
 *   control block | thread blocks (ProgramThreadLayout.bytes each)
 */
import type { SharedLayout } from '../../harness/shared-layout.ts';

/** The control block; every field is read and written with Atomics, and the waits are on its words. */
export const ProgramControlLayout = {
  bytes: 32,
  i32: {
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
  },
} as const satisfies SharedLayout;

/** A thread's block: written by its thread, read by the main thread's deadlock watch. */
export const ProgramThreadLayout = {
  bytes: 32,
  i32: {
    /** One of ThreadRunState. */
    state: 0,
    /** The round the thread is in: a thread still in an older round is not part of this round's deadlock. */
    round: 1,
    /** While waiting: the element index it waits on, and the array type's code (protocol.ts arrayTypes). */
    waitIndex: 2,
    waitType: 3,
    /** 1 while waiting with a finite timeout: such a wait ends by itself, so it is not blocked. */
    waitTimed: 4,
  },
} as const satisfies SharedLayout;

/**
 * The two structures as Int32 indices, with where the thread blocks start and how long each is, in the
 * flat shape the stress program and its worker index with.
 */
export const ProgramControl = { ...ProgramControlLayout.i32, threadsBase: ProgramControlLayout.bytes >> 2 } as const;
export const ProgramThread = { ...ProgramThreadLayout.i32, slots: ProgramThreadLayout.bytes >> 2 } as const;

export const ThreadRunState = { idle: 0, running: 1, waiting: 2, done: 3 } as const;

export function controlBytes(threads: number): number {
  return ProgramControlLayout.bytes + threads * ProgramThreadLayout.bytes;
}

/** The Int32 index of `field` of thread `t`'s block. */
export function threadSlot(t: number, field: number): number {
  return ProgramControl.threadsBase + t * ProgramThread.slots + field;
}
