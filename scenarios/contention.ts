import { defineScenario } from '../src/index.ts';

export default defineScenario({
  description:
    'Contention on one block: every thread churns single pages in the same 124 MiB block, its low half held, so threads meet on the bytes at the search hint and CASes fail. This is where byte-cas/precedence pays for jumping back after a failed CAS.',
  allocators: ['byte-cas', 'byte-cas/precedence'],
  memory: 31744,
  threads: [1, 2, 4, 8],
  ops: 300_000,
  seed: 'contention-1',
  workload: { allocShare: 0.5, runs: 1, maxHeldPages: 3500 },
  expect: 'pass',
});
