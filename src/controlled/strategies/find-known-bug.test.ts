import { describe, expect, it } from 'vitest';
import { loadAllocators } from '../../alloc/load-allocator.ts';
import { builtins } from '../../alloc/registry.ts';
import { loadScenario, validateScenario } from '../../scenario/load.ts';
import { runCli } from '../../testing/cli.ts';
import { explore } from '../explore.ts';
import { strategyNames } from './index.ts';

describe('every strategy finds a known bug, end to end', async () => {
  const { scenario } = await loadScenario('known-bugs/racy-rmw');
  const [allocator] = await loadAllocators(scenario.allocators);
  it.each(strategyNames)('%s finds the lost read-modify-write of known-bugs/racy-rmw within 100 schedules', async (strategy) => {
    const size = { threads: scenario.explore.threads, ops: scenario.explore.ops, pages: scenario.explore.pages, maxHeldPages: scenario.explore.maxHeldPages };
    const result = await explore({
      scenario,
      scenarioFile: 'scenarios/known-bugs/racy-rmw.ts',
      allocator: allocator!,
      size,
      strategy,
      depth: 3,
      runs: 100,
      timeBudgetMs: 120_000,
      seed: scenario.seed,
      shard: { index: 1, count: 1 },
      stepBudget: 200_000,
      checkDeterminism: false,
      shrink: false,
    });
    expect(result.finding, `${strategy}: no violation in ${result.schedules} schedules`).toBeDefined();
    // A lost update shows as two owners of one page, or as a page the bitmap and counter disagree on.
    expect(['double-allocation', 'audit']).toContain(result.finding!.violation.kind);
    expect(result.strategy).toBe(strategy);
    expect(result.finding!.replayToken).toMatch(/^pagerace1\./);
  });
});

describe('strategies made from what earlier schedules measured find nothing in correct allocators, deterministically', () => {
  // PCT (the longest schedule so far) and SURW (the previous schedule's counts) are made from what
  // changes after each schedule: a determinism check's second run must still get the same scheduler.
  for (const strategy of ['pos', 'surw', 'pct'] as const) {
    it.each(['byte-cas', 'stack-bitmap'])(`%s passes 40 schedules under ${strategy}`, async (name) => {
      const definition = builtins.find((d) => d.name === name)!;
      const runs = definition.maxRun > 1 ? { sizes: [1, 2] } : 1;
      const scenario = validateScenario(
        { description: 'correct', memory: 32, threads: 2, ops: 4, seed: 'correct-1', workload: { maxHeldPages: 4, runs, crossThreadFrees: 0.25 }, explore: { threads: 2, ops: 4, memory: 32, maxHeldPages: 4 }, expect: 'pass' },
        'correct.ts',
      );
      const result = await explore({
        scenario,
        scenarioFile: 'correct.ts',
        allocator: { ref: { builtin: name }, name, definition },
        size: { threads: 2, ops: 4, pages: scenario.explore.pages, maxHeldPages: 4 },
        strategy,
        depth: 2,
        runs: 40,
        timeBudgetMs: 120_000,
        seed: 'correct',
        shard: { index: 1, count: 1 },
        stepBudget: 200_000,
        checkDeterminism: true,
        shrink: false,
      });
      expect(result.finding?.violation).toBeUndefined();
      expect(result.nondeterminism).toBeUndefined();
      expect(result.schedules).toBe(40);
    });
  }
});

describe('explore --strategy', () => {
  it('refuses a name the registry does not have, in one line naming those it has', async () => {
    const result = await runCli('explore.ts', ['smoke', '--strategy', 'dfs']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`explore: --strategy dfs: expected one of ${strategyNames.join(', ')}`);
  });

  it('refuses --depth for a strategy without one', async () => {
    const result = await runCli('explore.ts', ['smoke', '--strategy', 'pos', '--depth', '3']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('explore: --depth 3: pos has no bug depth; --depth applies to portfolio, pct');
  });

  it('lists the registry in its usage line', async () => {
    const result = await runCli('explore.ts', ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`--strategy ${strategyNames.join('|')}`);
  });
});
