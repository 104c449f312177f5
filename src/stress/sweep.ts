/**
 * A sweep: one scenario over several allocators and thread counts, each run checked and measured, the
 * result file rewritten (atomically) after every run so that an interrupted sweep keeps what it got.
 */
import { availableParallelism, cpus } from 'node:os';
import path from 'node:path';
import type { LoadedAllocator } from '../alloc/load-allocator.ts';
import { UsageError } from '../cli/usage-error.ts';
import { commandLine } from '../cli/shell-quote.ts';
import { resultFileName, writeJsonAtomic } from '../report/result-file.ts';
import type { Scenario } from '../scenario/schema.ts';
import { exploreCommand, exploreConfigOf } from './explore-config.ts';
import { StressPool } from './pool.ts';
import type { RunResult } from './result.ts';
import { type RunOptions, runStress } from './run.ts';

export interface SweepOptions {
  scenario: Scenario;
  /** The scenario file, as the reproduce command should name it. */
  scenarioFile: string;
  allocators: LoadedAllocator[];
  threads: number[];
  checks: boolean;
  lock: boolean;
  /** Flags given on the command line that the reproduce command must repeat (`--ops 500`). */
  extraFlags: string[];
  /** Where the result file goes; `results/` by default. */
  outDir?: string;
  signal?: AbortSignal;
  onRunStart?: (allocator: string, threads: number) => void;
  onProgress?: RunOptions['onProgress'];
  onRunEnd?: (run: RunResult) => void;
}

export interface SweepResult {
  kind: 'pagerace-stress';
  version: 1;
  scenario: string;
  /** The scenario file, as commands name it (what `npm run explore -- --from` explores). */
  scenarioFile: string;
  description: string;
  seed: string;
  verdict: 'pass' | 'fail';
  interrupted: boolean;
  resultFile: string;
  startedAt: string;
  machine: { cpus: number; cpuModel: string; node: string; platform: string };
  settings: Scenario;
  runs: RunResult[];
}

/** Refuses, before anything runs, a scenario whose runs an allocator cannot serve. */
export function checkRunsFit(scenario: Scenario, allocators: SweepOptions['allocators']): void {
  for (const { name, definition } of allocators) {
    for (const size of scenario.workload.runs.sizes) {
      if (size > definition.maxRun) {
        throw new UsageError(`scenario ${scenario.name} asks for runs of ${size} pages, but ${name} allocates at most ${definition.maxRun}`);
      }
      if (definition.runSizes === 'power-of-two' && (size & (size - 1)) !== 0) {
        throw new UsageError(`scenario ${scenario.name} asks for runs of ${size} pages, but ${name} allocates only powers of two`);
      }
    }
  }
}

export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  const { scenario } = options;
  checkRunsFit(scenario, options.allocators);
  const startedAt = new Date();
  const file = resultFileName('stress', scenario.name, startedAt, options.outDir);
  const result: SweepResult = {
    kind: 'pagerace-stress',
    version: 1,
    scenario: scenario.name,
    scenarioFile: options.scenarioFile,
    description: scenario.description,
    seed: scenario.seed,
    verdict: 'pass',
    interrupted: false,
    resultFile: path.relative(process.cwd(), file),
    startedAt: startedAt.toISOString(),
    machine: { cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, platform: process.platform },
    settings: scenario,
    runs: [],
  };
  const reproduce = (allocator: string, threads: number) =>
    commandLine('npm run stress --', [options.scenarioFile, '--allocator', allocator, '--threads', String(threads), '--seed', scenario.seed, ...options.extraFlags]);

  sweep: for (const threads of options.threads) {
    for (const { ref, definition, name } of options.allocators) {
      if (options.signal?.aborted) break sweep;
      // A fresh pool for every run: V8 compiles the stress loop in each worker for the allocator it
      // meets first, and a worker reused for a second allocator would run it polymorphic and slower,
      // which would be measured as that allocator's cost.
      const pool = new StressPool(threads);
      options.onRunStart?.(name, threads);
      let run: RunResult;
      try {
        run = await runStress({
          scenario,
          definition,
          allocator: ref,
          threads,
          checks: options.checks,
          lock: options.lock,
          pool,
          reproduce,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        });
      } finally {
        await pool.destroy();
      }
      run.explore = exploreCommand(options.scenarioFile, exploreConfigOf(scenario, run), options.scenario.lock);
      result.runs.push(run);
      if (!run.ok) result.verdict = 'fail';
      if (run.stopped === 'interrupted') result.interrupted = true;
      writeJsonAtomic(file, result);
      options.onRunEnd?.(run);
      if (result.interrupted) break sweep;
    }
  }
  if (result.interrupted) result.verdict = 'fail';
  writeJsonAtomic(file, result);
  return result;
}
