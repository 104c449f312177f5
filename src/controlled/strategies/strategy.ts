/**
 * What the registry (index.ts) knows of a strategy: its name, a line for the usage text, how to make
 * its scheduler for one schedule, and what it can promise. Each strategy file exports one of these, so
 * a new strategy is one new file and one line in the registry.
 */
import type { Scheduler } from '../scheduler.ts';

/**
 * What the previous schedule of the same exploration did, for a strategy that learns from it (SURW
 * estimates each thread's remaining interesting events this way). Made by `summarizeSchedule`.
 */
export interface ScheduleSummary {
  /** Steps each thread took. */
  steps: readonly number[];
  /** Each thread's accesses to shared bytes (see `sharedBytes`). */
  sharedEvents: readonly number[];
  /**
   * Byte offsets in the subject's buffer that two or more threads accessed, at least one of them
   * writing: the only places where the order of two threads' accesses can change what either sees.
   */
  sharedBytes: ReadonlySet<number>;
}

/** Everything a strategy may be made from, for one schedule. */
export interface StrategyOptions {
  /** This schedule's seed: the same seed makes the same choices. */
  seed: string;
  /** The schedule's index in its exploration (shard i/N runs i - 1, i - 1 + N, ...), when it has one. */
  index?: number;
  /**
   * Its turn in a portfolio's rotation: its place among its shard's schedules, plus the shard's
   * number, so that every shard rotates through every member whatever N is (with N = 4 and 4
   * members, rotating by index would give each shard one member). Without it, the index; without
   * either, a portfolio picks its member from the seed.
   */
  turn?: number;
  threads: number;
  /** PCT's bug depth d. */
  depth: number;
  /** The longest schedule so far, in steps (PCT draws its change points among them). */
  maxSteps: number;
  /** The previous schedule of this exploration, if there was one. */
  previous?: ScheduleSummary;
}

/** PCT's promise for an exploration that found nothing: the chance it had to find a depth-d bug. */
export interface Bound {
  /** The strategy the bound is about, as `label` names it. */
  strategy: string;
  depth: number;
  maxSteps: number;
  /** The chance that one run finds a given bug of depth d. */
  perRun: number;
  /** The chance that the runs made did. */
  overall: number;
  /** The runs that count for the bound (a portfolio's PCT runs only some of the schedules). */
  runs: number;
}

export interface StrategyInfo {
  readonly name: string;
  /** One line for the usage text and the README: what it does. */
  readonly summary: string;
  /** Whether `--depth` means anything to it. */
  readonly usesDepth: boolean;
  /** Whether it reads `StrategyOptions.previous` (an exploration summarizes each schedule only then). */
  readonly learns?: boolean;
  create(options: StrategyOptions): Scheduler;
  /**
   * The strategy with its parameters, as a result and a token name it: `pct d=3`; with a schedule's
   * index or seed, what that schedule ran (a portfolio's member: `portfolio/pct d=3`).
   */
  label(options: { depth: number; turn?: number | undefined; seed?: string | undefined }): string;
  /**
   * The guarantee an exploration of `schedules` schedules of this shard had, if the strategy has one.
   * Schedule j of shard i/N has turn j + i - 1.
   */
  bound?(args: { threads: number; depth: number; maxSteps: number; schedules: number; shard: { index: number; count: number } }): Bound | undefined;
}
