/** The racy counter made right: each thread adds with one Atomics.add, so no increment can be lost. */
import { defineProgram } from '../../src/index.ts';

export default defineProgram({
  name: 'atomic-counter',
  threads: 3,
  sharedBytes: 4,
  thread(memory) {
    const count = new Int32Array(memory.buffer, memory.byteOffset, 1);
    for (let i = 0; i < 3; i++) Atomics.add(count, 0, 1);
  },
  check(memory) {
    const count = Atomics.load(new Int32Array(memory.buffer, memory.byteOffset, 1), 0);
    return count === 9 ? [] : [`count is ${count}, expected 9`];
  },
  describe: (offset) => (offset === 0 ? 'count' : undefined),
});
