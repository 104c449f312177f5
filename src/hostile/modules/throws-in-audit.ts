// audit throws: at the first phase barrier, with every thread parked.
import type { AllocatorDefinition } from '../../alloc/contract.ts';
import { base } from './byte-per-page.ts';

export default {
  ...base,
  name: 'throws-in-audit',
  audit(): string[] {
    throw new Error('audit refuses on purpose');
  },
} satisfies AllocatorDefinition;
