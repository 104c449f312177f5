/**
 * What one stress run (one allocator at one thread count) found and measured. This is the shape that
 * goes into result files and `--json` output.
 */
import { meetsExpectation } from '../check/grade.ts';
import type { Violation } from '../check/violation.ts';
import type { HistogramJson } from '../metrics/histogram.ts';
import type { Expectation } from '../scenario/schema.ts';

export interface RunCounters {
  allocs: number;
  frees: number;
  /** Allocs that returned -1. */
  oom: number;
  casFailures: number;
  bytesScanned: number;
  lockAcquisitions: number;
  lockContended: number;
  lockWaitedNs: number;
  /** Runs freed by another thread than the one that allocated them. */
  handoffs: number;
  /** addMemory/removeMemory calls that took effect while threads ran. */
  memoryChanges: number;
}

/** Latency of allocator calls as the threads saw them (lock waits included), every thread merged. */
export interface RunLatency {
  /** One call in this many was timed. */
  sampleEvery: number;
  /** Median cost of two back-to-back clock reads in this run, ns: latencies near it are timer noise. */
  timerFloorNs: number;
  alloc: HistogramJson;
  free: HistogramJson;
}

export interface RunResult {
  allocator: string;
  threads: number;
  /** Operations in the measured phase (churn, or the first phase when there is none), all threads. */
  ops: number;
  /** Wall time of the measured phase: first thread in to last thread out. */
  seconds: number;
  opsPerSec: number;
  /** Operations in every phase. */
  totalOps: number;
  expected: Expectation;
  /** Whether the run showed what the scenario expects (false for an interrupted run). */
  ok: boolean;
  violations: Violation[];
  /** Violations counted, including those past the per-thread cap that were not recorded in full. */
  violationCount: number;
  counters: RunCounters;
  /** Absent for `--checks none`, which times nothing. */
  latency?: RunLatency;
  checks: boolean;
  lock: boolean;
  /** Set when the run was cut short: by Ctrl-C, a crash, a hang, or too many violations. */
  stopped?: 'interrupted' | 'crash' | 'hang' | 'violations';
  /** The command that runs exactly this workload again. */
  reproduce: string;
  /**
   * The command that explores this scenario's interleavings under controlled scheduling: a stress seed
   * replays the workload, not the interleaving; an exploration finds one and replays it exactly.
   */
  explore?: string;
}

/** The result-file version this pagerace writes; report/load-results.ts reads it and every older one. */
export const RESULT_VERSION = 2;

/** A run as a sweep's result file holds it: with its verdict. */
export interface SweepRun extends RunResult {
  /** What the run's line says: see {@link runVerdict}. */
  verdict: RunVerdict;
}

/**
 * What a run showed, in one word:
 * - `pass`: it showed what its scenario expects (no violation, or the known bug it must catch);
 * - `fail`: it did not, and saw something: a violation a passing scenario must not have, or other
 *   violations than the bug it expects, or (checked) no sign of that bug;
 * - `unchecked`: `--checks none` and nothing seen: without the ledger and the op log a double
 *   allocation goes unseen, so "no violation" says nothing, and is never called a pass;
 * - `interrupted`: stopped by Ctrl-C or SIGTERM before it could show anything.
 */
export type RunVerdict = 'pass' | 'fail' | 'unchecked' | 'interrupted';

export function runVerdict(run: Pick<RunResult, 'expected' | 'violations' | 'checks' | 'stopped'>): RunVerdict {
  const seen = run.violations.length > 0;
  const met = meetsExpectation(run.expected, run.violations);
  if (seen) return met ? 'pass' : 'fail';
  if (run.stopped === 'interrupted') return 'interrupted';
  if (!run.checks) return 'unchecked';
  return met ? 'pass' : 'fail';
}

/** A sweep's verdict from its runs': a failure outweighs an interruption, which outweighs an unchecked run. */
export function sweepVerdict(verdicts: RunVerdict[]): RunVerdict {
  for (const verdict of ['fail', 'interrupted', 'unchecked'] as const) if (verdicts.includes(verdict)) return verdict;
  return 'pass';
}

