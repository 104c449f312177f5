/**
 * How big a controlled run is, so that it keeps its scenario's pressure.
 *
 * A controlled run is small (every Atomics call is a step), but small must not mean empty: a race
 * needs two threads on the same bytes. Allocators place threads apart on purpose (a per-thread start
 * hint, a home block), so in a roomy memory two threads may finish all their operations without ever
 * touching each other's bitmap, and no schedule at all can show a race. The one guarantee that holds
 * for every placement policy is the pigeonhole: when the threads together may hold more pages than
 * there are, some thread must take pages beyond its own share, from the same bytes another thread
 * takes them from. So a controlled run's memory is set from its pressure, the pages the threads may
 * hold together over the pages there are:
 *
 *  - a scenario whose own pressure is above {@link MEETING_PRESSURE} (near-oom: twice the memory
 *    there is) keeps its pressure exactly, so near out of memory stays near out of memory;
 *  - any other scenario is raised to {@link MEETING_PRESSURE}, where a third of each thread's fill
 *    (1 - 1/1.5) lies past its share of memory, so threads meet whatever their hints. Barely above 1,
 *    threads would meet only at the last page; far above it, every alloc fails and multi-page runs
 *    never fit: 1.5 makes them meet within the fill and still leaves churn that succeeds.
 *
 * The price: with fewer pages than the threads may hold, no free run is guaranteed, so spurious
 * out-of-memory is not checked at these sizes (explicit sizes, or a stress run's own, still check it).
 */
import { MIN_PAGES } from './schema.ts';

/** The pressure (pages wanted over pages there are) at which every thread's fill overruns its share. */
export const MEETING_PRESSURE = 1.5;

/** Pages one thread may hold in a controlled run, unless the scenario's workload holds fewer. */
export const HELD_CAP = 16;

/** What the size of a controlled run is derived from: the scenario as its stress runs see it. */
export interface PressureSource {
  /** The scenario's memory, in pages. */
  pages: number;
  /** The scenario's thread counts. */
  threads: readonly number[];
  workload: { maxHeldPages: number; runs: { sizes: readonly number[] }; phases: readonly string[] };
}

/** Explicit sizes that override the derived ones. */
export interface SizeOverrides {
  pages?: number | undefined;
  maxHeldPages?: number | undefined;
}

/** One controlled run's size. */
export interface ExploreSize {
  threads: number;
  ops: number;
  pages: number;
  maxHeldPages: number;
}

/** Pages the scenario's threads may hold together over the pages there are, at its most threads. */
export function pressureOf(scenario: PressureSource): number {
  return (Math.max(...scenario.threads) * scenario.workload.maxHeldPages) / scenario.pages;
}

/**
 * The size of a controlled run of `threads` x `ops`. Without a churn phase, operations are the fill
 * itself, so `ops` sets how much each thread fills instead.
 */
export function exploreSizeAt(scenario: PressureSource, threads: number, ops: number, overrides: SizeOverrides = {}): ExploreSize {
  const largestRun = Math.max(...scenario.workload.runs.sizes);
  const held = scenario.workload.phases.includes('churn') ? Math.min(scenario.workload.maxHeldPages, HELD_CAP) : ops;
  const maxHeldPages = overrides.maxHeldPages ?? Math.max(held, largestRun);
  const pressure = Math.max(pressureOf(scenario), MEETING_PRESSURE);
  // At least one of the largest runs must fit, and never more memory than the stress runs had.
  const derived = Math.max(MIN_PAGES, largestRun, Math.ceil((threads * maxHeldPages) / pressure));
  const pages = overrides.pages ?? Math.min(scenario.pages, derived);
  return { threads, ops, pages, maxHeldPages };
}
