// init keeps memory it never lets go until the host's heap is full.
import type { AllocatorDefinition } from '../../alloc/contract.ts';
import { base } from './byte-per-page.ts';

const hoard: number[][] = [];

export default {
  ...base,
  name: 'exhausts-memory-in-init',
  init() {
    for (;;) hoard.push(new Array<number>(1 << 20).fill(hoard.length));
  },
} satisfies AllocatorDefinition;
