/**
 * What a finished schedule tells the next one: how many steps each thread took, and which of its
 * accesses touched memory that another thread also touched, one of the two writing. A strategy that
 * weighs threads by their remaining interesting events (SURW) reads its estimates from here.
 */
import { elementBytes, isAccess, isReadOnly } from '../protocol.ts';
import type { Step } from '../trace.ts';
import type { ScheduleSummary } from './strategy.ts';

/** A byte touched by two or more threads. */
const SEVERAL = -1;

export function summarizeSchedule(steps: readonly Step[], threads: number): ScheduleSummary {
  // Per byte: the one thread that touched it (or SEVERAL), and whether anyone wrote it. Several
  // threads and one write mean that some access of one thread races a write of another.
  const toucher = new Map<number, number>();
  const written = new Set<number>();
  const perThread = new Array<number>(threads).fill(0);
  for (const step of steps) {
    perThread[step.thread] = (perThread[step.thread] ?? 0) + 1;
    if (!isAccess(step.request)) continue;
    const bytes = elementBytes[step.array] ?? 1;
    const first = step.index * bytes;
    const write = !isReadOnly(step.request);
    for (let b = first; b < first + bytes; b++) {
      const seen = toucher.get(b);
      if (seen === undefined) toucher.set(b, step.thread);
      else if (seen !== step.thread) toucher.set(b, SEVERAL);
      if (write) written.add(b);
    }
  }
  const sharedBytes = new Set<number>();
  for (const [byte, who] of toucher) if (who === SEVERAL && written.has(byte)) sharedBytes.add(byte);
  const sharedEvents = new Array<number>(threads).fill(0);
  for (const step of steps) {
    if (!isAccess(step.request)) continue;
    const bytes = elementBytes[step.array] ?? 1;
    const first = step.index * bytes;
    for (let b = first; b < first + bytes; b++) {
      if (sharedBytes.has(b)) {
        sharedEvents[step.thread]!++;
        break;
      }
    }
  }
  return { steps: perThread, sharedEvents, sharedBytes };
}
