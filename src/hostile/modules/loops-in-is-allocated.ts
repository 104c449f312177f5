// isAllocated never returns for page 3: only the audit against the ledger calls it.
import type { AllocatorDefinition, SharedRegion } from '../../alloc/contract.ts';
import { base, view } from './byte-per-page.ts';

export default {
  ...base,
  name: 'loops-in-is-allocated',
  attach(memory: SharedRegion, pages: number) {
    const sound = view(memory, pages);
    return {
      ...sound,
      isAllocated(page: number) {
        if (page === 3) for (;;) {}
        return sound.isAllocated(page);
      },
    };
  },
} satisfies AllocatorDefinition;
