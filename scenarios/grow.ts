import { defineScenario } from '../src/index.ts';

export default defineScenario({
  description:
    'Memory that comes and goes: byte-cas starts with its last block offline; a third of the way in, thread 0 brings it online while the others allocate, and at two thirds tries to take it offline again (only a wholly free block goes).',
  allocators: ['byte-cas'],
  memory: '496MiB',
  threads: [2, 4, 8],
  ops: 300_000,
  seed: 'grow-1',
  workload: { allocShare: 0.5, runs: 1, maxHeldPages: 256 },
  memoryChanges: { offlineAtStart: 31744, removeWhileRunning: true },
  expect: 'pass',
});
