import { defineScenario } from '../../src/index.ts';

export default defineScenario({
  description:
    'colored-region that checks only its left neighbour: a region that fills a gap exactly can take its right neighbour\'s color and merge with it; the free of either is then refused.',
  allocators: ['colored-region/one-sided'],
  memory: 256,
  threads: [2],
  ops: 20_000,
  seed: 'one-sided-1',
  workload: { allocShare: 0.5, runs: { sizes: [1, 2] }, maxHeldPages: 48 },
  expect: ['lost-page'],
});
