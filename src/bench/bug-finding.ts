/**
 * Bug-finding power: how many schedules each strategy needs to find a known bug. Each subject (a
 * scenario with the allocator it runs) is explored under each strategy from several seeds, with
 * shrinking off; a seed that finds nothing within the budget counts as "more than the budget". The
 * median over the seeds says how fast a strategy usually is, the worst how bad its bad luck gets.
 *
 * The subject is a scenario and an allocator, whatever they are: a user's allocator module with a
 * built-in scenario is a subject as much as a known-bug scenario is.
 */
import type { Engine } from '../controlled/engine.ts';
import { meetsExpectation } from '../check/grade.ts';
import type { LoadedAllocator } from '../alloc/load-allocator.ts';
import { type RunSize, explore } from '../controlled/explore.ts';
import type { StrategyName } from '../controlled/strategies/index.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { ProgramInfo } from '../subjects/program/check-program.ts';
import { exploreProgram } from '../subjects/program/explore-program.ts';

/** A subject of the benchmark: a scenario with an allocator, or a program (whose failures are all bugs). */
export type BenchSubject = BugSubject | ProgramBugSubject;

export interface ProgramBugSubject {
  kind: 'program';
  /** As commands name it (`examples/sctbench/aget-bug2.ts`). */
  scenarioName: string;
  file: string;
  info: ProgramInfo;
  /** For the table's "on" column. */
  allocator: { name: string };
}

export interface BugSubject {
  kind?: 'allocator';
  /** The scenario as commands name it (`known-bugs/racy-rmw`). */
  scenarioName: string;
  scenarioFile: string;
  scenario: Scenario;
  allocator: LoadedAllocator;
  size: RunSize;
}

export interface BugFindingOptions {
  subjects: readonly BenchSubject[];
  strategies: readonly StrategyName[];
  /** Each one seeds one exploration per subject and strategy. */
  seeds: readonly string[];
  /** Schedules one exploration may run before it counts as not finding the bug. */
  budget: number;
  /** Wall time one exploration may take; past it, it counts as not finding the bug either. */
  timeBudgetMs: number;
  depth: number;
  stepBudget: number;
  /** Which engine runs the subjects (default: the default engine). */
  engine?: Engine;
  /** Called after each exploration, for a progress line. */
  onRun?: (run: SeedRun, subject: BenchSubject, strategy: StrategyName) => void;
}

/** One exploration: one subject, one strategy, one seed. */
export interface SeedRun {
  seed: string;
  /** Schedules up to and including the first that failed; undefined: none failed within the budget. */
  schedulesToBug?: number;
  /** The kind of violation found, and whether the scenario expects it. */
  kind?: string;
  expectedKind?: boolean;
  schedules: number;
  steps: number;
  seconds: number;
  /**
   * Steps and seconds after the first schedule. The first includes starting the workers (loading tsx
   * and the allocator module), which is no part of how fast a strategy explores.
   */
  steadySteps: number;
  steadySeconds: number;
}

export interface BugFindingCell {
  scenario: string;
  allocator: string;
  strategy: StrategyName;
  budget: number;
  runs: SeedRun[];
  /** Seeds that found a violation within the budget. */
  found: number;
  /** Schedules to the first bug over the seeds: null means more than the budget. */
  median: number | null;
  worst: number | null;
  /** Steps per second after each run's first schedule, over all seeds; null if none ran a second. */
  stepsPerSecond: number | null;
}

export async function benchBugFinding(options: BugFindingOptions): Promise<BugFindingCell[]> {
  const cells: BugFindingCell[] = [];
  for (const subject of options.subjects) {
    for (const strategy of options.strategies) {
      const runs: SeedRun[] = [];
      for (const seed of options.seeds) {
        const run = subject.kind === 'program' ? await exploreProgramOnce(subject, strategy, seed, options) : await exploreOnce(subject, strategy, seed, options);
        runs.push(run);
        options.onRun?.(run, subject, strategy);
      }
      cells.push(summarize(subject, strategy, options.budget, runs));
    }
  }
  return cells;
}

/**
 * Steps/s after each run's first schedule: the first pays for the workers' start (tsx, the module
 * graph), which is not exploring. `onProgress` goes to the exploration; `seedRun` reads its totals.
 */
function steadyRate() {
  let first = { steps: 0, elapsedMs: 0 };
  let last = { schedules: 0, steps: 0, elapsedMs: 0 };
  return {
    onProgress: (p: { schedules: number; steps: number; elapsedMs: number }) => {
      if (p.schedules === 1) first = { steps: p.steps, elapsedMs: p.elapsedMs };
      last = p;
    },
    seedRun(seed: string, result: { schedules: number; steps: number; seconds: number }, found: Pick<SeedRun, 'schedulesToBug' | 'kind' | 'expectedKind'> | undefined): SeedRun {
      const steady = last.schedules > 1 ? { steps: last.steps - first.steps, seconds: (last.elapsedMs - first.elapsedMs) / 1000 } : { steps: 0, seconds: 0 };
      return { seed, ...found, schedules: result.schedules, steps: result.steps, seconds: result.seconds, steadySteps: steady.steps, steadySeconds: steady.seconds };
    },
  };
}

async function exploreOnce(subject: BugSubject, strategy: StrategyName, seed: string, options: BugFindingOptions): Promise<SeedRun> {
  const rate = steadyRate();
  const result = await explore({
    scenario: subject.scenario,
    scenarioFile: subject.scenarioFile,
    allocator: subject.allocator,
    size: subject.size,
    strategy,
    depth: options.depth,
    runs: options.budget,
    timeBudgetMs: options.timeBudgetMs,
    seed,
    shard: { index: 1, count: 1 },
    stepBudget: options.stepBudget,
    checkDeterminism: false,
    shrink: false,
    onProgress: rate.onProgress,
    ...(options.engine ? { engine: options.engine } : {}),
  });
  const finding = result.finding;
  const expected = subject.scenario.explore.expect;
  return rate.seedRun(seed, result, finding && { schedulesToBug: finding.schedule + 1, kind: finding.violation.kind, expectedKind: meetsExpectation(expected, [finding.violation]) });
}

async function exploreProgramOnce(subject: ProgramBugSubject, strategy: StrategyName, seed: string, options: BugFindingOptions): Promise<SeedRun> {
  const rate = steadyRate();
  const result = await exploreProgram({
    file: subject.file,
    info: subject.info,
    strategy,
    depth: options.depth,
    runs: options.budget,
    timeBudgetMs: options.timeBudgetMs,
    seed,
    stepBudget: options.stepBudget,
    shrink: false,
    onProgress: rate.onProgress,
    ...(options.engine ? { engine: options.engine } : {}),
  });
  const finding = result.finding;
  // Every failure of a program is its bug: a program declares no expected kinds.
  return rate.seedRun(seed, result, finding && { schedulesToBug: finding.schedule + 1, kind: finding.violation.kind, expectedKind: true });
}

/** The median of schedules to the first bug, a run without one counting as Infinity (more than any). */
export function medianSchedules(runs: readonly SeedRun[]): number {
  const counts = runs.map((r) => r.schedulesToBug ?? Infinity).sort((a, b) => a - b);
  const mid = counts.length >> 1;
  if (counts.length === 0) return Infinity;
  return counts.length % 2 === 1 ? counts[mid]! : (counts[mid - 1]! + counts[mid]!) / 2;
}

/** The median and the worst over the seeds, a seed without a bug counting as more than any number. */
export function summarize(subject: Pick<BenchSubject, 'scenarioName' | 'allocator'>, strategy: StrategyName, budget: number, runs: SeedRun[]): BugFindingCell {
  const median = medianSchedules(runs);
  const worst = runs.length === 0 ? Infinity : Math.max(...runs.map((r) => r.schedulesToBug ?? Infinity));
  const steadySteps = runs.reduce((sum, r) => sum + r.steadySteps, 0);
  const steadySeconds = runs.reduce((sum, r) => sum + r.steadySeconds, 0);
  return {
    scenario: subject.scenarioName,
    allocator: subject.allocator.name,
    strategy,
    budget,
    runs,
    found: runs.filter((r) => r.schedulesToBug !== undefined).length,
    median: Number.isFinite(median) ? median : null,
    worst: Number.isFinite(worst) ? worst : null,
    stepsPerSecond: steadySeconds > 0 ? steadySteps / steadySeconds : null,
  };
}
