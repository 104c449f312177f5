// init throws: the host reports it as a crash of the run before any thread starts.
import type { AllocatorDefinition } from '../../alloc/contract.ts';
import { base } from './byte-per-page.ts';

export default {
  ...base,
  name: 'throws-in-init',
  init() {
    throw new Error('init refuses on purpose');
  },
} satisfies AllocatorDefinition;
