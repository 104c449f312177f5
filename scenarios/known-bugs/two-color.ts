import { defineScenario } from '../../src/index.ts';

export default defineScenario({
  description:
    'colored-region with only two colors: a new region between a 01 and a 10 neighbour merges with one of them, and the free of either is then refused: pages are lost.',
  allocators: ['colored-region/two-color'],
  memory: 256,
  threads: [2],
  ops: 20_000,
  seed: 'two-color-1',
  workload: { allocShare: 0.5, runs: { sizes: [1, 2, 3] }, maxHeldPages: 48 },
  expect: ['lost-page'],
});
