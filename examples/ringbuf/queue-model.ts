/**
 * What ringbuf.js promises, as a sequential model for the linearizability check: a FIFO queue of at most
 * CAPACITY items. push(items) writes some prefix of `items` and returns how many: at most the room
 * there is, and possibly fewer (a producer that read the consumer's index a moment ago sees less room
 * than there is), so any count up to the room is allowed; pop(max) returns the oldest items, at most
 * `max`, possibly fewer than are there, for the same reason on the other side.
 */
import type { SequentialModel } from '../../src/index.ts';

export function queueModel(capacity: number): SequentialModel<readonly number[]> {
  return {
    init: () => [],
    step(queue, name, args, result) {
      if (name === 'push') {
        const items = args[0] as number[];
        const written = result as number;
        if (!Number.isInteger(written) || written < 0 || written > Math.min(items.length, capacity - queue.length)) return undefined;
        return [...queue, ...items.slice(0, written)];
      }
      if (name === 'pop') {
        const got = result as number[];
        if (got.length > (args[0] as number) || got.length > queue.length) return undefined;
        return got.every((v, i) => v === queue[i]) ? queue.slice(got.length) : undefined;
      }
      return undefined;
    },
  };
}
