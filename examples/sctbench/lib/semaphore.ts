/**
 * A POSIX counting semaphore (sem_t) as one futex word holding the count. sem_wait takes one unit with
 * a compare-and-swap, so two waiters can never take the same unit, and sleeps while the count is 0;
 * sem_post adds one and wakes one sleeper.
 */

export function semWait(words: Int32Array, at: number): void {
  for (;;) {
    const count = Atomics.load(words, at);
    if (count > 0) {
      // Retried only when another thread took or added a unit between the load and here.
      if (Atomics.compareExchange(words, at, count, count - 1) === count) return;
    } else {
      Atomics.wait(words, at, count);
    }
  }
}

export function semPost(words: Int32Array, at: number): void {
  Atomics.add(words, at, 1);
  Atomics.notify(words, at, 1);
}
