/**
 * Shrinking a failing exploration: the smallest run that still fails the same way is the one worth
 * reading. First fewer threads, then fewer operations, then less memory (each a new, short search
 * with the same strategy), then fewer preemptions: first the shortest prefix of the failing schedule
 * that still fails when finished without further switches, then each remaining preemption taken out
 * on its own (the preempted thread goes on instead, running what it ran next), then pairs of them.
 * The changed schedule is a guide, not a replay: the run may drift from it, and is judged by what it
 * did. Every candidate is kept only if it really failed, with the same kind of violation, so what is
 * reported is always a run that happened.
 */
import type { Coordinator, ScheduleResult } from './coordinator.ts';
import { type ExploreOptions, type RunSize, coordinatorFor, pickViolation, schedulerFor } from './explore.ts';
import type { PickContext, Scheduler } from './scheduler.ts';

/** Schedules one candidate size may try before it counts as passing. */
const TRIES_PER_SIZE = 60;
/** The size shrink stops trying new candidates after this long. */
const SHRINK_BUDGET_MS = 20_000;
/** Then the preemption shrink gets this long of its own: it needs the size's result to start from. */
const PREEMPTION_BUDGET_MS = 15_000;

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
  return fewerPreemptions(options, best, kind, performance.now() + PREEMPTION_BUDGET_MS);
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

/** A run of steps one thread takes in a row: the unit a guide schedule is made of. */
interface Segment {
  thread: number;
  steps: number;
}

/** A schedule as its runs of one thread. */
export function segmentsOf(schedule: readonly number[]): Segment[] {
  const segments: Segment[] = [];
  for (const thread of schedule) {
    const last = segments[segments.length - 1];
    if (last && last.thread === thread) last.steps++;
    else segments.push({ thread, steps: 1 });
  }
  return segments;
}

/**
 * The segments with the switch into segment `k` taken out: the thread of segment k - 1 goes on with
 * the steps of its next segment (or as long as it can, if it has none), and that segment goes.
 */
export function withoutSwitch(segments: readonly Segment[], k: number): Segment[] {
  const out = segments.map((s) => ({ ...s }));
  const previous = out[k - 1]!;
  const next = out.findIndex((s, i) => i > k && s.thread === previous.thread);
  if (next < 0) previous.steps = Infinity;
  else {
    previous.steps += out[next]!.steps;
    out.splice(next, 1);
  }
  return out;
}

/**
 * Follows segments, not steps: each segment's thread for as many steps as the segment has, skipping
 * the rest of a segment whose thread cannot run (the run drifted from the guide); after the last
 * segment the running thread goes on while it can. Its position is kept per step, so picks made
 * ahead for a batch that came back early are taken again from where the run really is.
 */
export class SegmentGuide implements Scheduler {
  readonly name = 'guide';
  /** invariant: segmentAt[s], usedAt[s] are the position before step s was picked, for every step picked so far + 1. */
  private readonly segmentAt: number[] = [0];
  private readonly usedAt: number[] = [0];

  constructor(private readonly segments: readonly Segment[]) {}

  pick(enabled: readonly number[], context: PickContext): number {
    let segment = this.segmentAt[context.step] ?? this.segments.length;
    let used = this.usedAt[context.step] ?? 0;
    let chosen = -1;
    while (segment < this.segments.length) {
      const { thread, steps } = this.segments[segment]!;
      if (used < steps && enabled.includes(thread)) {
        chosen = thread;
        used++;
        break;
      }
      segment++;
      used = 0;
    }
    if (chosen < 0) chosen = enabled.includes(context.previous) ? context.previous : enabled[0]!;
    this.segmentAt[context.step + 1] = segment;
    this.usedAt[context.step + 1] = used;
    return chosen;
  }
}

/**
 * Fewer preemptions. The shortest prefix of the failing schedule that, finished without preemptions,
 * still fails (binary search over the switch points: failing is close enough to monotone in the
 * prefix length); then each preemption left is taken out on its own, and kept out if the run still
 * fails the same way with fewer preemptions; then pairs, for bugs whose two switches only work together.
 */
async function fewerPreemptions(options: ExploreOptions, failing: Failing, kind: string, deadline: number): Promise<Failing> {
  const coordinator = coordinatorFor(options, failing.size);
  try {
    return { size: failing.size, result: await shrinkPreemptions(coordinator, failing.result, kind, deadline) };
  } finally {
    await coordinator.close();
  }
}

/**
 * The preemption half of shrinking, on a coordinator of the failing run's size (an allocator's, or a
 * program's, whose size is fixed): a run that fails with `kind` as `failing` did, with as few
 * preemptions as could be found by `deadline`.
 */
export async function shrinkPreemptions(coordinator: Coordinator, failing: ScheduleResult, kind: string, deadline: number): Promise<ScheduleResult> {
  const { schedule } = failing;
  const switches = [0];
  for (let i = 1; i < schedule.length; i++) if (schedule[i] !== schedule[i - 1]) switches.push(i);
  let best = failing;
  const fails = (result: ScheduleResult) => result.outcome === 'violation' && result.violations.some((v) => v.kind === kind);
  let low = 0;
  let high = switches.length - 1;
  while (low <= high && performance.now() < deadline) {
    const mid = (low + high) >> 1;
    const result = await coordinator.run(new PrefixThenSerial(schedule.slice(0, switches[mid]! + 1)));
    if (fails(result)) {
      if (result.preemptions <= best.preemptions) best = result;
      high = mid - 1;
    } else low = mid + 1;
  }
  /** Runs the guide with the switches into `ks` taken out (highest first, so indices hold); true if kept. */
  const tryWithout = async (ks: number[]): Promise<boolean> => {
    let segments = segmentsOf(best.schedule);
    for (const k of [...ks].sort((a, b) => b - a)) segments = withoutSwitch(segments, k);
    const result = await coordinator.run(new SegmentGuide(segments));
    if (!fails(result) || result.preemptions >= best.preemptions) return false;
    best = result;
    return true;
  };
  // The segment each preemption switches into, in the best run so far.
  const preempted = () => {
    const starts = new Set(best.preemptedAt);
    const ks: number[] = [];
    let at = 0;
    segmentsOf(best.schedule).forEach((s, k) => {
      if (starts.has(at)) ks.push(k);
      at += s.steps;
    });
    return ks;
  };
  let improved = true;
  while (improved && best.preemptions > 0 && performance.now() < deadline) {
    improved = false;
    // One at a time: after a change the run is another, so its preemptions are counted afresh.
    for (let i = 0; i < preempted().length && performance.now() < deadline; ) {
      if (await tryWithout([preempted()[i]!])) improved = true;
      else i++;
    }
    // Then by pairs, once no single one can go.
    const ks = preempted();
    pairs: for (let i = 0; i < ks.length; i++) {
      for (let j = i + 1; j < ks.length; j++) {
        if (performance.now() > deadline) break pairs;
        if (await tryWithout([ks[i]!, ks[j]!])) {
          improved = true;
          break pairs;
        }
      }
    }
  }
  return best;
}
