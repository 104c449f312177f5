// attach throws: the host's attach (before the threads') reports it as a crash of the run.
import type { AllocatorDefinition } from '../../alloc/contract.ts';
import { base } from './byte-per-page.ts';

export default {
  ...base,
  name: 'throws-in-attach',
  attach(): never {
    throw new TypeError('attach refuses on purpose');
  },
} satisfies AllocatorDefinition;
