/**
 * The compare page: two runs on the same axes (run A solid, run B dashed, each allocator in its own
 * color), the B/A table, and every paired run's figures, into `compare.html` and `compare-<chart>.svg`.
 */
import path from 'node:path';
import { contentionCharts, distributionThreads } from './build-report.ts';
import type { ChartContext, Curve } from './chart-specs.ts';
import { type ComparedRow, compareRuns } from './compare-runs.ts';
import { compareTable } from './compare-table.ts';
import type { LoadedResult } from './load-results.ts';
import { type LoadedProgramResult, loadAnyResultFile } from './load-program-results.ts';
import { writeProgramCompare } from './program-compare.ts';
import type { PageTable } from './report-page.ts';
import { UsageError } from '../io/usage-error.ts';
import { mixedKinds } from './build-report.ts';
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
  /** The two files as messages name them. */
  files: { a: string; b: string };
  /** What A and B are, a line each (one when they are one file), for the terminal. */
  heading: string[];
  rows: ComparedRow[];
  /** The B/A table, as the page shows it. */
  table: PageTable;
  /** How to read the table, in a line. */
  legend: string;
  ms: number;
  /** The files that did not end, or were stopped, one sentence each: the page's banner. */
  warnings: string[];
}

export async function writeCompare(fileA: string, fileB: string, options: CompareOptions = {}): Promise<WrittenCompare> {
  const started = performance.now();
  const anyA = loadAnyResultFile(fileA);
  const anyB = path.resolve(fileB) === path.resolve(fileA) ? anyA : loadAnyResultFile(fileB);
  if (anyA.kind === 'program' || anyB.kind === 'program') {
    if (anyA.kind !== anyB.kind) throw new UsageError(anyA.kind === 'allocator' ? mixedKinds(anyA.loaded.file, anyB.loaded.file) : mixedKinds(anyB.loaded.file, anyA.loaded.file));
    if (options.allocators) throw new UsageError(`--allocators: ${anyA.loaded.file} holds a program's stress runs, not allocators; compare two files`);
    if (options.threads !== undefined) throw new UsageError(`--threads ${options.threads}: picks the thread count of the alloc latency distribution, which a program's comparison does not draw`);
    const [pa, pb] = [anyA.loaded as LoadedProgramResult, anyB.loaded as LoadedProgramResult];
    if (pa === pb) throw new UsageError(`${pa.file}: one program's runs; name two files to compare`);
    const written = await writeProgramCompare(pa, pb, options.outDir);
    const name = (side: LoadedProgramResult) => `${side.file} (${side.result.program}, ${side.result.startedAt})`;
    return {
      ...written,
      files: { a: pa.file, b: pb.file },
      heading: [`A: ${name(pa)}`, `B: ${name(pb)}`],
      legend: 'B/A of throughput below 1x: B is slower; latency B/A above 1x: B is slower. Call latency per operation, every call timed.',
      ms: performance.now() - started,
    };
  }
  const a = anyA.loaded;
  const b = anyB.kind === 'allocator' ? anyB.loaded : a;
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
  // Names and seeds come from the files: the command escapes them before they reach a terminal.
  const describe = (side: LoadedResult) => `${side.file} (${side.result.scenario}, seed ${side.result.seed}, ${side.result.startedAt})`;
  return {
    ...written,
    files: { a: a.file, b: b.file },
    heading: same ? [`A and B: ${describe(a)}`] : [`A: ${describe(a)}`, `B: ${describe(b)}`],
    rows,
    table: compareTable(rows),
    legend: 'ops/s B/A below 1x: B is slower; latency B/A above 1x: B is slower. Alloc latency, lock waits included.',
    ms: performance.now() - started,
    warnings,
  };
}
