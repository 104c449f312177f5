/**
 * The figures a chart or a comparison reads from one run, derived in one place so that a report, a
 * compare page and a compare table can never disagree about what "CAS failures per op" means.
 */
import type { HistogramJson } from '../metrics/histogram.ts';
import type { RunVerdict, SweepRun } from '../stress/result.ts';

/** Which of two compared runs a figure comes from; absent in a plain report. */
export type RunSide = 'A' | 'B';

export interface RunMetrics {
  allocator: string;
  threads: number;
  side?: RunSide;
  /** Operations per second in the measured phase, all threads together. */
  opsPerSec: number;
  /** Failed compareExchange calls per operation (every phase: counters cover the whole run). */
  casPerOp: number;
  /** Bitmap bytes (or words) the allocator looked at per operation. */
  scannedPerOp: number;
  /**
   * Lock acquisitions that found the global lock taken, per operation. A global-lock allocator takes
   * the lock once per call, so this is also the share of calls that had to wait; 0 for lock-free ones.
   */
  lockWaitsPerOp: number;
  /** Alloc latency, absent when the run timed nothing (`--checks none`) or timed no alloc. */
  alloc?: { p50: number; p90: number; p99: number; p999: number; count: number; sampleEvery: number; timerFloorNs: number };
  /** The run was cut short (interrupted, crash, hang, too many violations): its figures are partial. */
  stopped?: string;
  /** The run did not show what its scenario expects. */
  failed: boolean;
  verdict: RunVerdict;
  /** Whether the run had its checks on; off (`--checks none`) it timed nothing. */
  checks: boolean;
  /**
   * Whether the run measured anything: a run stopped before its first operation has 0 ops/s and 0 per
   * op, which are no measurements, and a chart must not draw them as points.
   */
  measured: boolean;
}

export function runMetrics(run: SweepRun, side?: RunSide): RunMetrics {
  const perOp = (n: number) => (run.totalOps > 0 ? n / run.totalOps : 0);
  const alloc = run.latency?.alloc;
  return {
    allocator: run.allocator,
    threads: run.threads,
    ...(side ? { side } : {}),
    opsPerSec: run.opsPerSec,
    casPerOp: perOp(run.counters.casFailures),
    scannedPerOp: perOp(run.counters.bytesScanned),
    lockWaitsPerOp: perOp(run.counters.lockContended),
    ...(run.latency && alloc && alloc.count > 0
      ? {
          alloc: {
            p50: alloc.p50,
            p90: alloc.p90,
            p99: alloc.p99,
            p999: alloc.p999,
            count: alloc.count,
            sampleEvery: run.latency.sampleEvery,
            timerFloorNs: run.latency.timerFloorNs,
          },
        }
      : {}),
    ...(run.stopped ? { stopped: run.stopped } : {}),
    failed: run.verdict === 'fail',
    verdict: run.verdict,
    checks: run.checks,
    measured: run.totalOps > 0 && run.opsPerSec > 0,
  };
}

/** One point of a percentile distribution: at quantile `q` (plotted at 1/(1-q)) the latency is `ns`. */
export interface CurvePoint {
  q: number;
  /** 1 / (1 - q): 2 is the median, 10 is p90, 100 p99, each further factor of ten one more nine. */
  x: number;
  ns: number;
}

/**
 * The percentile curve of a histogram, as HdrHistogram plots it: one step per non-empty bucket. A bucket
 * starts at the quantile of the values below it and reports its upper bound, the same value
 * `valueAt` in metrics/histogram.ts gives for every quantile inside it; the curve ends at the last value recorded,
 * plotted at q = 1 - 1/count because q = 1 would sit at infinity.
 */
export function percentileCurve(histogram: HistogramJson): CurvePoint[] {
  const total = histogram.count;
  if (total === 0) return [];
  const points: CurvePoint[] = [];
  let below = 0;
  for (const [, high, count] of histogram.buckets) {
    const q = below / total;
    points.push({ q, x: 1 / (1 - q), ns: high });
    below += count;
  }
  const last = points.at(-1)!;
  const qEnd = (total - 1) / total;
  if (total > 1 && qEnd > last.q) points.push({ q: qEnd, x: total, ns: last.ns });
  return points;
}
