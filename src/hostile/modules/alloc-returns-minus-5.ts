// Thread 1's 50th alloc returns -5: not -1, so not "none free", but a broken return.
import type { AllocatorDefinition, SharedRegion } from '../../alloc/contract.ts';
import { base, view } from './byte-per-page.ts';

export default {
  ...base,
  name: 'alloc-returns-minus-5',
  attach(memory: SharedRegion, pages: number, thread: number) {
    const sound = view(memory, pages);
    let calls = 0;
    return {
      ...sound,
      alloc: (count: number) => (thread === 1 && ++calls === 50 ? -5 : sound.alloc(count)),
    };
  },
} satisfies AllocatorDefinition;
