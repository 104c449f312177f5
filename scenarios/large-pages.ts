import { defineScenario } from '../src/index.ts';

export default defineScenario({
  description:
    'Mixed large pages: single pages with runs of 2 to 512 (a 2 MiB large page), so multi-page claims race single-page ones for the same bytes. Only allocators that give out runs take part.',
  allocators: ['byte-cas', 'colored-region'],
  memory: '256MiB',
  threads: [1, 2, 4],
  ops: 100_000,
  seed: 'large-pages-1',
  workload: { allocShare: 0.5, runs: { sizes: [1, 2, 4, 8, 64, 512], weights: [40, 10, 10, 10, 5, 1] }, maxHeldPages: 2048 },
  expect: 'pass',
});
