import { defineScenario } from '../src/index.ts';

export default defineScenario({
  description:
    'Cross-thread frees: a third of the frees hand the run to another thread through a queue, as a kernel frees on one CPU what another allocated, so pages move between threads and blocks.',
  memory: '64MiB',
  threads: [2, 4, 8],
  ops: 200_000,
  seed: 'cross-thread-1',
  workload: { allocShare: 0.5, runs: 1, maxHeldPages: 256, crossThreadFrees: 0.3 },
  expect: 'pass',
});
