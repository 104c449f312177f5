/**
 * What a program's or an object's stress sweep writes into its result file (and prints with --json):
 * one run per thread count. A file of its own kind, not an allocator sweep's: its runs count rounds and
 * outcomes, and an object's time calls per operation, where an allocator's count pages and CASes.
 */
import type { HistogramJson } from '../../metrics/histogram.ts';
import type { SweepHead } from '../../report/sweep-head.ts';
import type { OutcomeCount } from './stress-program.ts';

export const PROGRAM_RESULT_KIND = 'pagerace-program-stress';
/** The version this pagerace writes; report/load-program-results.ts reads it. */
export const PROGRAM_RESULT_VERSION = 1;

/** pass: every round passed; fail: one did not, or the run stopped on a hang or crash; interrupted: Ctrl-C or SIGTERM before that. */
export type ProgramVerdict = 'pass' | 'fail' | 'interrupted';

export interface ProgramRun {
  threads: number;
  /** Rounds asked for, and rounds run to their end. */
  rounds: number;
  completed: number;
  /** Wall time of the run's rounds, setup and checks included. */
  seconds: number;
  roundsPerSec: number;
  /** An object's calls that returned, all threads; 0 for a plain program. */
  ops: number;
  opsPerSec: number;
  outcomes: OutcomeCount[];
  /** Rounds that did not pass. */
  failed: number;
  verdict: ProgramVerdict;
  interrupted: boolean;
  stopped?: string;
  stoppedKind?: 'hang' | 'crash';
  /** An object's call latencies per operation, every thread merged (absent for a plain program). */
  latency?: { sampleEvery: number; timerFloorNs: number; operations: Record<string, HistogramJson> };
  /** The command that runs this run again. */
  reproduce: string;
}

export interface ProgramSweepResult extends SweepHead<ProgramVerdict> {
  kind: typeof PROGRAM_RESULT_KIND;
  version: typeof PROGRAM_RESULT_VERSION;
  subject: 'object' | 'program';
  /** The program's (or object's) name. */
  program: string;
  /** Its file, as commands name it. */
  programFile: string;
  description: string;
  settings: { rounds: number; durationMs?: number; threads: number[] };
  /** An object's operations, in its definition's order. */
  operations?: string[];
  runs: ProgramRun[];
}

export function programVerdict(run: Pick<ProgramRun, 'failed' | 'stoppedKind' | 'interrupted' | 'completed'>): ProgramVerdict {
  if (run.failed > 0 || run.stoppedKind !== undefined) return 'fail';
  if (run.interrupted) return 'interrupted';
  return run.completed > 0 ? 'pass' : 'fail';
}

/** A sweep's verdict: a failure outweighs an interruption. */
export function programSweepVerdict(runs: ProgramRun[], interrupted: boolean): ProgramVerdict {
  if (runs.some((run) => run.verdict === 'fail')) return 'fail';
  return interrupted || runs.some((run) => run.verdict === 'interrupted') ? 'interrupted' : 'pass';
}
