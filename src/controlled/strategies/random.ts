/**
 * Random walk: at every step, any enabled thread with equal chance (the baseline of every randomized
 * concurrency tester: CHESS's random mode, shuttle's RandomScheduler, Fray's random).
 *
 * Guarantee: every schedule has a chance; one whose bug needs k particular choices among n threads is
 * found by one run with probability at least n^-k. Cheap (its picks need nothing from the run, so the
 * coordinator decides them ahead in batches) and good at races that need one preemption at a busy
 * spot; weak where the bug needs one thread to run far ahead of another.
 */
import seedrandom from 'seedrandom';
import type { PickContext, Scheduler } from '../scheduler.ts';
import type { StrategyInfo } from './strategy.ts';

export class RandomWalk implements Scheduler {
  readonly name = 'random';
  private readonly random: () => number;

  constructor(seed: string) {
    this.random = seedrandom.alea(seed);
  }

  pick(enabled: readonly number[], _context: PickContext): number {
    return enabled[Math.floor(this.random() * enabled.length)]!;
  }
}

export const random: StrategyInfo = {
  name: 'random',
  summary: 'random walk: any runnable thread, with equal chance, at every step',
  usesDepth: false,
  create: (options) => new RandomWalk(options.seed),
  label: () => 'random',
};
