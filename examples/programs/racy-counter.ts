/**
 * Two threads each add 1 to a shared counter 2,000 times, with a load and then a store, not one atomic
 * add: both may load the same value, and an increment is lost. `check` expects every increment.
 */
const INCREMENTS = 2000;

export default {
  name: 'racy-counter',
  threads: 2,
  sharedBytes: 4,
  thread(memory: { buffer: SharedArrayBuffer; byteOffset: number }) {
    const count = new Int32Array(memory.buffer, memory.byteOffset, 1);
    for (let i = 0; i < INCREMENTS; i++) {
      // The race: another thread's store may land between this load and this store.
      const seen = Atomics.load(count, 0);
      Atomics.store(count, 0, seen + 1);
    }
  },
  check(memory: { buffer: SharedArrayBuffer; byteOffset: number }) {
    const count = Atomics.load(new Int32Array(memory.buffer, memory.byteOffset, 1), 0);
    return count === 2 * INCREMENTS ? [] : [`count is ${count}, expected ${2 * INCREMENTS}: ${2 * INCREMENTS - count} increments were lost`];
  },
  describe: (offset: number) => (offset === 0 ? 'count' : undefined),
};
