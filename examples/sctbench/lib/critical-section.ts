/**
 * A Win32 CRITICAL_SECTION: a mutex its owner may enter again (each Enter must be matched by a Leave;
 * the lock is free again when the count of Leaves reaches the count of Enters). Three words: the
 * owner (thread id + 1, 0 for none), the recursion count, and the futex mutex behind it. Only the owner
 * writes the first two, so an Enter by another thread reads a stale owner at worst, and a stale owner
 * is never itself.
 */
import { lock, unlock } from './mutex.ts';

const OWNER = 0;
const RECURSION = 1;
const MUTEX = 2;
/** The words of one critical section, for a port's layout. */
export const CRITICAL_SECTION_FIELDS = ['OwningThread', 'RecursionCount', 'mutex'] as const;

export function enterCriticalSection(words: Int32Array, cs: number, thread: number): void {
  const me = thread + 1;
  if (Atomics.load(words, cs + OWNER) === me) {
    Atomics.store(words, cs + RECURSION, Atomics.load(words, cs + RECURSION) + 1);
    return;
  }
  lock(words, cs + MUTEX);
  Atomics.store(words, cs + OWNER, me);
  Atomics.store(words, cs + RECURSION, 1);
}

export function leaveCriticalSection(words: Int32Array, cs: number): void {
  const left = Atomics.load(words, cs + RECURSION) - 1;
  Atomics.store(words, cs + RECURSION, left);
  if (left > 0) return;
  Atomics.store(words, cs + OWNER, 0);
  unlock(words, cs + MUTEX);
}
