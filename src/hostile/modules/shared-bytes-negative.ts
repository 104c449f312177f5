// sharedBytes returns -1: no buffer can be laid out, found before anything runs.
import type { AllocatorDefinition } from '../../alloc/contract.ts';
import { base } from './byte-per-page.ts';

export default { ...base, name: 'shared-bytes-negative', sharedBytes: () => -1 } satisfies AllocatorDefinition;
