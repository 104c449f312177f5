// The module's top level throws.
import type { AllocatorDefinition } from '../../alloc/contract.ts';
import { base } from './byte-per-page.ts';

if (base.maxRun === 1) throw new Error('this module refuses to load');

export default { ...base, name: 'throws-at-import' } satisfies AllocatorDefinition;
