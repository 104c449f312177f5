// audit never returns: found at the first phase barrier, while every thread is parked.
import type { AllocatorDefinition } from '../../alloc/contract.ts';
import { base } from './byte-per-page.ts';

export default {
  ...base,
  name: 'loops-in-audit',
  audit(): string[] {
    for (;;) {}
  },
} satisfies AllocatorDefinition;
