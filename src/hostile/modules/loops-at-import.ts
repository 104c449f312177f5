// The module's top level never finishes: checking the module in the host (with a deadline) finds it
// before anything runs.
import type { AllocatorDefinition } from '../../alloc/contract.ts';
import { base } from './byte-per-page.ts';

let spins = 0;
while (spins >= 0) spins = (spins + 1) % 1000;

export default { ...base, name: 'loops-at-import' } satisfies AllocatorDefinition;
