/**
 * Comparing two program or object stress result files: runs paired by thread count (the same program,
 * or one in each file), B/A of throughput, and for objects of each operation's p50, p99 and p99.9 call
 * latency, one row per operation and thread count; the page draws both runs on the report's charts,
 * A solid and B dashed.
 */
import { UsageError } from '../io/usage-error.ts';
import type { ProgramRun } from '../subjects/program/program-result.ts';
import { operationSeries, programCharts, programFacts, subjectOf } from './build-program-report.ts';
import { type ComparedRow, ratios } from './compare-runs.ts';
import { latencyRatioCells, throughputCells } from './compare-table.ts';
import type { LoadedProgramResult } from './load-program-results.ts';
import { sweepWarning } from './page-text.ts';
import { operationLatency, programThroughput } from './program-metrics.ts';
import type { PageTable } from './report-page.ts';
import { resultsDir } from './result-file.ts';
import { type WrittenPage, writePage } from './write-page.ts';

export interface WrittenProgramCompare extends WrittenPage {
  rows: ComparedRow[];
  table: PageTable;
  warnings: string[];
}

export async function writeProgramCompare(a: LoadedProgramResult, b: LoadedProgramResult, outDir = resultsDir): Promise<WrittenProgramCompare> {
  const subject = subjectOf([a, b]);
  const pairs = a.result.runs.flatMap((runA) => {
    const runB = b.result.runs.find((run) => run.threads === runA.threads);
    return runB ? [[runA, runB] as [ProgramRun, ProgramRun]] : [];
  });
  if (pairs.length === 0) {
    const threads = (side: LoadedProgramResult) => side.result.runs.map((run) => run.threads).join(', ') || 'none';
    throw new UsageError(`no thread count in common: ${a.file} has ${threads(a)}, ${b.file} has ${threads(b)}`);
  }
  const label = a.result.program === b.result.program ? a.result.program : `${a.result.program} -> ${b.result.program}`;
  const series = operationSeries([a]);
  const rows: ComparedRow[] = pairs.flatMap(([runA, runB]) => {
    const throughputA = programThroughput(a.result, runA, 'A');
    const throughputB = programThroughput(b.result, runB, 'B');
    const whole = { label, threads: runA.threads, a: throughputA, b: throughputB, ratio: ratios(throughputA, throughputB) };
    const opsA = operationLatency(runA, series(a.result.program), 'A');
    const opsB = operationLatency(runB, series(a.result.program), 'B');
    // Per operation: the operation's latency, next to the run's throughput.
    const perOperation = opsA.flatMap((opA) => {
      const opB = opsB.find((row) => row.allocator === opA.allocator);
      return opB ? [{ label: opA.allocator, threads: runA.threads, a: opA, b: opB, ratio: { ...ratios(opA, opB), opsPerSec: whole.ratio.opsPerSec } }] : [];
    });
    return perOperation.length > 0 ? perOperation : [whole];
  });
  const throughput = pairs.flatMap(([runA, runB]) => [programThroughput(a.result, runA, 'A'), programThroughput(b.result, runB, 'B')]);
  const latency = pairs.flatMap(([runA, runB]) => [...operationLatency(runA, series(a.result.program), 'A'), ...operationLatency(runB, series(a.result.program), 'B')]);
  const charts = programCharts(throughput, latency, subject, a.result.machine.cpus, true);
  const warnings = [sweepWarning(a, 'A') ?? [], sweepWarning(b, 'B') ?? []].flat();
  const table = programCompareTable(rows, subject === 'object');
  const written = await writePage('compare', outDir, charts, {
    title: `pagerace compare: ${label}, run A against run B`,
    banner: warnings,
    facts: [...programFacts(a, 'A'), ...programFacts(b, 'B')],
    howToRead: [
      'Both runs on the same axes: run A solid with round points, run B dashed with triangles. The table gives B/A: throughput below 1x means B is slower, a latency above 1x means B is slower.',
      'Two runs of the same code differ by chance, most of all in throughput and the tail: a ratio near 1x is no difference.',
    ],
    notes: a.result.machine.cpus !== b.result.machine.cpus ? [`A ran on ${a.result.machine.cpus} cores, B on ${b.result.machine.cpus}.`] : [],
    tables: [table],
  });
  return { ...written, rows, table, warnings };
}

function programCompareTable(rows: ComparedRow[], object: boolean): PageTable {
  const unit = object ? 'ops/s' : 'rounds/s';
  return {
    caption: `B/A per ${object ? 'operation' : 'program'} and thread count: ${unit} below 1x means B is slower; latency above 1x means B is slower`,
    head: [object ? 'operation' : 'program', 'threads', `${unit} A`, `${unit} B`, `${unit} B/A`, ...(object ? ['p50 B/A', 'p99 B/A', 'p99.9 B/A'] : [])],
    numeric: object ? [1, 2, 3, 4, 5, 6, 7] : [1, 2, 3, 4],
    rows: rows.map((row) => [...throughputCells(row), ...(object ? latencyRatioCells(row) : [])]),
  };
}
