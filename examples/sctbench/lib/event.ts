/**
 * A Win32 / .NET auto-reset event: Set leaves it signalled until one wait consumes the signal; a Set
 * while it is already signalled is lost (the event is one bit, not a count); a Set while threads wait
 * releases exactly one of them, and the signal is handed to that waiter, so no thread arriving later
 * can take it first. The event's own state is kept under a private mutex: in Windows it is a kernel
 * object whose operations are atomic.
 */
import { hasWaiters, signal, wait } from './condvar.ts';
import { lock, unlock } from './mutex.ts';

const MUTEX = 0;
const SIGNALLED = 1;
/** The condition variable (two words) its waiters sleep on. */
const WAITERS = 2;
/** The words of one event, for a port's layout. */
export const EVENT_FIELDS = ['mutex', 'signalled', 'waiters.granted', 'waiters.tickets'] as const;

export function setEvent(words: Int32Array, event: number): void {
  lock(words, event + MUTEX);
  if (hasWaiters(words, event + WAITERS)) signal(words, event + WAITERS);
  else Atomics.store(words, event + SIGNALLED, 1);
  unlock(words, event + MUTEX);
}

/** WaitOne() with no timeout. */
export function waitEvent(words: Int32Array, event: number): void {
  lock(words, event + MUTEX);
  if (Atomics.load(words, event + SIGNALLED) === 1) Atomics.store(words, event + SIGNALLED, 0);
  else wait(words, event + WAITERS, event + MUTEX);
  unlock(words, event + MUTEX);
}

/** WaitOne(0): takes the signal if the event holds one, never blocks. */
export function tryWaitEvent(words: Int32Array, event: number): boolean {
  lock(words, event + MUTEX);
  const signalled = Atomics.load(words, event + SIGNALLED) === 1;
  if (signalled) Atomics.store(words, event + SIGNALLED, 0);
  unlock(words, event + MUTEX);
  return signalled;
}
