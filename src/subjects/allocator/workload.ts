/**
 * One thread's seeded choices: every random decision a stress thread makes comes from here, from a
 * seedrandom stream keyed by (seed, thread), so a seed reproduces each thread's choices. Which choice is
 * asked for next also follows what the allocator answered (an alloc that found no memory) and what
 * other threads handed over, so under contention the same seed can still walk a different path.
 *
 * The generator is seedrandom's Alea: on this machine it costs 7 ns a call, where seedrandom's default
 * ARC4 costs 30 ns, which would be most of the cost of the alloc+free being measured.
 */
import seedrandom from 'seedrandom';
import type { Workload } from '../../scenario/schema.ts';

export class ThreadWorkload {
  private readonly random: () => number;
  private readonly sizes: number[];
  /** Cumulative weights, normalized to end at 1. */
  private readonly cumulative: number[];

  constructor(
    private readonly workload: Workload,
    seed: string,
    thread: number,
  ) {
    this.random = seedrandom.alea(`${seed}/${thread}`);
    this.sizes = workload.runs.sizes;
    const total = workload.runs.weights.reduce((a, b) => a + b, 0);
    let sum = 0;
    this.cumulative = workload.runs.weights.map((w) => (sum += w / total));
  }

  /** The length of the next run to allocate. */
  runLength(): number {
    if (this.sizes.length === 1) return this.sizes[0]!;
    const r = this.random();
    let i = 0;
    while (i < this.cumulative.length - 1 && r >= this.cumulative[i]!) i++;
    return this.sizes[i]!;
  }

  /** In churn: allocate (true) or free (false), given what the thread holds. */
  allocates(heldRuns: number, heldPages: number, nextRun: number): boolean {
    if (heldRuns === 0) return true;
    if (heldPages + nextRun > this.workload.maxHeldPages) return false;
    return this.random() < this.workload.allocShare;
  }

  /** Which of `n` held runs to free. */
  pick(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** Whether this free goes through the handoff queue to another thread. */
  handsOff(): boolean {
    return this.workload.crossThreadFrees > 0 && this.random() < this.workload.crossThreadFrees;
  }
}
