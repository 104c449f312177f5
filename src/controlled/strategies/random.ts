/**
 * Random walk: at every step, any enabled thread with equal chance. Cheap and surprisingly good at
 * races that need one preemption at a busy spot, which is most of them.
 */
import seedrandom from 'seedrandom';
import type { PickContext, Scheduler } from '../scheduler.ts';

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
