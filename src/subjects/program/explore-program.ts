/**
 * Exploring a program under controlled scheduling: schedule after schedule from the strategy (the
 * portfolio by default), until one fails (a failed assertion, a check problem, a deadlock, a livelock,
 * a hang or a crash) or the budget is spent. A program's size is its own (its threads, its code), so
 * what shrinking can take away is preemptions. The finding comes with its trace and a replay token.
 */
import { type Engine, engineOf } from '../../controlled/engine.ts';
import { createHash } from 'node:crypto';
import { ControlledWorkers } from '../../controlled/controlled-workers.ts';
import { Coordinator, type ScheduleResult } from '../../controlled/coordinator.ts';
import { type ScheduleFinding, replayCommand, schedulerFor } from '../../controlled/explore.ts';
import { DEFAULT_POINTS, type PointsMode } from '../../controlled/plain-access-mode.ts';
import { shrinkPreemptions } from '../../controlled/shrink.ts';
import { type ScheduleSummary, type StrategyName, strategyInfo, summarizeSchedule } from '../../controlled/strategies/index.ts';
import { encodeToken, PROGRAM_ALLOCATOR } from '../../controlled/token.ts';
import { tokenPath } from '../../controlled/token-files.ts';
import { formatTrace } from '../../controlled/trace.ts';
import { resultsDir } from '../../report/result-file.ts';
import { MIN_PAGES } from '../../scenario/schema.ts';
import type { ProgramInfo } from './check-program.ts';

/** How long one step of a program may run before its thread counts as hung. */
export const PROGRAM_WATCHDOG_MS = 5000;
/** Preemption shrinking's own budget. */
const SHRINK_BUDGET_MS = 15_000;
/** PCT's k before any schedule has run. */
const INITIAL_STEPS_GUESS = 200;

export interface ProgramExploreOptions {
  /** Absolute path of the module. */
  file: string;
  info: ProgramInfo;
  strategy: StrategyName;
  depth: number;
  runs: number;
  timeBudgetMs: number;
  seed: string;
  points?: PointsMode;
  /** How the threads run (`--engine`); default: coroutines (engine.ts). */
  engine?: Engine;
  /** Steps a schedule may take before it counts as a livelock (default: the coordinator's cap). */
  stepBudget?: number;
  shrink: boolean;
  /** Where a token too long for a command line is written; default `results/`. */
  tokenDir?: string;
  onProgress?: (progress: { schedules: number; steps: number; elapsedMs: number }) => void;
}

/** A program's size is its own: its finding is a schedule and no more. */
export type ProgramFinding = ScheduleFinding;

export interface ProgramExploreResult {
  program: string;
  strategy: StrategyName;
  seed: string;
  threads: number;
  schedules: number;
  steps: number;
  seconds: number;
  stepsPerSecond: number;
  /** Whether every schedule ran to its end with no problem (and at least one ran). */
  ok: boolean;
  finding?: ProgramFinding;
}

/** What a program's token records of it, so a replay can tell that the program changed. */
export function programSettings(info: ProgramInfo): string {
  return createHash('sha256').update(JSON.stringify([info.name, info.threads, info.sharedBytes, info.scratchBytes])).digest('hex').slice(0, 12);
}

export function programCoordinator(file: string, info: ProgramInfo, options: { points?: PointsMode; stepBudget?: number; engine?: Engine }, workers?: ControlledWorkers): Coordinator {
  return new Coordinator(
    {
      kind: 'program',
      program: { module: file, name: info.name, sharedBytes: info.sharedBytes, scratchBytes: info.scratchBytes },
      threads: info.threads,
      watchdogMs: PROGRAM_WATCHDOG_MS,
      ...(options.points ? { points: options.points } : {}),
      ...(options.stepBudget !== undefined ? { stepBudget: options.stepBudget } : {}),
      ...(options.engine ? { engine: options.engine } : {}),
    },
    workers,
  );
}

export async function exploreProgram(options: ProgramExploreOptions): Promise<ProgramExploreResult> {
  const { info } = options;
  const started = performance.now();
  const points = options.points ?? DEFAULT_POINTS;
  const workers = new ControlledWorkers(undefined, points, PROGRAM_WATCHDOG_MS, info.threads, engineOf(options));
  const coordinator = programCoordinator(options.file, info, options, workers);
  let schedules = 0;
  let steps = 0;
  let maxSteps = 0;
  let previous: ScheduleSummary | undefined;
  let failed: { result: ScheduleResult; index: number } | undefined;
  const learns = strategyInfo(options.strategy).learns === true;
  try {
    for (let index = 0; index < options.runs && performance.now() - started <= options.timeBudgetMs; index++) {
      const scheduler = schedulerFor(options.strategy, `${options.seed}/${index}`, info.threads, options.depth, maxSteps || INITIAL_STEPS_GUESS, { index, turn: index, ...(previous ? { previous } : {}) });
      const result = await coordinator.run(scheduler);
      if (learns) previous = summarizeSchedule(result.steps, info.threads);
      schedules++;
      steps += result.steps.length;
      maxSteps = Math.max(maxSteps, result.steps.length);
      options.onProgress?.({ schedules, steps, elapsedMs: performance.now() - started });
      if (result.outcome === 'violation') {
        failed = { result, index };
        break;
      }
    }
    const finding = failed ? await describe(options, coordinator, failed.result, failed.index) : undefined;
    const seconds = (performance.now() - started) / 1000;
    return {
      program: info.name,
      strategy: options.strategy,
      seed: options.seed,
      threads: info.threads,
      schedules,
      steps,
      seconds,
      stepsPerSecond: seconds > 0 ? steps / seconds : 0,
      ok: !finding && schedules > 0,
      ...(finding ? { finding } : {}),
    };
  } finally {
    await coordinator.close();
    await workers.close();
  }
}

async function describe(options: ProgramExploreOptions, coordinator: Coordinator, found: ScheduleResult, index: number): Promise<ProgramFinding> {
  const kind = found.violations[0]!.kind;
  const final = options.shrink ? await shrinkPreemptions(coordinator, found, kind, performance.now() + SHRINK_BUDGET_MS) : found;
  const violation = final.violations.find((v) => v.kind === kind) ?? final.violations[0]!;
  const replayToken = encodeToken({
    scenario: tokenPath(options.file),
    allocator: PROGRAM_ALLOCATOR,
    subject: 'program',
    threads: options.info.threads,
    // A program has no operations, memory in pages or workload seed; the token's fields say so.
    ops: 1,
    pages: MIN_PAGES,
    maxHeldPages: 1,
    seed: '-',
    lock: false,
    points: options.points ?? DEFAULT_POINTS,
    strategy: final === found ? `${strategyInfo(options.strategy).label({ depth: options.depth, turn: index })} #${index}` : 'shrunk',
    schedule: final.schedule,
    hashes: final.hashes,
    digest: final.digest,
    kind: violation.kind,
    settings: programSettings(options.info),
  });
  return {
    violation,
    violations: final.violations,
    schedule: index,
    steps: final.steps.length,
    preemptions: final.preemptions,
    foundPreemptions: found.preemptions,
    trace: formatTrace(final.steps, { threads: options.info.threads, violationStep: final.violationStep, ops: final.ops, locations: final.locations }),
    traceDigest: final.digest,
    replayToken,
    ...replayCommand(replayToken, options.info.name, options.tokenDir ?? resultsDir),
  };
}
