/**
 * Two threads take two locks in opposite orders: thread 0 takes A then B, thread 1 takes B then A.
 * When each holds its first lock, each waits for the other's forever: a deadlock. The locks are
 * futex mutexes (0 free, 1 held, 2 held with waiters), as a C program's pthread mutexes would be.
 */
import { defineProgram } from '../../src/index.ts';

const A = 0;
const B = 1;

function lock(words: Int32Array, at: number): void {
  // Take it free -> held; else mark it contended and sleep until an unlock may have freed it.
  let c = Atomics.compareExchange(words, at, 0, 1);
  if (c === 0) return;
  if (c !== 2) c = Atomics.exchange(words, at, 2);
  while (c !== 0) {
    Atomics.wait(words, at, 2);
    c = Atomics.exchange(words, at, 2);
  }
}

function unlock(words: Int32Array, at: number): void {
  if (Atomics.sub(words, at, 1) !== 1) {
    Atomics.store(words, at, 0);
    Atomics.notify(words, at, 1);
  }
}

export default defineProgram({
  name: 'lock-order-deadlock',
  threads: 2,
  sharedBytes: 12,
  thread(memory, thread) {
    const words = new Int32Array(memory.buffer, memory.byteOffset, 3);
    const [first, second] = thread === 0 ? [A, B] : [B, A];
    lock(words, first);
    lock(words, second);
    Atomics.add(words, 2, 1); // the work both locks guard
    unlock(words, second);
    unlock(words, first);
  },
  check(memory) {
    const done = Atomics.load(new Int32Array(memory.buffer, memory.byteOffset, 3), 2);
    return done === 2 ? [] : [`${done} of 2 threads did their work`];
  },
  describe: (offset) => ['lock A', 'lock B', 'work done'][offset >> 2],
});
