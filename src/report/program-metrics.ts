/**
 * The figures a chart reads from a program's or an object's run, in the rows the allocator charts
 * draw (run-metrics.ts), so that chart-specs.ts draws both with the same shapes: a throughput row per
 * run (one line per program), and per operation a latency row per run (one line per operation, its
 * call latency where an allocator row has its alloc latency). Rows that have no meaning for a program
 * (CAS failures, bitmap scanned) are 0 and never drawn.
 */
import type { ProgramRun, ProgramSweepResult } from '../subjects/program/program-result.ts';
import type { RunMetrics, RunSide } from './run-metrics.ts';

/** A run's throughput: an object's calls per second, a plain program's rounds per second. */
export function programThroughput(result: ProgramSweepResult, run: ProgramRun, side?: RunSide): RunMetrics {
  const perSec = result.subject === 'object' ? run.opsPerSec : run.roundsPerSec;
  return {
    ...common(run, side),
    allocator: result.program,
    opsPerSec: perSec,
    measured: run.completed > 0 && perSec > 0,
  };
}

/** One row per operation the run timed; `series` names the operation's line. */
export function operationLatency(run: ProgramRun, series: (operation: string) => string, side?: RunSide): RunMetrics[] {
  const latency = run.latency;
  if (!latency) return [];
  return Object.entries(latency.operations)
    .filter(([, h]) => h.count > 0)
    .map(([operation, h]) => ({
      ...common(run, side),
      allocator: series(operation),
      opsPerSec: run.opsPerSec,
      alloc: { p50: h.p50, p90: h.p90, p99: h.p99, p999: h.p999, count: h.count, sampleEvery: latency.sampleEvery, timerFloorNs: latency.timerFloorNs },
      measured: run.completed > 0,
    }));
}

function common(run: ProgramRun, side: RunSide | undefined): Omit<RunMetrics, 'allocator' | 'opsPerSec' | 'measured'> {
  return {
    threads: run.threads,
    ...(side ? { side } : {}),
    casPerOp: 0,
    scannedPerOp: 0,
    lockWaitsPerOp: 0,
    ...(run.stoppedKind ? { stopped: run.stoppedKind } : run.interrupted ? { stopped: 'interrupted' } : {}),
    failed: run.verdict === 'fail',
    verdict: run.verdict,
    checks: true,
  };
}
