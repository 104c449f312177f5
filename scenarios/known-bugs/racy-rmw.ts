import { defineScenario } from '../../src/index.ts';

export default defineScenario({
  description:
    'byte-cas with Atomics.load + Atomics.store in place of the CAS: 8 threads share one small block, so two of them often read the same byte and both store "their" bit. The ledger sees the second claim.',
  allocators: ['byte-cas/racy-rmw'],
  memory: 1024,
  threads: [8],
  ops: 100_000,
  seed: 'racy-rmw-1',
  workload: { allocShare: 0.5, runs: 1, maxHeldPages: 64 },
  expect: ['double-allocation'],
  // Under controlled scheduling the lost store can also be seen first by the audit at a barrier: the
  // bit a thread stored over was counted taken by the free counter but is clear in the bitmap.
  explore: { expect: ['double-allocation', 'audit'] },
});
