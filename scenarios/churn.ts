import { defineScenario } from '../src/index.ts';

export default defineScenario({
  description:
    'Steady churn, the default: every thread allocates and frees single pages at random, holding up to 256 at a time, in 1 GiB of 4 KiB pages (9 byte-cas blocks).',
  memory: '1GiB',
  threads: [1, 2, 4, 8],
  ops: 1_000_000,
  seed: 'churn-1',
  workload: { allocShare: 0.5, runs: 1, maxHeldPages: 256 },
  expect: 'pass',
});
