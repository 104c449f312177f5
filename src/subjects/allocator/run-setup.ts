/**
 * What an allocator run is set up with, in either mode: the longest run an alloc may never fail to find,
 * and the memory taken offline before the threads start.
 */
import type { AllocatorInfo } from '../../alloc/load-allocator.ts';
import { UsageError } from '../../io/usage-error.ts';
import type { Scenario } from '../../scenario/schema.ts';

/**
 * The longest run that can never legitimately fail: with every thread (and the handoff queue) holding
 * its maximum, about H pages are held, and each held page blocks at most one aligned slot of c pages.
 * "About": a run just taken from the queue belongs to nobody until it is freed (at most one run per
 * thread more). Twice as many slots as H covers that, and a lock-free search that sees a moving bitmap.
 */
export function guaranteedRun(scenario: Scenario, definition: AllocatorInfo, threads: number, offline: number): number {
  const held = (threads + 1) * scenario.workload.maxHeldPages;
  // The offline range is out for the first third of churn (and again after a removal), so only the
  // rest of memory counts.
  const online = scenario.pages - offline;
  let best = 0;
  for (const c of scenario.workload.runs.sizes) {
    if (c <= definition.maxRun && Math.floor(online / c) >= 2 * held) best = Math.max(best, c);
  }
  return best;
}

/**
 * The range the scenario takes offline before threads start (the host takes it out after init), for
 * thread 0 to add back; undefined when it takes none.
 */
export function offlineRange(scenario: Scenario, definition: AllocatorInfo, name: string): { first: number; count: number } | undefined {
  const wanted = scenario.memoryChanges?.offlineAtStart ?? 0;
  if (wanted === 0) return undefined;
  const unit = definition.growUnit ?? 1;
  const blocks = Math.ceil(scenario.pages / unit);
  const offlineBlocks = Math.ceil(wanted / unit);
  if (offlineBlocks >= blocks) {
    throw new UsageError(`scenario ${scenario.name}: memoryChanges.offlineAtStart ${wanted} leaves no ${name} block online (blocks of ${unit} pages)`);
  }
  const first = (blocks - offlineBlocks) * unit;
  return { first, count: scenario.pages - first };
}
