import { defineScenario } from '../src/index.ts';

export default defineScenario({
  description:
    'Fill, then drain: every thread takes single pages until it holds 4096, the audit checks the full state, then every thread gives all of them back and the audit checks that everything is free again.',
  memory: '256MiB',
  threads: [1, 2, 4, 8],
  seed: 'fill-drain-1',
  workload: { runs: 1, maxHeldPages: 4096, phases: ['fill', 'drain'] },
  expect: 'pass',
});
