import { describe, expect, it } from 'vitest';
import { builtins } from '../alloc/registry.ts';
import { validateScenario } from '../scenario/load.ts';
import { UserHost } from '../harness/user-host.ts';
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
    // One pool and one user host for all seeds: these runs check correctness, not speed, so warm
    // workers are fine (a host started per run was most of this test's time).
    const pool = new StressPool(threads);
    const host = await UserHost.start({ builtin: name }, name, { timeoutMs: 5000, workers: threads + 1 });
    const found: string[] = [];
    let ops = 0;
    try {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const scenario = scenarioFor(definition.maxRun, `correct-${seed}`);
        const run = await runStress({ scenario, definition, allocator: { builtin: name }, threads, checks: true, lock: true, pool, host, reproduce: () => '' });
        found.push(...run.violations.map((v) => `seed ${seed}: ${v.kind}: ${v.message}`));
        ops += run.totalOps;
      }
    } finally {
      await pool.destroy();
      await host.close();
    }
    expect(found).toEqual([]);
    // The runs did real work: fill, churn and drain on every thread, every seed.
    expect(ops).toBeGreaterThanOrEqual(SEEDS * threads * 3000);
  });
});

describe('memory that comes and goes while threads run', () => {
  it('byte-cas adds its offline block and takes it offline again under churn, with no violation', async () => {
    const definition = builtins.find((d) => d.name === 'byte-cas')!;
    const scenario = validateScenario(
      {
        description: 'grow and shrink',
        memory: 4 * 31744,
        threads: 2,
        ops: 30_000,
        seed: 'grow-test',
        workload: { maxHeldPages: 256 },
        memoryChanges: { offlineAtStart: 31744, removeWhileRunning: true },
        expect: 'pass',
      },
      'grow-test.ts',
    );
    const pool = new StressPool(2);
    try {
      const run = await runStress({ scenario, definition, allocator: { builtin: 'byte-cas' }, threads: 2, checks: true, lock: true, pool, reproduce: () => '' });
      expect(run.violations).toEqual([]);
      // Thread 0 brought the block online a third of the way in; taking it back needs it wholly free.
      expect(run.counters.memoryChanges).toBeGreaterThanOrEqual(1);
    } finally {
      await pool.destroy();
    }
  });
});
