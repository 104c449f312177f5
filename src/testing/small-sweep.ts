/**
 * A real stress sweep, small enough for a test (about a second): the charts' tests draw what actual
 * workers measured, not made-up numbers, so a change in the result format breaks them.
 */

import path from 'node:path';
import { loadAllocators } from '../alloc/load-allocator.ts';
import { validateScenario } from '../scenario/load.ts';
import { type SweepResult, runSweep } from '../stress/sweep.ts';
import { testDir } from './test-dir.ts';

export const sweepAllocators = ['byte-cas', 'colored-region', 'stack-bitmap'];
export const sweepThreads = [1, 2];

export interface SmallSweep {
  /** A fresh temporary folder holding the result file; reports can go here too. */
  dir: string;
  /** Absolute path of the result file. */
  file: string;
  result: SweepResult;
}

export async function smallSweep(allocators = sweepAllocators, threads = sweepThreads): Promise<SmallSweep> {
  const dir = testDir('report');
  const scenario = validateScenario(
    { description: 'report test', memory: 4096, threads, ops: 20_000, seed: 'report-1', workload: { runs: 1, maxHeldPages: 64 }, expect: 'pass' },
    'report-test.ts',
  );
  const result = await runSweep({ scenario, scenarioFile: 'report-test.ts', allocators: await loadAllocators(allocators), threads, checks: true, lock: true, extraFlags: [], outDir: dir });
  return { dir, file: path.resolve(result.resultFile), result };
}
