/**
 * ringbuf.js as a concurrent object, Lincheck style: thread 0 is its one producer (push), thread 1 its
 * one consumer (pop), as its documentation says; each calls 4 operations drawn from a seed, and the
 * history of every round or schedule is checked for linearizability against a FIFO queue of CAPACITY
 * items (queue-model.ts). Passes in both modes. At one thread (stress --threads 1) that thread is both.
 */
import { defineObject } from '../../src/index.ts';
import { queueModel } from './queue-model.ts';
import { ringBytes, ringQueue } from './ring-queue.ts';

const CAPACITY = 3;

export default defineObject({
  name: 'ringbuf-object',
  description: 'ringbuf.js, one producer and one consumer: linearizable to a bounded FIFO queue',
  threads: 2,
  // One thread may be both the producer and the consumer (still one of each): stress's --threads 1,2.
  threadCounts: [1, 2],
  sharedBytes: ringBytes(CAPACITY),
  opsPerThread: 4,
  attach: (memory) => ringQueue(memory),
  operations: [
    // Distinct values per call (thread-free: only thread 0 pushes), so a lost or doubled item shows.
    { name: 'push', threads: (t) => t === 0, args: (random) => [Array.from({ length: 1 + Math.floor(random() * 2) }, () => 1 + Math.floor(random() * 1000))] },
    { name: 'pop', threads: (t, n) => t === n - 1, args: (random) => [1 + Math.floor(random() * 2)] },
  ],
  model: queueModel(CAPACITY),
  describe: (offset) => (offset === 0 ? 'write_ptr' : offset === 4 ? 'read_ptr' : `storage[${(offset - 8) >> 2}]`),
});
