/**
 * Exploration: schedule after schedule under one strategy, stopping at the first violation, which is
 * then shrunk, traced and turned into a replay token. A passing exploration says what it covered.
 */
import { type Engine, engineOf } from './engine.ts';
import path from 'node:path';
import type { LoadedAllocator } from '../alloc/load-allocator.ts';
import { meetsExpectation } from '../check/grade.ts';
import type { Violation } from '../check/violation.ts';
import { shellQuote } from '../io/shell-quote.ts';
import { resultsDir, writeTextAtomic } from '../report/result-file.ts';
import type { Expectation, Scenario } from '../scenario/schema.ts';
import { ControlledWorkers } from './controlled-workers.ts';
import { Coordinator, type ScheduleResult } from './coordinator.ts';
import type { Scheduler } from './scheduler.ts';
import { shrink } from './shrink.ts';
import { DEFAULT_POINTS, type PointsMode } from './plain-access-mode.ts';
import { type Bound, type ScheduleSummary, type StrategyName, strategyInfo, summarizeSchedule } from './strategies/index.ts';
import { encodeToken, settingsHash } from './token.ts';
import { defaultPlaces, tokenPath } from './token-files.ts';
import { formatTrace } from './trace.ts';

/** The size of one controlled run. */
export interface RunSize {
  threads: number;
  ops: number;
  pages: number;
  maxHeldPages: number;
}

/** A size an exploration ran, and how much of it (src/controlled/sizes.ts). */
export interface CoveredSize extends RunSize {
  schedules: number;
  steps: number;
}

export interface ExploreOptions {
  /** The scenario as its file says it (the stress sizes); `size` says how big a controlled run is. */
  scenario: Scenario;
  /** The scenario file as commands and tokens name it. */
  scenarioFile: string;
  allocator: LoadedAllocator;
  size: RunSize;
  /** A name from the strategy registry (strategies/index.ts). */
  strategy: StrategyName;
  /** PCT's bug depth d (for the strategies that use one). */
  depth: number;
  /** Stop after this many schedules (this shard's share), or at the time budget, whichever first. */
  runs: number;
  timeBudgetMs: number;
  /** Seeds the strategy; schedule i uses `${seed}/${i}`. */
  seed: string;
  /** Seeds every thread's operation stream, as a stress run's `--seed` does; default the scenario's. */
  workloadSeed?: string;
  /** 1-based shard index and shard count: this shard runs schedules index-1, index-1+count, ... */
  shard: { index: number; count: number };
  /** Steps a schedule may take in all (default: scaled by the run's size; see ControlledConfig). */
  stepBudget?: number;
  /** Steps with no operation completed that make a livelock (`--steps`; default: scaled by size). */
  progressWindow?: number;
  /** false: run a global-lock allocator without its lock (`--no-lock`); default: the scenario's. */
  lock?: boolean;
  /** Which accesses are scheduling points (`--points`); default: all. */
  points?: PointsMode;
  /** How the logical threads run (`--engine`); default: coroutines (engine.ts). */
  engine?: Engine;
  checkDeterminism: boolean;
  shrink: boolean;
  /** Where a token too long for a command line is written; default `results/`. */
  tokenDir?: string;
  onProgress?: (progress: { schedules: number; steps: number; elapsedMs: number }) => void;
  /** Workers kept across an exploration's sizes and its shrinking (controlled-workers.ts); default: its own. */
  workers?: ControlledWorkers;
}

/** A violation an exploration found, whatever its subject: shrunk, traced, and how to replay it. */
export interface ScheduleFinding {
  violation: Violation;
  violations: Violation[];
  /** The schedule (from 0) that failed first. */
  schedule: number;
  steps: number;
  preemptions: number;
  foundPreemptions: number;
  trace: string;
  traceDigest: string;
  replayToken: string;
  /** The file the token was written to, when it is too long to paste (see {@link INLINE_TOKEN_CHARS}). */
  replayFile?: string;
  replayCommand: string;
}

/** An allocator's finding: a schedule of a run whose size shrinking may have made smaller. */
export interface Finding extends ScheduleFinding {
  /** The run that failed, after shrinking. */
  size: RunSize;
  /** The run that first failed, before shrinking. */
  foundSize: RunSize;
}

/**
 * Tokens longer than this go to a file and the command names the file: a real livelock's token is
 * about 290,000 characters, past what one command-line argument may be (128 KiB on Linux), and no
 * one pastes even a tenth of that by hand.
 */
export const INLINE_TOKEN_CHARS = 4000;

export interface ExploreResult {
  scenario: string;
  allocator: string;
  strategy: string;
  depth?: number;
  seed: string;
  shard: string;
  size: RunSize;
  schedules: number;
  steps: number;
  seconds: number;
  stepsPerSecond: number;
  expected: Expectation;
  /** Whether the exploration showed what the scenario expects. */
  ok: boolean;
  finding?: Finding;
  /** Two runs of one schedule gave different traces: something outside the seed steers the run. */
  nondeterminism?: { schedule: number; step: number; first: string; second: string };
  /** For a strategy with a guarantee (PCT, and a portfolio with PCT in it): the chance it had at `size`. */
  bound?: Bound;
  /** The sizes explored, smallest first, each with its schedules (the last one is `size`). */
  covered?: CoveredSize[];
}

/** The scenario cut to a controlled run's size: one thread count, a few ops, little memory. */
export function sizedScenario(scenario: Scenario, size: RunSize): Scenario {
  const { durationMs: _, ...rest } = scenario;
  const sized: Scenario = { ...rest, threads: [size.threads], ops: size.ops, pages: size.pages, workload: { ...scenario.workload, maxHeldPages: size.maxHeldPages } };
  // Memory that goes offline needs whole blocks; a run too small for that keeps its memory still.
  if (sized.memoryChanges && sized.memoryChanges.offlineAtStart >= size.pages) delete sized.memoryChanges;
  return sized;
}

export function coordinatorFor(options: Pick<ExploreOptions, 'scenario' | 'allocator' | 'stepBudget' | 'progressWindow' | 'lock' | 'workloadSeed' | 'points' | 'workers' | 'engine'>, size: RunSize): Coordinator {
  const seed = options.workloadSeed ?? options.scenario.seed;
  const scenario = sizedScenario({ ...options.scenario, seed }, size);
  return new Coordinator({
    scenario,
    definition: options.allocator.definition,
    allocator: options.allocator.ref,
    threads: size.threads,
    lock: options.lock ?? scenario.lock,
    ...(options.stepBudget !== undefined ? { stepBudget: options.stepBudget } : {}),
    ...(options.progressWindow !== undefined ? { progressWindow: options.progressWindow } : {}),
    watchdogMs: scenario.watchdogMs,
    ...(options.points ? { points: options.points } : {}),
    ...(options.engine ? { engine: options.engine } : {}),
  }, options.workers);
}

/**
 * The scheduler of one schedule. `more.index` is its index in the exploration, `more.turn` its turn in
 * a portfolio's rotation (`turnOf`), `more.previous` what the schedule before it did (SURW learns).
 */
export function schedulerFor(strategy: StrategyName, seed: string, threads: number, depth: number, maxSteps: number, more: { index?: number; turn?: number; previous?: ScheduleSummary } = {}): Scheduler {
  return strategyInfo(strategy).create({ seed, threads, depth, maxSteps, ...more });
}

/** Schedule `index`'s turn in a portfolio's rotation: its place in its shard, plus the shard's number. */
export function turnOf(index: number, shard: { index: number; count: number }): number {
  return (index - (shard.index - 1)) / shard.count + shard.index - 1;
}

/** PCT's k before any schedule has run: a guess that the first runs replace with what they measure. */
const INITIAL_STEPS_GUESS = 1000;

export async function explore(given: ExploreOptions): Promise<ExploreResult> {
  // Shrinking runs other sizes on the same workers; a caller that explores several sizes lends its own.
  const workers = given.workers ?? new ControlledWorkers(given.allocator.ref, given.points ?? DEFAULT_POINTS, given.scenario.watchdogMs, given.size.threads, engineOf(given));
  try {
    return await exploreOn({ ...given, workers });
  } finally {
    if (!given.workers) await workers.close();
  }
}

async function exploreOn(options: ExploreOptions): Promise<ExploreResult> {
  const { size, shard } = options;
  const started = performance.now();
  const coordinator = coordinatorFor(options, size);
  let schedules = 0;
  let steps = 0;
  let maxSteps = 0;
  let failed: { result: ScheduleResult; index: number } | undefined;
  let nondeterminism: ExploreResult['nondeterminism'];
  let previous: ScheduleSummary | undefined;
  const learns = strategyInfo(options.strategy).learns === true;
  try {
    for (let j = 0; j < options.runs; j++) {
      if (performance.now() - started > options.timeBudgetMs) break;
      const index = shard.index - 1 + j * shard.count;
      // What the strategy is made from is fixed here: a determinism check's second run must get the
      // same, though maxSteps and previous change after the first.
      const learnt = previous;
      const k = maxSteps || INITIAL_STEPS_GUESS;
      const make = () => schedulerFor(options.strategy, `${options.seed}/${index}`, size.threads, options.depth, k, { index, turn: turnOf(index, shard), ...(learnt ? { previous: learnt } : {}) });
      const result = await coordinator.run(make());
      if (learns) previous = summarizeSchedule(result.steps, size.threads);
      schedules++;
      steps += result.steps.length;
      maxSteps = Math.max(maxSteps, result.steps.length);
      options.onProgress?.({ schedules, steps, elapsedMs: performance.now() - started });
      if (options.checkDeterminism) {
        const again = await coordinator.run(make());
        if (again.digest !== result.digest) {
          nondeterminism = firstDifference(index, result, again);
          break;
        }
      }
      if (result.outcome === 'violation') {
        failed = { result, index };
        break;
      }
    }
  } finally {
    await coordinator.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const expected = options.scenario.explore.expect;
  const info = strategyInfo(options.strategy);
  const base = {
    scenario: options.scenario.name,
    allocator: options.allocator.name,
    strategy: options.strategy,
    ...(info.usesDepth ? { depth: options.depth } : {}),
    seed: options.seed,
    shard: `${shard.index}/${shard.count}`,
    size,
    schedules,
    steps,
    seconds,
    stepsPerSecond: seconds > 0 ? steps / seconds : 0,
    expected,
  };
  if (nondeterminism) return { ...base, ok: false, nondeterminism };
  if (!failed) {
    const bound = info.bound?.({ threads: size.threads, depth: options.depth, maxSteps, schedules, shard });
    // Zero schedules is no pass: nothing was explored (a time budget that ran out before the first).
    return { ...base, ok: expected === 'pass' && schedules > 0, ...(bound ? { bound } : {}) };
  }
  const finding = await describeFinding(options, failed.result, failed.index);
  const ok = meetsExpectation(expected, [finding.violation]);
  return { ...base, ok, finding };
}

async function describeFinding(options: ExploreOptions, result: ScheduleResult, index: number): Promise<Finding> {
  const shrunk = options.shrink ? await shrink(options, { size: options.size, result }) : { size: options.size, result };
  const final = shrunk.result;
  const violation = pickViolation(final.violations, options.scenario.explore.expect);
  const scenario = sizedScenario(options.scenario, shrunk.size);
  const replayToken = encodeToken({
    // Relative to the project root (absolute outside it): replay resolves them the same way, from any folder.
    scenario: tokenPath(options.scenarioFile),
    allocator: 'builtin' in options.allocator.ref ? options.allocator.ref.builtin : tokenPath(options.allocator.ref.module),
    threads: shrunk.size.threads,
    ops: shrunk.size.ops,
    pages: shrunk.size.pages,
    maxHeldPages: shrunk.size.maxHeldPages,
    seed: options.workloadSeed ?? scenario.seed,
    lock: options.lock ?? scenario.lock,
    points: options.points ?? DEFAULT_POINTS,
    strategy: shrunk.result === result ? `${strategyInfo(options.strategy).label({ depth: options.depth, turn: turnOf(index, options.shard) })} #${index}` : 'shrunk',
    schedule: final.schedule,
    hashes: final.hashes,
    digest: final.digest,
    kind: violation.kind,
    settings: settingsHash(options.scenario),
  });
  return {
    violation,
    violations: final.violations,
    size: shrunk.size,
    foundSize: options.size,
    schedule: index,
    steps: final.steps.length,
    preemptions: final.preemptions,
    foundPreemptions: result.preemptions,
    trace: formatTrace(final.steps, { threads: shrunk.size.threads, violationStep: final.violationStep, ops: final.ops, locations: final.locations }),
    traceDigest: final.digest,
    replayToken,
    ...replayCommand(replayToken, options.scenario.name, options.tokenDir ?? resultsDir),
  };
}

/** The command that replays a token: the token itself when short, else a file that holds it, written whole or not at all. */
export function replayCommand(token: string, scenario: string, dir: string): Pick<Finding, 'replayFile' | 'replayCommand'> {
  if (token.length <= INLINE_TOKEN_CHARS) return { replayCommand: `npm run replay -- ${token}` };
  // Named by the token's own checksum: the same finding writes the same file, two findings never one.
  const file = path.join(dir, `replay-${scenario.replace(/[^\w.-]+/g, '_')}-${token.slice(-8)}.token`);
  try {
    writeTextAtomic(file, `${token}\n`);
  } catch {
    // The finding matters more than the file: the command then carries the token itself (and --json has it too).
    return { replayCommand: `npm run replay -- ${token}` };
  }
  // Relative to the folder the user typed the command in, where replay resolves it.
  const folder = defaultPlaces().currentFolder;
  const relative = path.relative(folder, file);
  const shown = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
  return { replayFile: file, replayCommand: `npm run replay -- ${shellQuote(shown)}` };
}

/** The violation to report: the first of an expected kind if there is one, else the first. */
export function pickViolation(violations: Violation[], expected: Expectation): Violation {
  return (expected !== 'pass' && violations.find((v) => expected.includes(v.kind))) || violations[0]!;
}

function firstDifference(schedule: number, a: ScheduleResult, b: ScheduleResult): NonNullable<ExploreResult['nondeterminism']> {
  let step = 0;
  const key = (r: ScheduleResult, i: number) => JSON.stringify(r.steps[i] ?? 'end of run');
  while (step < Math.max(a.steps.length, b.steps.length) && key(a, step) === key(b, step)) step++;
  return { schedule, step, first: key(a, step), second: key(b, step) };
}
