/**
 * What one stress run (one allocator at one thread count) found and measured. This is the shape that
 * goes into result files and `--json` output.
 */
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
  /** Whether the run showed what the scenario expects. */
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

/** Whether a run's violations match its scenario's expectation. */
export function meetsExpectation(expected: Expectation, violations: { kind: string }[]): boolean {
  if (expected === 'pass') return violations.length === 0;
  const kinds = new Set(violations.map((v) => v.kind));
  return expected.every((kind) => kinds.has(kind));
}
