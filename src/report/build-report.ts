/**
 * The contention report: one or more stress result files drawn as charts (throughput, p50/p99/p99.9
 * alloc latency, the latency distribution at one thread count, CAS failures, lock waits and bitmap
 * scanned per operation, all against threads) into `report.html` and one SVG per chart.
 */
import { UsageError } from '../io/usage-error.ts';
import type { SweepRun } from '../stress/result.ts';
import { type Chart, type ChartContext, type Curve, casChart, distributionChart, latencyChart, latencyDomain, lockChart, scannedChart, throughputChart, timerFloor } from './chart-specs.ts';
import { plural } from './format.ts';
import type { LoadedResult } from './load-results.ts';
import { loadAnyResultFile } from './load-program-results.ts';
import { writeProgramReport } from './build-program-report.ts';
import { fileFacts, howToRead, runNotes, runsTable, sweepWarning } from './page-text.ts';
import { orderAllocators } from './palette.ts';
import { resultsDir } from './result-file.ts';
import { type RunMetrics, percentileCurve, runMetrics } from './run-metrics.ts';
import { type WrittenPage, writePage } from './write-page.ts';

export interface ReportOptions {
  /** Where report.html and the SVGs go; `results/` by default. */
  outDir?: string;
  /** Thread count of the distribution chart; default the highest with latency. */
  threads?: number;
}

export interface WrittenReport extends WrittenPage {
  /** Milliseconds from reading the files to the last file written. */
  ms: number;
  /** The files that did not end, or were stopped, one sentence each: the page's banner. */
  warnings: string[];
}

export async function writeReport(files: string[], options: ReportOptions = {}): Promise<WrittenReport> {
  const started = performance.now();
  const any = files.map((file) => loadAnyResultFile(file));
  const programs = any.flatMap((entry) => (entry.kind === 'program' ? [entry.loaded] : []));
  const loaded = any.flatMap((entry) => (entry.kind === 'allocator' ? [entry.loaded] : []));
  if (programs.length > 0 && loaded.length > 0) throw new UsageError(mixedKinds(loaded[0]!.file, programs[0]!.file));
  if (programs.length > 0 && options.threads !== undefined) throw new UsageError(`--threads ${options.threads}: picks the thread count of the alloc latency distribution, which a program's report does not draw`);
  if (programs.length > 0) return { ...(await writeProgramReport(programs, options.outDir)), ms: performance.now() - started };
  const runs = mergeRuns(loaded);
  const rows = runs.map((run) => runMetrics(run));
  const cpus = loaded[0]!.result.machine.cpus;
  const context: ChartContext = { allocators: orderAllocators(rows.map((row) => row.allocator)), cpus, compare: false };
  const threads = distributionThreads(rows, options.threads);
  const curves: Curve[] = runs
    .filter((run) => run.threads === threads && run.latency && run.latency.alloc.count > 0)
    .map((run) => ({ allocator: run.allocator, points: percentileCurve(run.latency!.alloc) }));
  const charts = contentionCharts(rows, context, { threads, curves });
  const warnings = loaded.flatMap((entry) => sweepWarning(entry) ?? []);

  const notes = runNotes(rows);
  const scenarios = new Set(loaded.map(({ result }) => result.scenario));
  if (scenarios.size > 1) notes.unshift(`These files ran different scenarios (${[...scenarios].join(', ')}): their lines measure different workloads.`);
  if (new Set(loaded.map(({ result }) => result.machine.cpus)).size > 1) notes.unshift('These files come from machines with different core counts.');
  const title = `pagerace report: ${[...scenarios].join(', ')}`;
  const written = await writePage('report', options.outDir ?? resultsDir, charts, {
    title,
    banner: warnings,
    facts: loaded.flatMap((entry, i) => fileFacts(entry, loaded.length > 1 ? `file ${i + 1}` : 'file')),
    howToRead: howToRead(cpus, rows.find((row) => row.alloc)?.alloc?.sampleEvery),
    notes,
    tables: [runsTable(rows)],
  });
  return { ...written, ms: performance.now() - started, warnings };
}

/** Allocator sweeps and program runs measure different things: one page draws one kind. */
export function mixedKinds(allocatorFile: string, programFile: string): string {
  return `${allocatorFile} is an allocator sweep and ${programFile} a program's stress run: they are not drawn on one page; report them one at a time`;
}

/** The charts of a report; a compare page draws the same set with two runs on each. */
export function contentionCharts(all: RunMetrics[], context: ChartContext, distribution: { threads: number | undefined; curves: Curve[] }): Chart[] {
  // A run stopped before its first operation has no figures: 0 ops/s would be drawn as a collapse.
  const rows = all.filter((row) => row.measured);
  const domain = latencyDomain(rows);
  const timed = rows.some((row) => row.alloc);
  return [
    throughputChart(rows, context),
    ...(timed ? (['p50', 'p99', 'p999'] as const).map((percentile) => latencyChart(rows, context, percentile, domain)) : []),
    ...(timed && distribution.threads !== undefined
      ? [distributionChart(distribution.curves, context, distribution.threads, timerFloor(rows.filter((row) => row.threads === distribution.threads)))]
      : []),
    casChart(rows, context),
    lockChart(rows, context),
    scannedChart(rows, context),
  ];
}

/** The thread count the distribution chart shows: the one asked for, or the highest that was timed. */
export function distributionThreads(rows: RunMetrics[], wanted: number | undefined): number | undefined {
  const timed = [...new Set(rows.filter((row) => row.alloc).map((row) => row.threads))].sort((a, b) => a - b);
  if (wanted === undefined) return timed.at(-1);
  if (!timed.includes(wanted)) {
    throw new UsageError(`--threads ${wanted}: no timed run at ${plural(wanted, 'thread')}; the runs have ${timed.join(', ') || 'no latency at all'}`);
  }
  return wanted;
}

// Runs from several files are drawn together (one sweep of byte-cas, another of stack-bitmap), but two
// runs of one allocator at one thread count would be two points on one line: that is a comparison.
function mergeRuns(loaded: LoadedResult[]): SweepRun[] {
  const seen = new Map<string, string>();
  const runs: SweepRun[] = [];
  for (const { file, result } of loaded) {
    if (result.runs.length === 0) throw new UsageError(`${file}: holds no runs (the sweep stopped before its first run ended)`);
    for (const run of result.runs) {
      const key = `${run.allocator}\u0000${run.threads}`;
      const other = seen.get(key);
      if (other !== undefined) {
        throw new UsageError(`${other} and ${file} both hold ${run.allocator} at ${plural(run.threads, 'thread')}; to put two runs side by side use npm run compare -- ${other} ${file}`);
      }
      seen.set(key, file);
      runs.push(run);
    }
  }
  return runs;
}
