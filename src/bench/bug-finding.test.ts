import { describe, expect, it } from 'vitest';
import { runCli } from '../testing/cli.ts';
import { type SeedRun, summarize } from './bug-finding.ts';
import { formatBugFindingTable } from './bug-finding-table.ts';

const run = (schedulesToBug: number | undefined, expectedKind = true): SeedRun => ({
  seed: 's',
  ...(schedulesToBug !== undefined ? { schedulesToBug, kind: expectedKind ? 'double-allocation' : 'audit', expectedKind } : {}),
  schedules: schedulesToBug ?? 100,
  steps: 1000,
  seconds: 1,
  steadySteps: 900,
  steadySeconds: 0.5,
});
const subject = { scenarioName: 'known-bugs/x', allocator: { name: 'byte-cas/x' } } as never;

describe('bug-finding summary', () => {
  it('takes the median and worst over the seeds, a seed without a bug counting as more than the budget', () => {
    const cell = summarize(subject, 'random', 100, [run(3), run(undefined), run(1), run(5), run(undefined)]);
    expect(cell.found).toBe(3);
    expect(cell.median).toBe(5);
    expect(cell.worst).toBeNull();
    expect(summarize(subject, 'pos', 100, [run(1), run(undefined), run(2)]).median).toBe(2);
    expect(summarize(subject, 'pos', 100, [run(1), run(undefined)]).median).toBeNull();
    expect(summarize(subject, 'pos', 100, [run(1), run(4)]).median).toBe(2.5);
    expect(cell.stepsPerSecond).toBe(900 / 0.5);
  });

  it('shows "> budget" and marks seeds that found an unexpected kind', () => {
    const table = formatBugFindingTable([summarize(subject, 'surw', 50, [run(2), run(undefined), run(7, false)])]);
    expect(table).toMatch(/known-bugs\/x on byte-cas\/x\s+surw\s+2\/3\*\s+7\s+> 50\s+1,800/);
    expect(table).toContain('surw: found 2/3, median 7 schedules to the first bug');
    expect(table).toContain('* some seeds found a violation of a kind the scenario does not expect');
  });
});

describe('npm run bench:explore', () => {
  it('explores a known bug with each strategy named, from each seed, and prints it as JSON', async () => {
    const result = await runCli('bench-explore.ts', ['--scenario', 'known-bugs/racy-rmw', '--strategy', 'random,surw', '--seeds', '2', '--budget', '50', '--json'], { timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.cells.map((c: { strategy: string }) => c.strategy)).toEqual(['random', 'surw']);
    for (const cell of json.cells) {
      expect(cell.runs.map((r: SeedRun) => r.seed)).toEqual(['bench-1', 'bench-2']);
      expect(cell.found).toBe(2);
      expect(cell.median).toBeGreaterThanOrEqual(1);
    }
    expect(result.stderr).toContain('[4/4]');
  });

  it('refuses bad flags in one line', async () => {
    for (const [args, message] of [
      [['--strategy', 'random,dfs'], 'bench:explore: --strategy dfs: expected one of '],
      [['--seeds', '0'], 'bench:explore: --seeds 0: expected an integer from 1 to 1000'],
      [['--scenario', 'no-such-scenario'], 'bench:explore: '],
    ] as const) {
      const result = await runCli('bench-explore.ts', [...args]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(message);
    }
  });
});
