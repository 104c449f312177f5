// Thread 1's 50th alloc keeps memory it never lets go until its worker's heap is full.
import type { AllocatorDefinition, SharedRegion } from '../../alloc/contract.ts';
import { base, view } from './byte-per-page.ts';

const hoard: number[][] = [];

export default {
  ...base,
  name: 'exhausts-memory',
  attach(memory: SharedRegion, pages: number, thread: number) {
    const sound = view(memory, pages);
    let calls = 0;
    return {
      ...sound,
      alloc(count: number) {
        if (thread === 1 && ++calls === 50) for (;;) hoard.push(new Array<number>(1 << 20).fill(calls));
        return sound.alloc(count);
      },
    };
  },
} satisfies AllocatorDefinition;
