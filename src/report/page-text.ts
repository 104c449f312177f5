/**
 * The words around the charts, shared by the report and the compare page: what each result file is,
 * how to read the charts, and which runs the charts leave out or qualify.
 */
import { formatInt, formatNs, formatPerOp, plural } from './format.ts';
import type { LoadedResult } from './load-results.ts';
import type { RunMetrics } from './run-metrics.ts';

/** Label/value rows naming a result file: scenario, seed, machine, date, length. */
export function fileFacts({ file, result }: LoadedResult, label = 'file'): [string, string][] {
  const { machine, settings } = result;
  const length = settings.ops !== undefined ? `${formatInt(settings.ops)} ops per thread` : settings.durationMs !== undefined ? `${settings.durationMs / 1000} s per thread` : 'as the scenario says';
  const state = !result.complete ? ' (incomplete: the sweep did not end)' : result.interrupted ? ' (interrupted: partial)' : '';
  return [
    [label, `${file}${state}`],
    ['scenario', `${result.scenario}: ${result.description}`],
    ['seed', `${result.seed}; ${length}${settings.pages !== undefined ? `, ${formatInt(settings.pages)} pages` : ''}; verdict ${result.verdict}`],
    ['machine', `${plural(machine.cpus, 'core')}, ${machine.cpuModel}, Node ${machine.node}, ${machine.platform}`],
    ['date', result.startedAt],
  ];
}

export function howToRead(cpus: number, sampleEvery: number | undefined): string[] {
  const sampled = sampleEvery === undefined ? '' : sampleEvery === 1 ? 'every call is timed, ' : `one call in ${sampleEvery} is timed, `;
  return [
    'One line per allocator, in the same color in every chart; a point is one run (one allocator at one thread count), and hovering it shows its figures. The x axis is threads on a log scale.',
    `Throughput counts the operations of all threads per second of the measured phase. This machine has ${plural(cpus, 'core')}: past that, threads take turns on the cores (oversubscription), so throughput cannot grow, and a thread preempted while it holds a global lock stalls every other thread.`,
    `Latency is the time of one alloc call as the thread saw it, lock waits included (${sampled}into a log-linear histogram whose buckets are at most 6.25 % wide). p50 is the median, p99.9 the call slower than 999 in 1000. The axes are logarithmic. The dashed line is the timer floor: two back-to-back clock reads, so a latency near it is clock noise, not allocator cost.`,
    'The distribution chart plots the same histograms by percentile, as HdrHistogram does: the x axis is 1/(1-q) on a log scale, so 90 %, 99 %, 99.9 % and 99.99 % are evenly spaced and the tail gets as much room as the median. A line that turns up steeply is where waiting (for a lock, or for the core) begins.',
    'CAS failures per op counts compareExchange calls that lost a race on a bitmap byte; lock waits per op counts calls that found the global lock taken. Bitmap scanned per op is how many bytes (or words) the search read: the figure where a search that restarts too far back, like `byte-cas/precedence`, shows its cost.',
    'A stress seed reproduces each thread\'s random choices, not the interleaving: throughput and the tail differ from sweep to sweep, most of all past the core count. Counters per op move much less than times.',
  ];
}

/** What {@link sweepWarning} reads of a sweep, an allocator's or a program's. */
export interface SweepState {
  plannedRuns: number;
  runs: readonly unknown[];
  complete: boolean;
  interrupted: boolean;
  verdict: string;
}

/**
 * A sweep that did not end, or was stopped, in one sentence: for the banner at the top of a page and
 * the note a command prints. Undefined for a sweep that ran to its end.
 */
export function sweepWarning({ file, result }: { file: string; result: SweepState }, label?: string): string | undefined {
  const which = label ? `${label} (${file})` : file;
  const planned = Number.isInteger(result.plannedRuns) && result.plannedRuns >= result.runs.length ? ` of the ${result.plannedRuns} planned` : '';
  const runs = `${plural(result.runs.length, 'run')}${planned}`;
  if (!result.complete) {
    return `${which} is incomplete: its sweep did not end (it was killed, or is still running); it holds ${runs}, and its verdict "${result.verdict}" covers those only.`;
  }
  if (result.interrupted) return `${which} was interrupted (Ctrl-C or SIGTERM) after ${runs}: the sweep did not run everything it meant to.`;
  return undefined;
}

/** What the charts leave out (runs that timed nothing) or should be read with care (stopped, failed). */
export function runNotes(rows: RunMetrics[]): string[] {
  const name = (row: RunMetrics) => `${row.side ? `${row.side}: ` : ''}${row.allocator} x${row.threads}`;
  const notes: string[] = [];
  const unmeasured = rows.filter((row) => !row.measured);
  if (unmeasured.length > 0) {
    notes.push(`Not drawn in any chart, because they were stopped before they measured an operation: ${unmeasured.map((row) => `${name(row)} (${row.stopped ?? 'no operations'})`).join(', ')}.`);
  }
  const unchecked = rows.filter((row) => row.measured && !row.checks);
  if (unchecked.length > 0) {
    notes.push(`Left out of the latency charts, because they timed nothing (run with \`--checks none\`): ${unchecked.map(name).join(', ')}. Unchecked, too: no ledger watched them, so their speed says nothing of their correctness.`);
  }
  const untimed = rows.filter((row) => row.measured && row.checks && !row.alloc);
  if (untimed.length > 0) notes.push(`Left out of the latency charts, because they timed no alloc call: ${untimed.map(name).join(', ')}.`);
  const stopped = rows.filter((row) => row.measured && row.stopped);
  if (stopped.length > 0) notes.push(`Cut short, so their figures cover part of a phase: ${stopped.map((row) => `${name(row)} (${row.stopped})`).join(', ')}.`);
  const failed = rows.filter((row) => row.failed);
  if (failed.length > 0) notes.push(`Did not show what their scenario expects (see the result file for the violations): ${failed.map(name).join(', ')}.`);
  return notes;
}

/** The numbers behind the charts, one row per run; a compare page adds which run (A or B) it is. */
export function runsTable(rows: RunMetrics[]): { caption: string; head: string[]; rows: string[][]; numeric: number[] } {
  const ns = (value: number | undefined) => (value === undefined ? '-' : formatNs(value));
  const sides = rows.some((row) => row.side);
  return {
    caption: 'Every run: throughput, alloc latency percentiles, timer floor and per-operation counters',
    head: [...(sides ? ['run'] : []), 'allocator', 'threads', 'ops/s', 'p50', 'p99', 'p99.9', 'timer floor', 'CAS fail/op', 'scanned/op', 'lock waits/op', 'result'],
    numeric: [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => i + (sides ? 1 : 0)),
    rows: rows.map((row) => [
      ...(sides ? [row.side ?? ''] : []),
      row.allocator,
      String(row.threads),
      formatInt(row.opsPerSec),
      ns(row.alloc?.p50),
      ns(row.alloc?.p99),
      ns(row.alloc?.p999),
      ns(row.alloc?.timerFloorNs),
      formatPerOp(row.casPerOp),
      formatPerOp(row.scannedPerOp),
      formatPerOp(row.lockWaitsPerOp),
      resultCell(row),
    ]),
  };
}

function resultCell(row: RunMetrics): string {
  if (row.verdict === 'interrupted') return 'interrupted';
  const verdict = row.verdict === 'pass' ? 'ok' : row.verdict === 'fail' ? 'failed' : row.verdict;
  return row.stopped && row.stopped !== 'interrupted' ? `${verdict}, stopped: ${row.stopped}` : verdict;
}
