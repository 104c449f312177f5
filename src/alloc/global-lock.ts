/**
 * The global lock the harness wraps around `'global-lock'` allocators: a futex-style mutex on one Int32
 * slot of the shared buffer, Drepper's three-state mutex ("Futexes Are Tricky", mutex3).
 *
 * States: 0 unlocked, 1 locked with no waiters, 2 locked and someone may be parked. The uncontended path
 * is one CAS to lock and one atomic subtract to unlock, with no system call; only a thread that finds
 * the lock taken parks in `Atomics.wait`, and only an unlock that sees state 2 pays for `Atomics.notify`.
 * It never spins before parking: with more threads than cores (a scenario worth measuring) spinning
 * burns the core the holder needs.
 */
import type { SharedLayout } from '../harness/shared-layout.ts';
import type { SharedRegion } from './contract.ts';

/** The lock's shared state. */
export const LockLayout = {
  bytes: 8,
  i32: {
    /** One of LockState: the one word every lock and unlock changes atomically, and waiters park on. */
    state: 0,
    /** thread + 1 of the holder while the lock is held, 0 when free: a hang report can name who holds it. */
    owner: 1,
  },
} as const satisfies SharedLayout;
/** Bytes of shared state the lock needs (part of the package's API: a caller sizes the lock's region with it). */
export const LOCK_BYTES = LockLayout.bytes;

export const LockState = { unlocked: 0, locked: 1, contended: 2 } as const;

/** Thread-local tallies; the harness adds them up across threads after a run. */
export interface LockCounters {
  acquisitions: number;
  /** Acquisitions that found the lock taken and had to wait. */
  contended: number;
  /** Time spent waiting for the lock, in nanoseconds (measured only on the contended path). */
  waitedNs: number;
}

export class GlobalLock {
  readonly counters: LockCounters = { acquisitions: 0, contended: 0, waitedNs: 0 };
  private readonly state: Int32Array;

  /** @param thread the thread this view belongs to, recorded as the owner while it holds the lock. */
  constructor(
    memory: SharedRegion,
    private readonly thread = -1,
  ) {
    this.state = new Int32Array(memory.buffer, memory.byteOffset, LockLayout.bytes >> 2);
  }

  static init(memory: SharedRegion): void {
    const state = new Int32Array(memory.buffer, memory.byteOffset, LockLayout.bytes >> 2);
    Atomics.store(state, LockLayout.i32.state, LockState.unlocked);
    Atomics.store(state, LockLayout.i32.owner, 0);
  }

  /** The thread holding the lock, or -1. A snapshot, for reports. */
  static owner(memory: SharedRegion): number {
    return Atomics.load(new Int32Array(memory.buffer, memory.byteOffset, LockLayout.bytes >> 2), LockLayout.i32.owner) - 1;
  }

  lock(): void {
    const s = this.state;
    this.counters.acquisitions++;
    let c = Atomics.compareExchange(s, LockLayout.i32.state, LockState.unlocked, LockState.locked);
    if (c === LockState.unlocked) {
      s[LockLayout.i32.owner] = this.thread + 1;
      return;
    }
    this.counters.contended++;
    const start = performance.now();
    // Mark the lock contended before parking, so the holder's unlock knows it must wake someone. Once we
    // have written 2 we cannot know whether others wait too, so we keep 2 when we finally take it.
    if (c !== LockState.contended) c = Atomics.exchange(s, LockLayout.i32.state, LockState.contended);
    while (c !== LockState.unlocked) {
      Atomics.wait(s, LockLayout.i32.state, LockState.contended);
      c = Atomics.exchange(s, LockLayout.i32.state, LockState.contended);
    }
    this.counters.waitedNs += (performance.now() - start) * 1e6;
    s[LockLayout.i32.owner] = this.thread + 1;
  }

  unlock(): void {
    this.state[LockLayout.i32.owner] = 0;
    // 1 -> 0 needs no wake-up; from 2, store 0 and wake one waiter, who will set 2 again.
    if (Atomics.sub(this.state, LockLayout.i32.state, 1) !== LockState.locked) {
      Atomics.store(this.state, LockLayout.i32.state, LockState.unlocked);
      Atomics.notify(this.state, LockLayout.i32.state, 1);
    }
  }
}
