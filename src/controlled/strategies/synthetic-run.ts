/**
 * A stand-in for the coordinator in the strategies' unit tests: each thread is a fixed list of pending
 * accesses (or `undefined` for an event with no access), and a run asks the scheduler at every step
 * with a PickContext answered from those lists, as the coordinator does for a parked thread.
 */
import type { PendingAccess, PickContext, Scheduler } from '../scheduler.ts';

export type SyntheticProgram = readonly (readonly (PendingAccess | undefined)[])[];

export const write = (address: number, bytes = 1): PendingAccess => ({ address, bytes, write: true });
export const read = (address: number, bytes = 1): PendingAccess => ({ address, bytes, write: false });

/** A context whose thread `t` is parked before `pending[t]`. */
export function contextFor(pending: readonly (PendingAccess | undefined)[], step = 0, previous = -1): PickContext {
  return {
    step,
    previous,
    pendingHash: () => -1,
    pendingText: (t) => `event of thread ${t}`,
    pendingAccess: (t) => pending[t],
  };
}

/** Runs `program` to its end under `scheduler`; the thread of every step. */
export function runSynthetic(scheduler: Scheduler, program: SyntheticProgram): number[] {
  const next = program.map(() => 0);
  const schedule: number[] = [];
  for (;;) {
    const enabled = program.map((_, t) => t).filter((t) => next[t]! < program[t]!.length);
    if (enabled.length === 0) return schedule;
    const pending = program.map((events, t) => events[next[t]!]);
    const t = scheduler.pick(enabled, contextFor(pending, schedule.length, schedule.at(-1) ?? -1));
    if (!enabled.includes(t)) throw new Error(`${scheduler.name} picked thread ${t}, which is not enabled (${enabled.join(', ')})`);
    schedule.push(t);
    next[t]!++;
  }
}

/** How often each schedule comes out over `seeds` seeds, by its threads joined: { '001': 0.33, ... }. */
export function distribution(make: (seed: string) => Scheduler, program: SyntheticProgram, seeds: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < seeds; i++) {
    const key = runSynthetic(make(`seed-${i}`), program).join('');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const [key, n] of counts) counts.set(key, n / seeds);
  return counts;
}
