/**
 * What every stress sweep's result file says of itself, an allocator sweep's (src/stress/sweep.ts) and
 * a program's or object's (src/subjects/program/program-sweep.ts) alike: its verdict, whether it is
 * whole, what it planned, where it is, and the machine it ran on (a chart of threads against cores
 * needs the cores).
 */
import { availableParallelism, cpus } from 'node:os';

export interface Machine {
  cpus: number;
  cpuModel: string;
  node: string;
  platform: string;
}

export interface SweepHead<Verdict extends string> {
  /** The runs' verdicts taken together; `interrupted` when the sweep was stopped. */
  verdict: Verdict;
  interrupted: boolean;
  /** False until the sweep has ended: a file that still says false was cut off (killed, or still running). */
  complete: boolean;
  /** Runs the sweep means to make, so that a partial file says "2 of 12". */
  plannedRuns: number;
  resultFile: string;
  startedAt: string;
  machine: Machine;
}

/** The machine this process runs on, as a result file records it. */
export function thisMachine(): Machine {
  return { cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, platform: process.platform };
}
