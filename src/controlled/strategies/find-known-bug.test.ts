import { describe, expect, it } from 'vitest';
import { loadAllocators } from '../../alloc/load-allocator.ts';
import { loadScenario } from '../../scenario/load.ts';
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

describe('explore --strategy', () => {
  it('refuses a name the registry does not have, in one line naming those it has', async () => {
    const result = await runCli('explore.ts', ['smoke', '--strategy', 'dfs']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`explore: --strategy dfs: expected one of ${strategyNames.join(', ')}`);
  });

  it('lists the registry in its usage line', async () => {
    const result = await runCli('explore.ts', ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`--strategy ${strategyNames.join('|')}`);
  });
});
