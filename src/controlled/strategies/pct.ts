/**
 * PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010).
 *
 * Every thread gets a distinct random priority above d - 1; d - 1 change points are drawn among the
 * first k steps. At every step the enabled thread with the highest priority runs; at the i-th change
 * point the running thread drops to priority i, below every initial one. A bug of depth d (one that
 * needs d ordering constraints between threads) is then found by one run with probability at least
 * 1 / (n * k^(d - 1)) for n threads and k steps (k is measured: the longest schedule so far).
 * Picks need nothing from the run, so the coordinator batches them up to the next change point.
 */
import seedrandom from 'seedrandom';
import type { PickContext, Scheduler } from '../scheduler.ts';
import type { StrategyInfo } from './strategy.ts';

export class Pct implements Scheduler {
  readonly name = 'pct';
  private readonly priority: number[];
  /** Change point i (0-based) lowers the running thread to priority i + 1; sorted by step. */
  private readonly changes: { step: number; to: number }[];
  private nextChange = 0;

  constructor(seed: string, threads: number, depth: number, maxSteps: number) {
    const random = seedrandom.alea(seed);
    // Initial priorities d .. d + n - 1, shuffled (Fisher-Yates), so all are above the change values.
    const priority = Array.from({ length: threads }, (_, t) => depth + t);
    for (let i = threads - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [priority[i], priority[j]] = [priority[j]!, priority[i]!];
    }
    this.priority = priority;
    this.changes = Array.from({ length: Math.max(0, depth - 1) }, (_, i) => ({ step: Math.floor(random() * Math.max(1, maxSteps)), to: depth - 1 - i }))
      .sort((a, b) => a.step - b.step);
  }

  pick(enabled: readonly number[], context: PickContext): number {
    while (this.nextChange < this.changes.length && this.changes[this.nextChange]!.step <= context.step) {
      // The thread that was about to run at a change point loses its priority.
      const running = this.highest(enabled);
      this.priority[running] = this.changes[this.nextChange]!.to;
      this.nextChange++;
    }
    return this.highest(enabled);
  }

  /** Decisions ahead must stop before the next change point: it changes a priority. */
  batchLimit(step: number): number {
    const next = this.changes[this.nextChange];
    return next === undefined ? Infinity : Math.max(1, next.step - step);
  }

  private highest(enabled: readonly number[]): number {
    let best = enabled[0]!;
    for (const t of enabled) if (this.priority[t]! > this.priority[best]!) best = t;
    return best;
  }

  /** The chance that one run finds a given bug of depth d: 1 / (n * k^(d - 1)). */
  static boundPerRun(threads: number, depth: number, maxSteps: number): number {
    return 1 / (threads * Math.max(1, maxSteps) ** (depth - 1));
  }
}

export const pct: StrategyInfo = {
  name: 'pct',
  summary: 'PCT (Burckhardt et al., ASPLOS 2010): random thread priorities and d-1 priority change points; one run finds a bug of depth d with probability at least 1/(n·k^(d-1))',
  usesDepth: true,
  create: (options) => new Pct(options.seed, options.threads, options.depth, options.maxSteps),
  label: (options) => `pct d=${options.depth}`,
  bound: ({ threads, depth, maxSteps, schedules }) => {
    const perRun = Pct.boundPerRun(threads, depth, maxSteps);
    return { strategy: `pct d=${depth}`, depth, maxSteps, perRun, overall: 1 - (1 - perRun) ** schedules, runs: schedules };
  },
};
