import { defineScenario } from '../../src/index.ts';

export default defineScenario({
  description:
    'byte-cas whose large-page claim returns a run it gave back: threads mix single pages with 64-page runs in a nearly busy block, so a 64-page claim often loses a byte midway, undoes, and hands the run out anyway.',
  allocators: ['byte-cas/partial-claim'],
  memory: 2048,
  threads: [8],
  ops: 100_000,
  seed: 'partial-claim-1',
  workload: { allocShare: 0.5, runs: { sizes: [1, 64], weights: [9, 1] }, maxHeldPages: 128 },
  // Controlled runs: room for a 64-page run beside a few single pages, so claims overlap.
  explore: { threads: 2, ops: 12, memory: 256, maxHeldPages: 96 },
  expect: ['double-allocation'],
});
