// init never returns: the host's deadline (the scenario's watchdog) ends it.
import type { AllocatorDefinition } from '../../alloc/contract.ts';
import { base } from './byte-per-page.ts';

export default {
  ...base,
  name: 'loops-in-init',
  init() {
    for (;;) {}
  },
} satisfies AllocatorDefinition;
