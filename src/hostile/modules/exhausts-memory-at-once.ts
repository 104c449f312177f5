// Thread 1's first alloc keeps memory it never lets go until its worker's heap is full: under
// controlled scheduling a run is a few operations long, so it must happen at once.
import type { AllocatorDefinition, SharedRegion } from '../../alloc/contract.ts';
import { base, view } from './byte-per-page.ts';

const hoard: number[][] = [];

export default {
  ...base,
  name: 'exhausts-memory-at-once',
  attach(memory: SharedRegion, pages: number, thread: number) {
    const sound = view(memory, pages);
    return {
      ...sound,
      alloc(count: number) {
        if (thread === 1) for (;;) hoard.push(new Array<number>(1 << 20).fill(count));
        return sound.alloc(count);
      },
    };
  },
} satisfies AllocatorDefinition;
