/**
 * The compare page: two runs on the same axes (run A solid, run B dashed, each allocator in its own
 * color), the B/A table, and every paired run's figures, into `compare.html` and `compare-<chart>.svg`.
 */
import path from 'node:path';
import { contentionCharts, distributionThreads } from './build-report.ts';
import type { ChartContext, Curve } from './chart-specs.ts';
import { type ComparedRow, compareRuns } from './compare-runs.ts';
import { compareTable } from './compare-table.ts';
import { type LoadedResult, loadResultFile } from './load-results.ts';
import { fileFacts, howToRead, runNotes, runsTable, sweepWarning } from './page-text.ts';
import { orderAllocators } from './palette.ts';
import { resultsDir } from './result-file.ts';
import { percentileCurve } from './run-metrics.ts';
import { type WrittenPage, writePage } from './write-page.ts';

export interface CompareOptions {
  outDir?: string;
  /** Compare allocator X of A with allocator Y of B (A and B may be one file). */
  allocators?: [string, string];
  /** Thread count of the distribution chart; default the highest both runs timed. */
  threads?: number;
}

export interface WrittenCompare extends WrittenPage {
  a: LoadedResult;
  b: LoadedResult;
  rows: ComparedRow[];
  ms: number;
  /** The files that did not end, or were stopped, one sentence each: the page's banner. */
  warnings: string[];
}

export async function writeCompare(fileA: string, fileB: string, options: CompareOptions = {}): Promise<WrittenCompare> {
  const started = performance.now();
  const a = loadResultFile(fileA);
  const b = path.resolve(fileB) === path.resolve(fileA) ? a : loadResultFile(fileB);
  const { rows, runs } = compareRuns(a, b, options.allocators);
  const metrics = rows.flatMap((row) => [row.a, row.b]);
  const cpus = a.result.machine.cpus;
  const context: ChartContext = { allocators: orderAllocators(metrics.map((row) => row.allocator)), cpus, compare: true };
  const threads = distributionThreads(metrics, options.threads);
  const curves: Curve[] = (['a', 'b'] as const).flatMap((side) =>
    runs[side]
      .filter((run) => run.threads === threads && run.latency && run.latency.alloc.count > 0)
      .map((run) => ({ allocator: run.allocator, side: side === 'a' ? ('A' as const) : ('B' as const), points: percentileCurve(run.latency!.alloc) })),
  );
  const charts = contentionCharts(metrics, context, { threads, curves });
  const same = a === b;
  const warnings = same ? [sweepWarning(a) ?? []].flat() : [sweepWarning(a, 'A') ?? [], sweepWarning(b, 'B') ?? []].flat();
  const notes = runNotes(metrics);
  if (a.result.scenario !== b.result.scenario) notes.unshift(`A ran scenario ${a.result.scenario}, B ran ${b.result.scenario}: the ratios compare different workloads.`);
  if (a.result.machine.cpus !== b.result.machine.cpus) notes.unshift(`A ran on ${a.result.machine.cpus} cores, B on ${b.result.machine.cpus}.`);
  const label = options.allocators ? `${options.allocators[0]} (A) against ${options.allocators[1]} (B)` : 'run A against run B';
  const written = await writePage('compare', options.outDir ?? resultsDir, charts, {
    title: `pagerace compare: ${label}`,
    banner: warnings,
    facts: same ? fileFacts(a, 'A and B') : [...fileFacts(a, 'A'), ...fileFacts(b, 'B')],
    howToRead: [
      'Both runs on the same axes: run A solid with round points, run B dashed with triangles, each allocator in its own color. The table gives B/A: ops/s below 1x means B is slower, a latency above 1x means B is slower.',
      `Two sweeps of the same code differ by chance, most of all in throughput and the tail: a ratio near 1x is no difference. A pair that runs the very same code path (an allocator against a variant whose defect never triggered, see its counters) shows how large that chance is. The per-operation counters (CAS failures, bytes scanned) move much less than times.`,
      ...howToRead(cpus, metrics.find((row) => row.alloc)?.alloc?.sampleEvery),
    ],
    notes,
    tables: [compareTable(rows), runsTable(metrics)],
  });
  return { ...written, a, b, rows, ms: performance.now() - started, warnings };
}
