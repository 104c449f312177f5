/**
 * ringbuf.js as a concurrent object used against its contract: threads 0 and 1 both push, thread 2
 * pops. Two pushes that read the same write index write the same slot and publish it twice, so the
 * consumer sees an item twice or one that was overwritten: no order of the operations agrees with a
 * FIFO queue, and the linearizability check says so, with the history.
 */
import { defineObject } from '../../src/index.ts';
import { queueModel } from './queue-model.ts';
import { ringBytes, ringQueue } from './ring-queue.ts';

const CAPACITY = 3;

export default defineObject({
  name: 'ringbuf-object-two-producers',
  description: 'ringbuf.js with two producers: not linearizable to a FIFO queue',
  threads: 3,
  sharedBytes: ringBytes(CAPACITY),
  opsPerThread: 2,
  seed: 'two-producers',
  attach: (memory) => ringQueue(memory),
  operations: [
    { name: 'push', threads: [0, 1], args: (random) => [[1 + Math.floor(random() * 1000)]] },
    { name: 'pop', threads: [2], args: () => [2] },
  ],
  model: queueModel(CAPACITY),
  describe: (offset) => (offset === 0 ? 'write_ptr' : offset === 4 ? 'read_ptr' : `storage[${(offset - 8) >> 2}]`),
});
