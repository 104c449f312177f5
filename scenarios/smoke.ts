import { defineScenario } from '../src/index.ts';

export default defineScenario({
  description: 'A quick check that every allocator survives a few threads racing: single pages, checked, in well under a second.',
  memory: 4096,
  threads: [1, 2, 4],
  ops: 2000,
  seed: 'smoke-1',
  workload: { allocShare: 0.5, runs: 1, maxHeldPages: 64 },
  expect: 'pass',
});
