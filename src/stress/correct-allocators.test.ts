import { describe, expect, it } from 'vitest';
import { builtins } from '../alloc/registry.ts';
import { validateScenario } from '../scenario/load.ts';
import { StressPool } from './pool.ts';
import { runStress } from './run.ts';

const SEEDS = 20;

/** A small, busy workload: cross-thread frees, and runs of several sizes where the allocator has them. */
function scenarioFor(maxRun: number, seed: string) {
  return validateScenario(
    {
      description: 'correct allocators never cry wolf',
      memory: 1024,
      threads: 1,
      ops: 3000,
      seed,
      workload: { runs: maxRun > 1 ? { sizes: [1, 2, 4, 8] } : 1, maxHeldPages: 64, crossThreadFrees: 0.2 },
      expect: 'pass',
    },
    'correct-allocators.ts',
  );
}

describe.each([1, 2, 4])('correct allocators at %i threads', (threads) => {
  it.each(builtins.map((d) => d.name))(`%s passes ${SEEDS} seeds with no violation`, async (name) => {
    const definition = builtins.find((d) => d.name === name)!;
    // One pool for all seeds: these runs check correctness, not speed, so a warm worker is fine.
    const pool = new StressPool(threads);
    const found: string[] = [];
    let ops = 0;
    try {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const scenario = scenarioFor(definition.maxRun, `correct-${seed}`);
        const run = await runStress({ scenario, definition, allocator: { builtin: name }, threads, checks: true, lock: true, pool, reproduce: () => '' });
        found.push(...run.violations.map((v) => `seed ${seed}: ${v.kind}: ${v.message}`));
        ops += run.totalOps;
      }
    } finally {
      await pool.destroy();
    }
    expect(found).toEqual([]);
    // The runs did real work: fill, churn and drain on every thread, every seed.
    expect(ops).toBeGreaterThanOrEqual(SEEDS * threads * 3000);
  });
});
