/**
 * SURW, selectively uniform random walk (Huan Zhao, Dylan Wolff, Umang Mathur, Abhik Roychoudhury,
 * "Selectively Uniform Concurrency Testing", ASPLOS 2025; Fray's SURWScheduler is the reference
 * implementation we read).
 *
 * A random walk that picks each thread with equal chance does not sample interleavings evenly: with
 * one thread of 1 event and one of 10, it runs the short one first half of the time, though only 1 of
 * the 11 interleavings does. Picking each thread with probability proportional to the events it has
 * left does sample every interleaving with the same chance (the paper's URW, exact for programs
 * without blocking when the counts are exact). SURW applies that only to the *interesting* events and
 * lets the others interleave as a plain random walk: a thread drawn uniformly whose pending event is
 * interesting may make it only if it is also the thread drawn by remaining-event weight; otherwise it
 * sits out until that thread has made its interesting event. So the interesting events come in a
 * uniformly random interleaving, and every interleaving of all events stays possible.
 *
 * Here an event is interesting when it touches a byte that two threads accessed in the previous
 * schedule of the exploration, one of them writing (`ScheduleSummary.sharedBytes`), and each thread's
 * remaining events start at its count of such events there (the counts are estimates: a thread whose
 * count runs out counts 1 while it still makes interesting events). The first schedule has nothing to
 * learn from: every access is interesting and each thread is assumed to make an equal share of the
 * longest schedule's steps (the threads of a scenario run equally many operations).
 *
 * Cost: it needs every step's pending accesses, so the coordinator's batching is off.
 */
import seedrandom from 'seedrandom';
import type { PendingAccess, PickContext, Scheduler } from '../scheduler.ts';
import type { ScheduleSummary, StrategyInfo } from './strategy.ts';

export class Surw implements Scheduler {
  readonly name = 'surw';
  private readonly random: () => number;
  /** Interesting events each thread is still expected to make. */
  private readonly remaining: Float64Array;
  /** 1 for each byte whose accesses are interesting; undefined: every access is. */
  private readonly shared: Uint8Array | undefined;
  /** 1 for a thread whose interesting event waits until the intended thread has made one. */
  private readonly blocked: Uint8Array;
  /** The thread whose interesting event comes next, drawn by weight; -1: not drawn yet. */
  private intended = -1;
  /** Scratch for the threads still in the draw at one pick (a pick runs at every step). */
  private readonly candidates: number[] = [];

  /**
   * @param previous what the previous schedule of the exploration did, if any.
   * @param stepsGuess without `previous`: the steps a whole schedule is expected to take.
   */
  constructor(seed: string, threads: number, previous: ScheduleSummary | undefined, stepsGuess: number) {
    this.random = seedrandom.alea(seed);
    this.blocked = new Uint8Array(threads);
    if (previous && previous.sharedBytes.size > 0) {
      this.shared = new Uint8Array(Math.max(...previous.sharedBytes) + 1);
      for (const b of previous.sharedBytes) this.shared[b] = 1;
      this.remaining = Float64Array.from({ length: threads }, (_, t) => previous.sharedEvents[t] ?? 0);
    } else {
      // Nothing shared seen yet (or no schedule yet): every access counts, and so does every step.
      this.shared = undefined;
      this.remaining = Float64Array.from({ length: threads }, (_, t) => previous?.steps[t] ?? Math.max(1, Math.floor(stepsGuess / threads)));
    }
  }

  pick(enabled: readonly number[], context: PickContext): number {
    const candidates = this.candidates;
    candidates.length = 0;
    for (const t of enabled) if (this.blocked[t] === 0) candidates.push(t);
    for (;;) {
      if (candidates.length === 0) {
        // Every runnable thread waits for one that cannot run now: draw again among them all.
        this.blocked.fill(0);
        this.intended = -1;
        candidates.push(...enabled);
      }
      const i = Math.floor(this.random() * candidates.length);
      const t = candidates[i]!;
      const access = context.pendingAccess(t);
      if (!access || !this.interesting(access)) return t;
      // It is about to make one, so it has at least one left whatever the estimate said.
      if (this.remaining[t]! <= 0) this.remaining[t] = 1;
      if (this.intended < 0 || !candidates.includes(this.intended)) this.intended = this.byWeight(candidates);
      if (t === this.intended) {
        this.remaining[t]!--;
        this.blocked.fill(0);
        this.intended = -1;
        return t;
      }
      this.blocked[t] = 1;
      candidates.splice(i, 1);
    }
  }

  /** Every step needs the real pending accesses: none may be decided ahead. */
  batchLimit(): number {
    return 1;
  }

  /** Interesting events thread `t` is still expected to make. */
  remainingOf(t: number): number {
    return this.remaining[t] ?? 0;
  }

  private interesting(access: PendingAccess): boolean {
    const shared = this.shared;
    if (!shared) return true;
    for (let b = access.address; b < access.address + access.bytes; b++) if (shared[b] === 1) return true;
    return false;
  }

  /** One of `candidates`, each with probability proportional to its remaining events. */
  private byWeight(candidates: readonly number[]): number {
    let total = 0;
    for (const t of candidates) total += Math.max(0, this.remaining[t]!);
    if (total === 0) return candidates[Math.floor(this.random() * candidates.length)]!;
    let r = this.random() * total;
    for (const t of candidates) {
      r -= Math.max(0, this.remaining[t]!);
      if (r < 0) return t;
    }
    return candidates[candidates.length - 1]!;
  }
}

export const surw: StrategyInfo = {
  name: 'surw',
  summary: 'SURW (Zhao et al., ASPLOS 2025): threads weighted by their remaining interesting events (learnt from the previous schedule), so racing events come in a uniformly random interleaving',
  usesDepth: false,
  learns: true,
  create: (options) => new Surw(options.seed, options.threads, options.previous, options.maxSteps),
  label: () => 'surw',
};
