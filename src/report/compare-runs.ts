/**
 * Pairs the runs of two result files (or two allocators of one file) and takes B/A ratios: throughput
 * B/A below 1 means B is slower, latency B/A above 1 means B is slower.
 *
 * Pairing: runs of the same allocator at the same thread count; when each file holds exactly one
 * allocator and they differ (a sweep of byte-cas against a sweep of byte-cas/precedence), the runs are
 * paired by thread count; `--allocators X,Y` takes X's runs from A and Y's from B.
 */
import { UsageError } from '../io/usage-error.ts';
import type { SweepRun } from '../stress/result.ts';
import type { LoadedResult } from './load-results.ts';
import { orderAllocators } from './palette.ts';
import { type RunMetrics, runMetrics } from './run-metrics.ts';

export interface Ratios {
  opsPerSec: number | null;
  p50: number | null;
  p99: number | null;
  p999: number | null;
}

export interface ComparedRow {
  /** `byte-cas`, or `byte-cas -> byte-cas/precedence` when A and B are different allocators. */
  label: string;
  threads: number;
  a: RunMetrics;
  b: RunMetrics;
  /** B/A; null where A is 0 or a side has no latency (`--checks none`). */
  ratio: Ratios;
}

export interface Pairing {
  rows: ComparedRow[];
  /** The A and B runs that were paired, in table order, for charts and the runs table. */
  runs: { a: SweepRun[]; b: SweepRun[] };
}

export function compareRuns(a: LoadedResult, b: LoadedResult, allocators?: [string, string]): Pairing {
  const pairs = allocators ? chosenPairs(a, b, allocators) : matchedPairs(a, b);
  if (pairs.length === 0) {
    const threads = (result: LoadedResult) => [...new Set(result.result.runs.map((run) => run.threads))].join(', ') || 'none';
    throw new UsageError(`no thread count in common: ${a.file} has ${threads(a)}, ${b.file} has ${threads(b)}`);
  }
  const order = orderAllocators(pairs.map(([run]) => run.allocator));
  pairs.sort(([x], [y]) => order.indexOf(x.allocator) - order.indexOf(y.allocator) || x.threads - y.threads);
  const rows = pairs.map(([runA, runB]) => {
    const metricsA = runMetrics(runA, 'A');
    const metricsB = runMetrics(runB, 'B');
    return {
      label: runA.allocator === runB.allocator ? runA.allocator : `${runA.allocator} -> ${runB.allocator}`,
      threads: runA.threads,
      a: metricsA,
      b: metricsB,
      ratio: ratios(metricsA, metricsB),
    };
  });
  return { rows, runs: { a: pairs.map(([runA]) => runA), b: pairs.map(([, runB]) => runB) } };
}

/** B/A of throughput and the latency percentiles; null where a side has no figure to divide. */
export function ratios(a: RunMetrics, b: RunMetrics): Ratios {
  // A side that measured nothing (stopped before its first operation) has no figure to divide.
  const measured = a.measured && b.measured;
  const ratio = (x: number | undefined, y: number | undefined) => (!measured || x === undefined || y === undefined || x === 0 ? null : y / x);
  return {
    opsPerSec: ratio(a.opsPerSec, b.opsPerSec),
    p50: ratio(a.alloc?.p50, b.alloc?.p50),
    p99: ratio(a.alloc?.p99, b.alloc?.p99),
    p999: ratio(a.alloc?.p999, b.alloc?.p999),
  };
}

function matchedPairs(a: LoadedResult, b: LoadedResult): [SweepRun, SweepRun][] {
  const namesA = allocatorsOf(a);
  const namesB = allocatorsOf(b);
  const common = namesA.filter((name) => namesB.includes(name));
  if (common.length > 0) {
    return a.result.runs.flatMap((runA) => {
      const runB = b.result.runs.find((run) => run.allocator === runA.allocator && run.threads === runA.threads);
      return runB ? [[runA, runB] as [SweepRun, SweepRun]] : [];
    });
  }
  if (namesA.length === 1 && namesB.length === 1) return chosenPairs(a, b, [namesA[0]!, namesB[0]!]);
  throw new UsageError(
    `no allocator in common: ${a.file} holds ${namesA.join(', ') || 'no runs'}, ${b.file} holds ${namesB.join(', ') || 'no runs'}; name one of each with --allocators A,B`,
  );
}

function chosenPairs(a: LoadedResult, b: LoadedResult, [nameA, nameB]: [string, string]): [SweepRun, SweepRun][] {
  const runsOf = (side: LoadedResult, name: string) => {
    const runs = side.result.runs.filter((run) => run.allocator === name);
    if (runs.length === 0) throw new UsageError(`${side.file}: no runs of ${name}; it holds ${allocatorsOf(side).join(', ') || 'no runs'}`);
    return runs;
  };
  const runsB = runsOf(b, nameB);
  return runsOf(a, nameA).flatMap((runA) => {
    const runB = runsB.find((run) => run.threads === runA.threads);
    return runB ? [[runA, runB] as [SweepRun, SweepRun]] : [];
  });
}

function allocatorsOf({ result }: LoadedResult): string[] {
  return [...new Set(result.runs.map((run) => run.allocator))];
}
