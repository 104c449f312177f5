/**
 * POS, partial order sampling (Xinhao Yuan, Junfeng Yang, Ronghui Gu, "Partial Order Aware Concurrency
 * Sampling", CAV 2018; Fray's POSScheduler is the reference implementation we read).
 *
 * Every pending event (the call a parked thread is about to make) has a random priority, and the
 * enabled event with the highest one runs. When it has run, the thread's next event is a new event with
 * a fresh priority, and so is every other pending event that races with the one just run (touches one
 * of its bytes, one of the two writing: `conflicts`); events that do not race keep theirs. Reordering
 * only racing events is what makes POS sample partial orders (the classes of schedules that differ only
 * in the order of independent events) rather than schedules: the paper proves a lower bound on the
 * chance of each partial order that depends on its races, not on the length of the run, which random
 * walk cannot give. Reads do not race reads. Events with no access (start, barrier, wait, notify)
 * race with nothing here; they are ordered by their priorities like the rest.
 *
 * Cost: the priorities depend on every step's pending accesses, which a step decided ahead cannot
 * see, so POS turns the coordinator's batching off (each step is a round trip to the main thread).
 * Blind spot (the SCTBench measurements): bugs that need a long run of one thread's racing events
 * before another's (reorder_10 and larger), since every race redraws the priorities.
 */
import seedrandom from 'seedrandom';
import { type PickContext, type Scheduler, conflicts } from '../scheduler.ts';
import type { StrategyInfo } from './strategy.ts';

export class Pos implements Scheduler {
  readonly name = 'pos';
  private readonly random: () => number;
  /** The priority of each thread's pending event; NaN until drawn (its event is new). */
  private readonly priority: Float64Array;

  constructor(seed: string, threads: number) {
    this.random = seedrandom.alea(seed);
    this.priority = new Float64Array(threads).fill(NaN);
  }

  pick(enabled: readonly number[], context: PickContext): number {
    let best = -1;
    let bestPriority = -1;
    for (const t of enabled) {
      // Drawn in thread order, when first needed: the same seed gives the same priorities.
      if (Number.isNaN(this.priority[t]!)) this.priority[t] = this.random();
      if (this.priority[t]! > bestPriority) {
        best = t;
        bestPriority = this.priority[t]!;
      }
    }
    const access = context.pendingAccess(best);
    this.priority[best] = NaN;
    if (access) {
      for (const t of enabled) {
        if (t === best) continue;
        const other = context.pendingAccess(t);
        if (other && conflicts(access, other)) this.priority[t] = NaN;
      }
    }
    return best;
  }

  /** Every step needs the real pending accesses: none may be decided ahead. */
  batchLimit(): number {
    return 1;
  }

  /** The priority of thread `t`'s pending event, or undefined if it gets a fresh one when next asked. */
  priorityOf(t: number): number | undefined {
    const p = this.priority[t];
    return p === undefined || Number.isNaN(p) ? undefined : p;
  }
}

export const pos: StrategyInfo = {
  name: 'pos',
  summary: 'POS (Yuan, Yang, Gu, CAV 2018): random priorities per pending event, redrawn for the events that race with the one just run',
  usesDepth: false,
  create: (options) => new Pos(options.seed, options.threads),
  label: () => 'pos',
};
