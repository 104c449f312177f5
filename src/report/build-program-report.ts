/**
 * The report of program and object stress result files: throughput against threads (one line per
 * program), and for objects p50, p99 and p99.9 call latency per operation against threads, drawn with
 * the allocator report's chart shapes (chart-specs.ts), with the runs' outcome counts as a table.
 */
import { UsageError } from '../io/usage-error.ts';
import type { ProgramSweepResult } from '../subjects/program/program-result.ts';
import type { WrittenReport } from './build-report.ts';
import { type Chart, type ChartContext, type ChartWording, latencyChart, latencyDomain, throughputChart } from './chart-specs.ts';
import { formatInt, formatNs, plural } from './format.ts';
import type { LoadedProgramResult } from './load-program-results.ts';
import { sweepWarning } from './page-text.ts';
import { orderAllocators } from './palette.ts';
import { operationLatency, programThroughput } from './program-metrics.ts';
import type { PageTable } from './report-page.ts';
import { resultsDir } from './result-file.ts';
import type { RunMetrics } from './run-metrics.ts';
import { writePage } from './write-page.ts';

/** The words of the charts: an object's calls, or a plain program's rounds. */
export function programWording(subject: ProgramSweepResult['subject'], series: string): ChartWording {
  return subject === 'object'
    ? {
        series,
        latencyOf: 'call',
        throughput: { unit: 'ops/s', yTitle: 'calls/s (all threads)', subtitle: "the object's calls per second over its rounds, all threads together, each round's setup and check included; higher is better" },
      }
    : { series, latencyOf: 'call', throughput: { unit: 'rounds/s', yTitle: 'rounds/s', subtitle: 'rounds per second, each on fresh memory with every thread released at once; higher is better' } };
}

/** One line per operation; with several programs on one page, each operation's name says whose it is. */
export function operationSeries(loaded: LoadedProgramResult[]): (program: string) => (operation: string) => string {
  const several = new Set(loaded.map(({ result }) => result.program)).size > 1;
  return (program) => (operation) => (several ? `${program} ${operation}` : operation);
}

/** The charts of program results; a compare page draws the same with two runs on each. */
export function programCharts(throughput: RunMetrics[], latency: RunMetrics[], subject: ProgramSweepResult['subject'], cpus: number, compare: boolean): Chart[] {
  const measured = throughput.filter((row) => row.measured);
  const timed = latency.filter((row) => row.measured);
  const context = (rows: RunMetrics[], series: string): ChartContext => ({ allocators: orderAllocators(rows.map((row) => row.allocator)), cpus, compare, wording: programWording(subject, series) });
  const domain = latencyDomain(timed);
  const latencyContext = context(timed, 'operation');
  return [
    throughputChart(measured, context(measured, subject)),
    ...(timed.length > 0 ? (['p50', 'p99', 'p999'] as const).map((percentile) => latencyChart(timed, latencyContext, percentile, domain)) : []),
  ];
}

/** Every file holds one kind of subject: an object's ops/s and a program's rounds/s are not one axis. */
export function subjectOf(loaded: LoadedProgramResult[]): ProgramSweepResult['subject'] {
  const subjects = new Set(loaded.map(({ result }) => result.subject));
  if (subjects.size > 1) {
    const program = loaded.find(({ result }) => result.subject === 'program')!;
    const object = loaded.find(({ result }) => result.subject === 'object')!;
    throw new UsageError(`${program.file} is a plain program (rounds/s) and ${object.file} an object (calls/s): they are not drawn on one axis; report them one at a time`);
  }
  return loaded[0]!.result.subject;
}

export async function writeProgramReport(loaded: LoadedProgramResult[], outDir = resultsDir): Promise<Omit<WrittenReport, 'ms'>> {
  const subject = subjectOf(loaded);
  const seen = new Map<string, string>();
  for (const { file, result } of loaded) {
    if (result.runs.length === 0) throw new UsageError(`${file}: holds no runs (the sweep stopped before its first run ended)`);
    for (const run of result.runs) {
      const key = `${result.program}\u0000${run.threads}`;
      const other = seen.get(key);
      if (other !== undefined) throw new UsageError(`${other} and ${file} both hold ${result.program} at ${plural(run.threads, 'thread')}; to put two runs side by side use npm run compare -- ${other} ${file}`);
      seen.set(key, file);
    }
  }
  const series = operationSeries(loaded);
  const throughput = loaded.flatMap(({ result }) => result.runs.map((run) => programThroughput(result, run)));
  const latency = loaded.flatMap(({ result }) => result.runs.flatMap((run) => operationLatency(run, series(result.program))));
  const cpus = loaded[0]!.result.machine.cpus;
  const charts = programCharts(throughput, latency, subject, cpus, false);
  const warnings = loaded.flatMap((entry) => sweepWarning(entry) ?? []);
  const notes: string[] = [];
  const unmeasured = throughput.filter((row) => !row.measured);
  if (unmeasured.length > 0) notes.push(`Not drawn, because they ended no round: ${unmeasured.map((row) => `${row.allocator} x${row.threads}`).join(', ')}.`);
  const failed = throughput.filter((row) => row.failed);
  if (failed.length > 0) notes.push(`Had rounds that did not pass (see the outcomes below and the result file): ${failed.map((row) => `${row.allocator} x${row.threads}`).join(', ')}.`);
  const names = [...new Set(loaded.map(({ result }) => result.program))];
  const written = await writePage('report', outDir, charts, {
    title: `pagerace report: ${names.join(', ')}`,
    banner: warnings,
    facts: loaded.flatMap((entry, i) => programFacts(entry, loaded.length > 1 ? `file ${i + 1}` : 'file')),
    howToRead: programHowToRead(subject, cpus),
    notes,
    tables: [programRunsTable(loaded), ...(latency.length > 0 ? [latencyTable(latency)] : [])],
  });
  return { ...written, warnings };
}

export function programFacts({ file, result }: LoadedProgramResult, label = 'file'): [string, string][] {
  const { machine, settings } = result;
  const state = !result.complete ? ' (incomplete: the sweep did not end)' : result.interrupted ? ' (interrupted: partial)' : '';
  const length = `${formatInt(settings.rounds)} rounds per thread count${settings.durationMs !== undefined ? `, at most ${settings.durationMs / 1000} s each` : ''}`;
  return [
    [label, `${file}${state}`],
    [result.subject, `${result.program} (${result.programFile})${result.description ? `: ${result.description}` : ''}`],
    ['rounds', `${length}; verdict ${result.verdict}`],
    ['machine', `${plural(machine.cpus, 'core')}, ${machine.cpuModel}, Node ${machine.node}, ${machine.platform}`],
    ['date', result.startedAt],
  ];
}

function programHowToRead(subject: ProgramSweepResult['subject'], cpus: number): string[] {
  const rounds =
    'Each round zeroes the memory, runs init, releases every thread at once and, when all have ended, checks what they left (for an object: searches its history for a linearization), so most of a round is the harness\'s time. Read throughput between thread counts and between two runs of the same harness, not as the raw speed of the code.';
  return [
    `A point is one run (one thread count); the x axis is threads on a log scale. This machine has ${plural(cpus, 'core')}: past that, threads take turns on the cores.`,
    subject === 'object' ? `Throughput counts the object's calls that returned, all threads, per second of the run. ${rounds}` : `Throughput counts rounds per second. ${rounds}`,
    ...(subject === 'object'
      ? [
          'Latency is one call of an operation as its thread saw it, every call timed, into a log-linear histogram whose buckets are at most 6.25 % wide; one line per operation. p50 is the median, p99.9 the call slower than 999 in 1000; the axes are logarithmic, and the dashed line is the timer floor (two back-to-back clock reads): a latency near it is clock noise. A round has few calls per thread, so the tail holds the calls that met another thread, and those that met the first call\'s warm-up.',
        ]
      : []),
    'The outcomes table counts what each round ended in, as jcstress counts outcomes: pass, assertion, check, deadlock, crash.',
  ];
}

function programRunsTable(loaded: LoadedProgramResult[]): PageTable {
  return {
    caption: 'Every run: rounds, throughput and what the rounds ended in',
    head: ['program', 'threads', 'rounds', 'rounds/s', 'ops/s', 'outcomes', 'result'],
    numeric: [1, 2, 3, 4],
    rows: loaded.flatMap(({ result }) =>
      result.runs.map((run) => [
        result.program,
        String(run.threads),
        formatInt(run.completed),
        formatInt(run.roundsPerSec),
        result.subject === 'object' ? formatInt(run.opsPerSec) : '-',
        run.outcomes.map((o) => `${formatInt(o.rounds)} ${o.outcome}`).join(', '),
        `${run.verdict}${run.stoppedKind ? `, stopped: ${run.stoppedKind}` : ''}`,
      ]),
    ),
  };
}

function latencyTable(rows: RunMetrics[]): PageTable {
  return {
    caption: 'Call latency per operation and thread count',
    head: ['operation', 'threads', 'calls', 'p50', 'p99', 'p99.9', 'timer floor'],
    numeric: [1, 2, 3, 4, 5, 6],
    rows: rows.map((row) => [row.allocator, String(row.threads), formatInt(row.alloc!.count), formatNs(row.alloc!.p50), formatNs(row.alloc!.p99), formatNs(row.alloc!.p999), formatNs(row.alloc!.timerFloorNs)]),
  };
}
