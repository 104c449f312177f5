import { defineScenario } from '../src/index.ts';

export default defineScenario({
  description:
    'Near out of memory: the threads together want twice the memory there is, so allocs fail all the time and every free is raced for. Out-of-memory here is legitimate; lost or doubled pages are not.',
  memory: 4096,
  threads: [2, 4, 8],
  ops: 200_000,
  seed: 'near-oom-1',
  workload: { allocShare: 0.6, runs: 1, maxHeldPages: 1024 },
  expect: 'pass',
});
