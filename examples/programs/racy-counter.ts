/**
 * Two threads each add 1 to a shared counter with a load and then a store, not one atomic add: both
 * may load the same value, and one increment is lost. `check` expects 2.
 */
export default {
  name: 'racy-counter',
  threads: 2,
  sharedBytes: 4,
  thread(memory: { buffer: SharedArrayBuffer; byteOffset: number }) {
    const count = new Int32Array(memory.buffer, memory.byteOffset, 1);
    // The race: another thread's store may land between this load and this store.
    const seen = Atomics.load(count, 0);
    Atomics.store(count, 0, seen + 1);
  },
  check(memory: { buffer: SharedArrayBuffer; byteOffset: number }) {
    const count = Atomics.load(new Int32Array(memory.buffer, memory.byteOffset, 1), 0);
    return count === 2 ? [] : [`count is ${count}, expected 2: an increment was lost`];
  },
  describe: (offset: number) => (offset === 0 ? 'count' : undefined),
};
