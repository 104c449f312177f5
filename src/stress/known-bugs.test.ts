
import { describe, expect, it } from 'vitest';
import { loadAllocators } from '../alloc/load-allocator.ts';
import { meetsExpectation } from '../check/grade.ts';
import { listScenarios, loadScenario } from '../scenario/load.ts';
import { runSweep } from './sweep.ts';
import { testDir } from '../testing/test-dir.ts';

const outDir = testDir('known-bugs');
const knownBugs = (await listScenarios()).filter((name) => name.startsWith('known-bugs/'));

/** The correct allocator a known-bug scenario's variant was made from. */
const parentOf = (name: string) => name.split('/')[0]!;

describe('known-bug scenarios', () => {
  it('cover every correctness variant and both locked baselines without their lock', () => {
    expect(knownBugs).toEqual(
      expect.arrayContaining(['known-bugs/racy-rmw', 'known-bugs/partial-claim', 'known-bugs/two-color', 'known-bugs/one-sided', 'known-bugs/double-push', 'known-bugs/colored-region-no-lock', 'known-bugs/stack-bitmap-no-lock']),
    );
  });

  describe.each(knownBugs)('%s', (name) => {
    it('is caught: the expected violation kinds occur', async () => {
      const { scenario, file } = await loadScenario(name);
      const result = await runSweep({ scenario, scenarioFile: file, allocators: await loadAllocators(scenario.allocators), threads: scenario.threads, checks: true, lock: scenario.lock, extraFlags: [], outDir });
      expect(scenario.expect).not.toBe('pass');
      // The one grading rule (check/grade.ts): a violation of a listed kind was seen.
      const violations = result.runs.flatMap((run) => run.violations);
      expect(meetsExpectation(scenario.expect, violations), `saw ${[...new Set(violations.map((v) => v.kind))].join(', ') || 'nothing'}`).toBe(true);
      expect(result.verdict).toBe('pass');
      // Every violation says how to reproduce it with this scenario's file and seed.
      expect(result.runs[0]!.reproduce).toContain(`--seed ${scenario.seed}`);
    });

    it('is not a false alarm: the same workload on the correct allocator, with its lock, finds nothing', async () => {
      const { scenario, file } = await loadScenario(name);
      const parents = [...new Set(scenario.allocators.map(parentOf))];
      const result = await runSweep({ scenario: { ...scenario, expect: 'pass' }, scenarioFile: file, allocators: await loadAllocators(parents), threads: scenario.threads, checks: true, lock: true, extraFlags: [], outDir });
      expect(result.runs.flatMap((run) => run.violations.map((v) => `${v.kind}: ${v.message}`))).toEqual([]);
      expect(result.verdict).toBe('pass');
    });
  });
});
