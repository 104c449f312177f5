/**
 * Which sizes an exploration runs. A size given (on the command line, by the scenario file, or by the
 * stress run an exploration starts from) is explored as it is. Without one, exploration grows the size
 * within its budget, smallest first, and stops at the first violation, which is then shrunk as usual.
 *
 * Why this schedule. The small scope hypothesis (Jackson, Software Abstractions; for concurrency, Lu
 * et al., ASPLOS 2008: 96 % of the concurrency bugs they studied manifest once an order between two
 * threads is enforced, 92 % once the order of at most four memory accesses is; Burckhardt et al.'s
 * PCT rests on the same observation about bug depth) says that the
 * smaller a size, the likelier a bug that exists at all shows there; nothing says at which size a
 * given program's bug first shows. So sizes are tried cheapest first (threads x operations: 2, 3,
 * then 4 threads, then four times the operations), and each size gets half of the budget that is
 * left, schedules and time alike: the budget is spent mostly small, where bugs most likely are. As a
 * schedule costs 1.3 to 2 times more at each next size (4 times per rung of three sizes) while the
 * schedules halve, the time a size gets falls only slowly, by about half per rung: every size up to
 * the last gets real time, and a bug that first shows at the k-th size is reached after about k
 * sizes' worth of time, within log2(budget) sizes. Nothing here is fitted to particular allocators; the memory of every size comes from the
 * scenario's pressure (src/scenario/explore-size.ts), so threads meet at every size.
 */
import { engineOf } from './engine.ts';
import { exploreSizeAt } from '../scenario/explore-size.ts';
import type { Scenario } from '../scenario/schema.ts';
import { ControlledWorkers } from './controlled-workers.ts';
import { type CoveredSize, type ExploreOptions, type ExploreResult, type RunSize, explore } from './explore.ts';
import { DEFAULT_POINTS } from './plain-access-mode.ts';

/** Thread counts of one rung of the ladder, and the operations of its first rung. */
const LADDER_THREADS = [2, 3, 4] as const;
const FIRST_OPS = 8;
/** Each rung has this many times the operations of the one before. */
const OPS_GROWTH = 4;
/** A size gets at least this many schedules; when what is left would leave the next fewer, it takes all. */
export const MIN_SCHEDULES_PER_SIZE = 4;
/** Likewise for a time budget: a size gets at least this long. */
const MIN_MS_PER_SIZE = 1000;

/** The sizes growth tries, in order, for ever: 2, 3, 4 threads x 8 ops, then x 32 ops, then 128, ... */
export function* growthLadder(scenario: Scenario): Generator<RunSize> {
  for (let ops = FIRST_OPS; ; ops *= OPS_GROWTH) {
    for (const threads of LADDER_THREADS) yield exploreSizeAt(scenario, threads, ops);
  }
}

/**
 * The size sizes given fix, or undefined when none is given and the size should grow. `given` (the
 * command line's, or a stress run's) wins over the scenario file's `explore:` sizes; sizes not given
 * are derived for the ones that are, as the ladder derives them.
 */
export function fixedSize(scenario: Scenario, given: Partial<RunSize> = {}): RunSize | undefined {
  const sizes = { ...scenario.explore.given, ...given };
  if (Object.keys(sizes).length === 0) return undefined;
  return exploreSizeAt(scenario, sizes.threads ?? scenario.explore.threads, sizes.ops ?? scenario.explore.ops, { pages: sizes.pages, maxHeldPages: sizes.maxHeldPages });
}

/** `2x8`: a size as `covered:` lists it. */
export function sizeLabel(size: RunSize): string {
  return `${size.threads}x${size.ops}`;
}

export interface SizedExploreOptions extends Omit<ExploreOptions, 'size'> {
  /** Explore exactly this size; without it, grow from the scenario's smallest size. */
  size?: RunSize;
  /**
   * With `size`: its operations are an upper bound, not a size. Explore the same threads at 8, 32,
   * 128, ... operations up to `size.ops`, and `size` itself last (`--ops-up-to`, and a stress
   * failure's command: the ops up to where stress saw the violation). See {@link opsLadder}.
   */
  opsUpTo?: boolean;
}

/**
 * The sizes of ops up to `size.ops`: the same threads at the ladder's operation counts (each
 * OPS_GROWTH times the last), then `size` exactly. The streams are seeded per thread, so a shorter
 * run is the same workload cut short; under controlled scheduling a race often shows long before the
 * op where stress happened to see it, and a schedule of fewer ops costs less.
 *
 * The rungs below `size.ops` take their memory as the growth ladder does (the scenario file's
 * `explore:` sizes, or memory from pressure, src/scenario/explore-size.ts), not `size`'s: only the
 * last rung is the stress run's own size. A stress run's memory is roomy at its thread count, and a
 * run cut short in it keeps threads apart. Measured: run-claim-undo-others, from a near-oom stress
 * failure at 2 threads (`--ops-up-to 4582 --memory 4096 --max-held 1024`: each thread holds at most a
 * quarter of memory, from hints half of it apart), spent 485 of 488 schedules at 2 x 8 to 2 x 2048 on
 * 4,096 pages, where threads never shared a word, and found it at the third schedule of 2 x 4582;
 * with the rungs below at memory from pressure (16 pages), the first schedule of 2 x 8 found it. So
 * did cas-retry-stale-value's 4 x up to 99,960 on 4,096 pages (43 pages at 4 x 8). Bugs that need the
 * stress run's own memory (a boundary of 4,096 pages) still have the last rung.
 */
export function* opsLadder(size: RunSize, scenario?: Scenario): Generator<RunSize> {
  for (let ops = FIRST_OPS; ops < size.ops; ops *= OPS_GROWTH) {
    // With threads given, fixedSize always gives a size.
    yield scenario ? fixedSize(scenario, { threads: size.threads, ops })! : { ...size, ops };
  }
  yield size;
}

/** Half of what is left, unless that would leave less than `least` for the next size: then all of it. */
function half(left: number, least: number): number {
  if (left === Infinity) return Infinity;
  const share = Math.ceil(left / 2);
  return left - share < least ? left : share;
}

/** Explores one size, or grows the size (see the top of this file); the result lists what it covered. */
export async function exploreSizes(options: SizedExploreOptions): Promise<ExploreResult> {
  if (options.workers) return exploreSizesOn(options);
  // One set of workers for every size: the largest thread count starts with the first size.
  const threads = options.size?.threads ?? Math.max(...LADDER_THREADS);
  const workers = new ControlledWorkers(options.allocator.ref, options.points ?? DEFAULT_POINTS, options.scenario.watchdogMs, threads, engineOf(options));
  try {
    return await exploreSizesOn({ ...options, workers });
  } finally {
    await workers.close();
  }
}

async function exploreSizesOn(options: SizedExploreOptions): Promise<ExploreResult> {
  const started = performance.now();
  const growing = options.size === undefined || options.opsUpTo === true;
  const sizes: Iterable<RunSize> = options.size ? (options.opsUpTo ? opsLadder(options.size, options.scenario) : [options.size]) : growthLadder(options.scenario);
  const deadline = started + options.timeBudgetMs;
  const covered: CoveredSize[] = [];
  let runsLeft = options.runs;
  let schedules = 0;
  let steps = 0;
  let last: ExploreResult | undefined;
  for (const size of sizes) {
    const timeLeft = deadline - performance.now();
    // The first size always runs, so that even a budget already spent reports what it covered (nothing).
    if (last && (runsLeft <= 0 || timeLeft <= 0)) break;
    // A size ends at its share of whichever budget runs out first; an unlimited one stays unlimited.
    const runs = growing ? half(runsLeft, MIN_SCHEDULES_PER_SIZE) : runsLeft;
    const timeBudgetMs = growing ? half(timeLeft, MIN_MS_PER_SIZE) : timeLeft;
    const before = { schedules, steps };
    const result = await explore({
      ...options,
      size,
      runs,
      timeBudgetMs,
      // Each size its own schedule seeds: a larger size starts as a smaller one did, and the same
      // random choices over the same first steps would repeat interleavings already tried.
      seed: growing ? `${options.seed}/${sizeLabel(size)}` : options.seed,
      ...(options.onProgress
        ? { onProgress: (p: { schedules: number; steps: number }) => options.onProgress!({ schedules: before.schedules + p.schedules, steps: before.steps + p.steps, elapsedMs: performance.now() - started }) }
        : {}),
    });
    covered.push({ ...size, schedules: result.schedules, steps: result.steps });
    schedules += result.schedules;
    steps += result.steps;
    runsLeft -= result.schedules;
    last = result;
    if (result.finding || result.nondeterminism || result.schedules === 0) break;
  }
  const seconds = (performance.now() - started) / 1000;
  if (!last) throw new Error('exploreSizes: the ladder of sizes is empty');
  return { ...last, seed: options.seed, schedules, steps, seconds, stepsPerSecond: seconds > 0 ? steps / seconds : 0, covered };
}
