import { defineScenario } from '../src/index.ts';

export default defineScenario({
  description:
    'Steady churn, the default: every thread allocates and frees single pages at random for 2 s, holding up to 256 at a time, in 1 GiB of 4 KiB pages (9 byte-cas blocks).',
  memory: '1GiB',
  threads: [1, 2, 4, 8],
  // A time, not a count: every run gets the same 2 s, long enough that JIT warm-up (tens of ms, on
  // the same 2 cores) does not decide the figure; 1,000,000 ops took 80 ms for byte-cas at 1 thread.
  duration: '2s',
  seed: 'churn-1',
  workload: { allocShare: 0.5, runs: 1, maxHeldPages: 256 },
  expect: 'pass',
});
