/**
 * pthread_cond_t (and a .NET Monitor's wait set) as two words: `granted`, the wakeups handed out so
 * far, and `tickets`, the waits begun so far. A waiter draws the next ticket while it still holds the
 * mutex, so it is in the wait set before it unlocks: a signal sent after that unlock finds it, and no
 * wakeup is lost between the unlock and the sleep. A signal grants the oldest ungranted ticket, or does
 * nothing when every ticket is granted (a signal is not remembered). Only the waiter whose ticket was
 * granted passes, so there are no spurious wakeups and no stolen ones, and waiters leave in the order
 * they came (an order POSIX and .NET leave open; this picks one).
 *
 * A futex has one word to sleep on, so a signal wakes every sleeper of `granted` and all but the one it
 * granted go back to sleep; that costs steps, never behaviour.
 */
import { lock, unlock } from './mutex.ts';

/** The words of one condition variable, for a port's layout. */
export const CONDVAR_FIELDS = ['granted', 'tickets'] as const;
const GRANTED = 0;
const TICKETS = 1;

export function wait(words: Int32Array, cv: number, mutex: number): void {
  const ticket = Atomics.add(words, cv + TICKETS, 1);
  unlock(words, mutex);
  for (;;) {
    const granted = Atomics.load(words, cv + GRANTED);
    if (granted > ticket) break;
    Atomics.wait(words, cv + GRANTED, granted);
  }
  lock(words, mutex);
}

/**
 * pthread_cond_timedwait. The timeout is a real one, in milliseconds; a controlled run lets it expire
 * only when nothing else could move the run on. Returns false when it timed out. A waiter that timed
 * out leaves its ticket behind: a later signal granted to it wakes nobody, which is the price of this
 * design and harmless when, as in the port that uses it, every wait on that condition is a timed one
 * that will look again on its own.
 */
export function timedWait(words: Int32Array, cv: number, mutex: number, ms: number): boolean {
  const ticket = Atomics.add(words, cv + TICKETS, 1);
  unlock(words, mutex);
  let signalled = true;
  for (;;) {
    const granted = Atomics.load(words, cv + GRANTED);
    if (granted > ticket) break;
    if (Atomics.wait(words, cv + GRANTED, granted, ms) === 'timed-out') {
      signalled = false;
      break;
    }
  }
  lock(words, mutex);
  return signalled;
}

/** Whether some wait on `cv` has not been granted yet. */
export function hasWaiters(words: Int32Array, cv: number): boolean {
  return Atomics.load(words, cv + GRANTED) < Atomics.load(words, cv + TICKETS);
}

export function signal(words: Int32Array, cv: number): void {
  for (;;) {
    const granted = Atomics.load(words, cv + GRANTED);
    if (granted >= Atomics.load(words, cv + TICKETS)) return;
    // Retried only when another signal granted the same ticket first.
    if (Atomics.compareExchange(words, cv + GRANTED, granted, granted + 1) === granted) break;
  }
  Atomics.notify(words, cv + GRANTED);
}

export function broadcast(words: Int32Array, cv: number): void {
  for (;;) {
    const granted = Atomics.load(words, cv + GRANTED);
    const tickets = Atomics.load(words, cv + TICKETS);
    if (granted >= tickets) return;
    if (Atomics.compareExchange(words, cv + GRANTED, granted, tickets) === granted) break;
  }
  Atomics.notify(words, cv + GRANTED);
}
