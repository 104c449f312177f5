// sharedBytes asks for more memory than any machine has.
import type { AllocatorDefinition } from '../../alloc/contract.ts';
import { base } from './byte-per-page.ts';

export default { ...base, name: 'shared-bytes-huge', sharedBytes: () => Number.MAX_SAFE_INTEGER } satisfies AllocatorDefinition;
