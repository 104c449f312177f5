/**
 * ringbuf.js (https://github.com/padenot/ringbuf.js, from the npm registry, unmodified) used as it is
 * documented: a wait-free single-producer single-consumer ring buffer on one SharedArrayBuffer. Thread
 * 0 pushes 1..ITEMS, in pushes of one to three items, retrying while the ring is full; thread 1 pops
 * until it has them all, and fails if they do not come out in order, each once. The ring's buffer is
 * the program's memory, whole: its constructor sizes the ring from the buffer's length.
 *
 * Every Atomics call ringbuf.js makes on its read and write indices and every plain read and write of
 * its storage is a scheduling point (the source transform reaches into node_modules); the producer's
 * and consumer's own retry loops are what the spin detector switches out while the other side has work.
 */
import { RingBuffer } from 'ringbuf.js';
import { defineProgram } from '../../src/index.ts';

/** Items the producer sends; the ring holds CAPACITY, so it fills and empties several times. */
const ITEMS = 12;
const CAPACITY = 5;
/** 8 bytes of indices, then CAPACITY + 1 slots (one always empty, to tell full from empty). */
const RING_BYTES = 8 + (CAPACITY + 1) * Int32Array.BYTES_PER_ELEMENT;

export default defineProgram({
  name: 'ringbuf-spsc',
  description: 'ringbuf.js with one producer and one consumer, as documented: every item arrives once, in order',
  threads: 2,
  sharedBytes: RING_BYTES,
  thread(memory, thread) {
    const ring = new RingBuffer(memory.buffer, Int32Array);
    if (thread === 0) {
      for (let next = 1; next <= ITEMS; ) {
        const batch = Int32Array.from({ length: Math.min(1 + (next % 3), ITEMS - next + 1) }, (_, i) => next + i);
        next += ring.push(batch);
      }
      return;
    }
    const got = new Int32Array(ITEMS);
    for (let received = 0; received < ITEMS; ) received += ring.pop(got, ITEMS - received, received);
    for (let i = 0; i < ITEMS; i++) if (got[i] !== i + 1) throw new Error(`item ${i} came out as ${got[i]}, expected ${i + 1}: ${Array.from(got).join(',')}`);
  },
  describe: (offset) => (offset === 0 ? 'write_ptr' : offset === 4 ? 'read_ptr' : `storage[${(offset - 8) >> 2}]`),
});
