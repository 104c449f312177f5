/** ringbuf.js as the object examples use it: a ring of Int32 items, each thread's push and pop. */
import { RingBuffer } from 'ringbuf.js';
import type { SharedRegion } from '../../src/index.ts';

/** A thread's handle on a ring of Int32 items in `memory`: push(items) -> written, pop(max) -> items. */
export function ringQueue(memory: SharedRegion) {
  const ring = new RingBuffer(memory.buffer, Int32Array);
  return {
    push: (items: number[]) => ring.push(Int32Array.from(items)),
    pop: (max: number) => {
      const out = new Int32Array(max);
      return Array.from(out.subarray(0, ring.pop(out, max)));
    },
  };
}

/** Bytes of a ring of `capacity` Int32 items: two indices, then one slot more than it holds. */
export const ringBytes = (capacity: number) => 8 + (capacity + 1) * Int32Array.BYTES_PER_ELEMENT;
