/**
 * A sweep: one scenario over several allocators and thread counts, each run checked and measured, the
 * result file rewritten (atomically) after every run so that an interrupted sweep keeps what it got.
 *
 * invariant: the file on disk says `complete: false` until the sweep has ended, so a sweep killed with
 * kill -9 (which no handler sees) leaves a file that says it is partial, not one that says "pass".
 */
import type { LoadedAllocator } from '../alloc/load-allocator.ts';
import { UsageError } from '../io/usage-error.ts';
import { commandLine } from '../io/shell-quote.ts';
import { shownPath } from '../io/user-cwd.ts';
import { createExclusive, resultFileBase, resultsDir, writeJsonAtomic } from '../report/result-file.ts';
import { type SweepHead, thisMachine } from '../report/sweep-head.ts';
import type { Scenario } from '../scenario/schema.ts';
import { exploreCommand, exploreConfigOf } from './explore-config.ts';
import { StressPool } from './pool.ts';
import { RESULT_VERSION, type RunResult, type RunVerdict, type SweepRun, runVerdict, sweepVerdict } from './result.ts';
import { UserCodeFailure, UserHost } from '../harness/user-host.ts';
import { computeLayout } from '../subjects/allocator/layout.ts';
import { type RunOptions, runStress } from './run.ts';
import { offlineRange } from '../subjects/allocator/run-setup.ts';

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
  onRunEnd?: (run: SweepRun) => void;
}

export interface SweepResult extends SweepHead<RunVerdict> {
  kind: 'pagerace-stress';
  /** 2 added `complete`, the `unchecked` and `interrupted` verdicts and each run's `verdict`. */
  version: typeof RESULT_VERSION;
  scenario: string;
  /** The scenario file, as commands name it (what `npm run explore -- --from` explores). */
  scenarioFile: string;
  description: string;
  seed: string;
  settings: Scenario;
  runs: SweepRun[];
}

/**
 * Refuses, before anything runs, a scenario that changes memory while threads run on an allocator that
 * cannot: found by preparing a one-thread run's buffer in a user host (the allocator's code never runs
 * on the main thread), not halfway through the sweep. A crash or hang of that code is left for the
 * first run to report, with its seed and its result file.
 */
export async function checkMemoryChanges(scenario: Scenario, allocators: SweepOptions['allocators']): Promise<void> {
  if (!scenario.memoryChanges) return;
  for (const { name, ref, definition } of allocators) {
    const range = offlineRange(scenario, definition, name);
    const host = await UserHost.start(ref, name, { timeoutMs: scenario.watchdogMs });
    try {
      const layout = computeLayout(1, scenario.pages, ((await host.sharedBytes(scenario.pages)) + 7) & ~7);
      await host.bind(new SharedArrayBuffer(layout.totalBytes), layout);
      await host.prepare(1, scenario.name, range);
    } catch (error) {
      if (!(error instanceof UserCodeFailure)) throw error;
    } finally {
      await host.close();
    }
  }
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
  await checkMemoryChanges(scenario, options.allocators);
  const startedAt = new Date();
  const result: SweepResult = {
    kind: 'pagerace-stress',
    version: RESULT_VERSION,
    scenario: scenario.name,
    scenarioFile: options.scenarioFile,
    description: scenario.description,
    seed: scenario.seed,
    verdict: 'pass',
    interrupted: false,
    complete: false,
    plannedRuns: options.allocators.length * options.threads.length,
    resultFile: '',
    startedAt: startedAt.toISOString(),
    machine: thisMachine(),
    settings: scenario,
    runs: [],
  };
  // Created before the first run, exclusively: a folder that cannot be written is found now, and a
  // sweep started in the same millisecond as another gets a name of its own.
  const text = (data: SweepResult) => `${JSON.stringify(data, null, 2)}\n`;
  const file = createExclusive(options.outDir ?? resultsDir, resultFileBase('stress', scenario.name, startedAt), '.json', text(result));
  result.resultFile = shownPath(file);
  writeJsonAtomic(file, result);
  const reproduce = (allocator: string, threads: number) =>
    commandLine('npm run stress --', [options.scenarioFile, '--allocator', allocator, '--threads', String(threads), '--seed', scenario.seed, ...options.extraFlags]);

  sweep: for (const threads of options.threads) {
    for (const { ref, definition, name } of options.allocators) {
      if (options.signal?.aborted) {
        result.interrupted = true;
        break sweep;
      }
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
      const done: SweepRun = { ...run, verdict: runVerdict(run) };
      result.runs.push(done);
      if (run.stopped === 'interrupted') result.interrupted = true;
      result.verdict = verdictOf(result);
      writeJsonAtomic(file, result);
      options.onRunEnd?.(done);
      if (result.interrupted) break sweep;
    }
  }
  result.verdict = verdictOf(result);
  result.complete = true;
  writeJsonAtomic(file, result);
  return result;
}

function verdictOf(result: SweepResult): RunVerdict {
  const verdict = sweepVerdict(result.runs.map((run) => run.verdict));
  return result.interrupted && verdict !== 'fail' ? 'interrupted' : verdict;
}
