/**
 * What a finished schedule tells the next one: how many steps each thread took, and which of its
 * accesses touched memory that another thread also touched, one of the two writing. A strategy that
 * weighs threads by their remaining interesting events (SURW) reads its estimates from here.
 */
import { isAccess, isReadOnly } from '../protocol.ts';
import { elementBytes } from '../../harness/array-types.ts';
import type { Step } from '../trace.ts';
import type { ScheduleSummary } from './strategy.ts';

/** `toucher` value of a byte touched by two or more threads; 0 is untouched, t + 1 thread t alone. */
const SEVERAL = -1;

/**
 * Per-byte scratch, kept between calls and cleaned after each (only the bytes a schedule touched):
 * a summary runs after every schedule, and a Map per byte cost about 1 µs a step, a third of a step.
 */
let toucher = new Int32Array(0);
let written = new Uint8Array(0);

export function summarizeSchedule(steps: readonly Step[], threads: number): ScheduleSummary {
  let end = 0;
  for (const step of steps) if (isAccess(step.request)) end = Math.max(end, (step.index + 1) * (elementBytes[step.array] ?? 1));
  if (toucher.length < end) {
    toucher = new Int32Array(end);
    written = new Uint8Array(end);
  }
  // Several threads and one write mean that some access of one thread races a write of another.
  const touched: number[] = [];
  const perThread = new Array<number>(threads).fill(0);
  for (const step of steps) {
    perThread[step.thread] = (perThread[step.thread] ?? 0) + 1;
    if (!isAccess(step.request)) continue;
    const bytes = elementBytes[step.array] ?? 1;
    const first = step.index * bytes;
    const write = !isReadOnly(step.request);
    for (let b = first; b < first + bytes; b++) {
      const seen = toucher[b]!;
      if (seen === 0) {
        toucher[b] = step.thread + 1;
        touched.push(b);
      } else if (seen !== step.thread + 1) toucher[b] = SEVERAL;
      if (write) written[b] = 1;
    }
  }
  const sharedBytes = new Set<number>();
  for (const b of touched) if (toucher[b] === SEVERAL && written[b] === 1) sharedBytes.add(b);
  const sharedEvents = new Array<number>(threads).fill(0);
  if (sharedBytes.size > 0) {
    for (const step of steps) {
      if (!isAccess(step.request)) continue;
      const bytes = elementBytes[step.array] ?? 1;
      const first = step.index * bytes;
      for (let b = first; b < first + bytes; b++) {
        if (toucher[b] === SEVERAL && written[b] === 1) {
          sharedEvents[step.thread]!++;
          break;
        }
      }
    }
  }
  for (const b of touched) {
    toucher[b] = 0;
    written[b] = 0;
  }
  return { steps: perThread, sharedEvents, sharedBytes };
}
