import { defineScenario } from '../../src/index.ts';

export default defineScenario({
  description:
    'stack-bitmap whose free pushes an entry that is already on the stack: the stack gets a cycle, a full entry stays on top, and alloc hands out a page that is already out.',
  allocators: ['stack-bitmap/double-push'],
  memory: 1024,
  threads: [2],
  ops: 20_000,
  seed: 'double-push-1',
  workload: { allocShare: 0.5, runs: 1, maxHeldPages: 200 },
  // Under controlled scheduling the phase audit sees the stack's cycle before a page goes out twice; in
  // the tight memory of explore's sizes alloc may first take its bit from a full entry on top of the
  // stack and return no page at all (-65), which the harness reports as a crash of that alloc.
  explore: { expect: ['audit', 'double-allocation', 'crash'] },
  // The cycle keeps a full entry on top of the stack: alloc then takes a bit from a word with none
  // clear and returns no page at all (-65), a crash that ends the run; a page handed out twice may or
  // may not come first, so the crash is what every run shows.
  expect: ['crash'],
});
