import { defineScenario } from '../../src/index.ts';

export default defineScenario({
  description:
    'The negative control: stack-bitmap without the global lock it is designed for. Two threads take the lowest clear bit of the same head entry with plain reads and writes, and both get the page.',
  allocators: ['stack-bitmap'],
  lock: false,
  memory: 1024,
  threads: [8],
  ops: 100_000,
  seed: 'stack-no-lock-1',
  workload: { allocShare: 0.5, runs: 1, maxHeldPages: 64 },
  // Under controlled scheduling the racing threads often break the stack's shape first: the audit says
  // so, or, where memory is tight enough that both threads work on one entry, a link gets so broken
  // that alloc reads outside the entries and throws.
  explore: { expect: ['double-allocation', 'audit', 'crash'] },
  // On real threads too a race can break a link before any page is handed out twice (a fresh clone's
  // CI run saw only that crash once): either is the missing lock.
  expect: ['double-allocation', 'crash'],
});
