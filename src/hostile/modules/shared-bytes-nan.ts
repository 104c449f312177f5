// sharedBytes returns NaN.
import type { AllocatorDefinition } from '../../alloc/contract.ts';
import { base } from './byte-per-page.ts';

export default { ...base, name: 'shared-bytes-nan', sharedBytes: () => Number.NaN } satisfies AllocatorDefinition;
