/**
 * Shrinking a failing exploration: the smallest run that still fails the same way is the one worth
 * reading. First fewer threads, then fewer operations, then less memory (each a new, short search
 * with the same strategy), then fewer preemptions (replaying a prefix of the failing schedule and
 * letting it finish without further switches). Every candidate is kept only if it really failed,
 * with the same kind of violation, so what is reported is always a run that happened.
 */
import { type ScheduleResult } from './coordinator.ts';
import { type ExploreOptions, type RunSize, coordinatorFor, pickViolation, schedulerFor } from './explore.ts';
import type { PickContext, Scheduler } from './scheduler.ts';

/** Schedules one candidate size may try before it counts as passing. */
const TRIES_PER_SIZE = 60;
/** The whole shrink stops trying new candidates after this long. */
const SHRINK_BUDGET_MS = 20_000;

interface Failing {
  size: RunSize;
  result: ScheduleResult;
}

export async function shrink(options: ExploreOptions, found: Failing): Promise<Failing> {
  const kind = pickViolation(found.result.violations, options.scenario.explore.expect).kind;
  const deadline = performance.now() + SHRINK_BUDGET_MS;
  let best = found;
  const attempt = async (size: RunSize, label: string): Promise<boolean> => {
    if (performance.now() > deadline) return false;
    const result = await search(options, size, label, kind, deadline);
    if (result) best = { size, result };
    return result !== undefined;
  };
  const largestRun = Math.max(...options.scenario.workload.runs.sizes);

  // Fewer threads: the fewest that still fail.
  for (let threads = 1; threads < best.size.threads; threads++) {
    if (await attempt({ ...best.size, threads }, `threads-${threads}`)) break;
  }
  // Fewer operations: halve while it fails, then take one off at a time.
  while (best.size.ops > 1 && (await attempt({ ...best.size, ops: Math.floor(best.size.ops / 2) }, `ops-${Math.floor(best.size.ops / 2)}`))) {}
  while (best.size.ops > 1 && (await attempt({ ...best.size, ops: best.size.ops - 1 }, `ops-${best.size.ops - 1}`))) {}
  // Less memory, keeping room for every thread's largest hold.
  const minPages = Math.max(8, largestRun * 2);
  while (best.size.pages / 2 >= minPages && (await attempt({ ...best.size, pages: Math.floor(best.size.pages / 2) }, `pages-${Math.floor(best.size.pages / 2)}`))) {}
  return fewerPreemptions(options, best, kind, deadline);
}

/** Runs up to TRIES_PER_SIZE schedules of `size`; the first that fails with `kind`, if any. */
async function search(options: ExploreOptions, size: RunSize, label: string, kind: string, deadline: number): Promise<ScheduleResult | undefined> {
  const coordinator = coordinatorFor(options, size);
  try {
    let maxSteps = 0;
    for (let i = 0; i < TRIES_PER_SIZE && performance.now() < deadline; i++) {
      const scheduler = schedulerFor(options.strategy, `${options.seed}/shrink/${label}/${i}`, size.threads, options.depth, maxSteps || 1000);
      const result = await coordinator.run(scheduler);
      maxSteps = Math.max(maxSteps, result.steps.length);
      if (result.outcome === 'violation' && result.violations.some((v) => v.kind === kind)) return result;
    }
    return undefined;
  } finally {
    await coordinator.close();
  }
}

/**
 * Follows a prefix of a recorded schedule, then lets the last thread run as long as it can, switching
 * only when it must (it finished, blocked or waits at a barrier): no preemption after the prefix.
 */
class PrefixThenSerial implements Scheduler {
  readonly name = 'prefix';
  constructor(private readonly prefix: readonly number[]) {}

  pick(enabled: readonly number[], context: PickContext): number {
    const wanted = this.prefix[context.step];
    if (wanted !== undefined && enabled.includes(wanted)) return wanted;
    return enabled.includes(context.previous) ? context.previous : enabled[0]!;
  }
}

/**
 * The shortest prefix of the failing schedule that, finished without preemptions, still fails: every
 * preemption after it was not needed. Binary search over the switch points (failing is close enough to
 * monotone in the prefix length), then the one found is verified by having failed.
 */
async function fewerPreemptions(options: ExploreOptions, failing: Failing, kind: string, deadline: number): Promise<Failing> {
  const { schedule } = failing.result;
  const switches = [0];
  for (let i = 1; i < schedule.length; i++) if (schedule[i] !== schedule[i - 1]) switches.push(i);
  const coordinator = coordinatorFor(options, failing.size);
  let best = failing;
  try {
    let low = 0;
    let high = switches.length - 1;
    while (low <= high && performance.now() < deadline) {
      const mid = (low + high) >> 1;
      const result = await coordinator.run(new PrefixThenSerial(schedule.slice(0, switches[mid]! + 1)));
      if (result.outcome === 'violation' && result.violations.some((v) => v.kind === kind)) {
        if (result.preemptions <= best.result.preemptions) best = { size: failing.size, result };
        high = mid - 1;
      } else low = mid + 1;
    }
  } finally {
    await coordinator.close();
  }
  return best;
}
