/**
 * pthread_mutex_t as one futex word: mutex #3 of Ulrich Drepper's "Futexes Are Tricky". The word is 0
 * unlocked, 1 locked with no waiter, 2 locked and maybe waited on; only an unlock that finds 2 pays for
 * a notify. Each step of the protocol is one Atomics call, so a controlled run can stop a thread between
 * any two of them, as a preemption inside pthread_mutex_lock can.
 *
 * A word holding anything else is not a mutex (memory that free() scribbled over, see freed.ts): lock
 * and unlock find that out from the values their own atomic steps return, without reading the word an
 * extra time, and throw, as a crash in the C library would end the C program.
 */

const UNLOCKED = 0;
const LOCKED = 1;
const CONTENDED = 2;

function notAMutex(what: string, value: number): never {
  const why = value === UNLOCKED ? 'a mutex nobody holds' : `memory that is not a live mutex (it holds ${value}): a use after free`;
  throw new Error(`${what} on ${why}`);
}

export function lock(words: Int32Array, at: number): void {
  let c = Atomics.compareExchange(words, at, UNLOCKED, LOCKED);
  if (c === UNLOCKED) return;
  if (c !== LOCKED && c !== CONTENDED) notAMutex('pthread_mutex_lock', c);
  // Announce a waiter before sleeping, so the holder's unlock knows to wake someone.
  if (c !== CONTENDED) c = Atomics.exchange(words, at, CONTENDED);
  while (c !== UNLOCKED) {
    if (c !== LOCKED && c !== CONTENDED) notAMutex('pthread_mutex_lock', c);
    Atomics.wait(words, at, CONTENDED);
    // Take it as contended: another waiter may still sleep, and our unlock must wake it.
    c = Atomics.exchange(words, at, CONTENDED);
  }
}

/** pthread_mutex_trylock: true when the mutex was free and is now ours. */
export function tryLock(words: Int32Array, at: number): boolean {
  const c = Atomics.compareExchange(words, at, UNLOCKED, LOCKED);
  if (c !== UNLOCKED && c !== LOCKED && c !== CONTENDED) notAMutex('pthread_mutex_trylock', c);
  return c === UNLOCKED;
}

export function unlock(words: Int32Array, at: number): void {
  const was = Atomics.sub(words, at, 1);
  if (was === LOCKED) return;
  if (was !== CONTENDED) notAMutex('pthread_mutex_unlock', was);
  Atomics.store(words, at, UNLOCKED);
  Atomics.notify(words, at, 1);
}
