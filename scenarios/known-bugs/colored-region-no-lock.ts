import { defineScenario } from '../../src/index.ts';

export default defineScenario({
  description:
    'The negative control: colored-region without the global lock it is designed for. Its bitmap is read and painted with plain writes, so two threads find the same first fit and paint it both.',
  allocators: ['colored-region'],
  lock: false,
  memory: 1024,
  threads: [8],
  ops: 100_000,
  seed: 'colored-no-lock-1',
  workload: { allocShare: 0.5, runs: { sizes: [1, 2, 4] }, maxHeldPages: 64 },
  expect: ['double-allocation'],
});
