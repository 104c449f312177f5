/**
 * ringbuf.js used against its documentation: two producers push into the single-producer ring at
 * once. Each loads the write index, copies its item into the slot there and stores the index + 1; when
 * both load the same index, one item overwrites the other and one slot's worth of data is lost (or the
 * index moves past an item never written). The consumer pops until both producers are done and the
 * ring is empty, and fails unless it received every item pushed, each once.
 *
 * The done flags and the count of items each producer got in are the program's own bookkeeping, in its
 * scratch buffer: the ring's constructor takes its buffer whole, and only the ring is under test.
 */
import { RingBuffer } from 'ringbuf.js';
import { defineProgram } from '../../src/index.ts';

const PER_PRODUCER = 3;
const CAPACITY = 7;
const RING_BYTES = 8 + (CAPACITY + 1) * Int32Array.BYTES_PER_ELEMENT;
/** Int32 slots of the scratch buffer: each producer's done flag. */
const kDone = 0;

export default defineProgram({
  name: 'ringbuf-two-producers',
  description: 'ringbuf.js with two producers, against its single-producer contract: items are lost',
  threads: 3,
  sharedBytes: RING_BYTES,
  scratchBytes: 8,
  thread(memory, thread, scratch) {
    const ring = new RingBuffer(memory.buffer, Int32Array);
    const flags = new Int32Array(scratch.buffer, scratch.byteOffset, 2);
    if (thread < 2) {
      // Producer `thread` sends thread*100 + 1..PER_PRODUCER; the ring has room for all of them.
      for (let i = 1; i <= PER_PRODUCER; ) i += ring.push(Int32Array.of(thread * 100 + i));
      Atomics.store(flags, kDone + thread, 1);
      return;
    }
    const got: number[] = [];
    const one = new Int32Array(1);
    for (;;) {
      const producersDone = Atomics.load(flags, kDone) === 1 && Atomics.load(flags, kDone + 1) === 1;
      if (ring.pop(one) === 1) got.push(one[0]!);
      else if (producersDone) break;
    }
    const expected = [1, 2, 3, 101, 102, 103];
    const sorted = [...got].sort((a, b) => a - b);
    if (sorted.join(',') !== expected.join(',')) throw new Error(`received ${got.join(',') || 'nothing'}, expected each of ${expected.join(',')} once`);
  },
  describe: (offset) => (offset === 0 ? 'write_ptr' : offset === 4 ? 'read_ptr' : `storage[${(offset - 8) >> 2}]`),
});
