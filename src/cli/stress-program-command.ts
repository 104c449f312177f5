/**
 * `npm run stress -- <program or object>`: many rounds of a program on real threads, its outcomes
 * counted (src/subjects/program/stress-program.ts), at each thread count asked for (an object may work
 * at several), into a result file that `npm run report` draws. Exit 0 when every round passed, 1 when
 * any failed or the sweep was interrupted.
 */
import { formatInt, formatNs, plural } from '../report/format.ts';
import { checkOutDir, resultsDir } from '../report/result-file.ts';
import type { NamedProgram } from './program-file.ts';
import { Progress } from './progress.ts';
import { onStopSignals } from './stop-signals.ts';
import { shellQuote } from '../io/shell-quote.ts';
import { escapeControl, terminalSafe } from '../io/terminal-text.ts';
import { ExitCode, UsageError } from '../io/usage-error.ts';
import { shownPath } from '../io/user-cwd.ts';
import type { ProgramRun, ProgramSweepResult } from '../subjects/program/program-result.ts';
import { runProgramSweep } from '../subjects/program/program-sweep.ts';
import type { OutcomeCount } from '../subjects/program/stress-program.ts';

export interface ProgramStressCommand {
  program: NamedProgram;
  rounds: number;
  timeBudgetMs: number;
  /** `--threads` as given, or undefined for the program's own count. */
  threads?: number[];
  outDir?: string;
  /** Flags the reproduce command repeats. */
  extraFlags: string[];
  json: boolean;
  /** Flags given that only a scenario's stress run has. */
  refused: string[];
}

/** Rounds when none are asked for: enough to see a rare interleaving a few times on two cores. */
export const DEFAULT_ROUNDS = 2000;

export async function stressProgramCommand(c: ProgramStressCommand): Promise<number> {
  const { program } = c;
  const { info } = program;
  if (c.refused.length > 0) throw new UsageError(`${c.refused.map((f) => `--${f}`).join(', ')}: ${program.shown} is a program, whose threads and memory are its own; these flags apply to scenarios`);
  const allowed = info.object?.threadCounts ?? [info.threads];
  const threads = c.threads ?? [info.threads];
  const outside = threads.filter((n) => !allowed.includes(n));
  if (outside.length > 0) {
    const counts = allowed.length === 1 ? `${plural(allowed[0]!, 'thread')} only (its definition fixes them)` : `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)} threads (the counts its definition lists in threadCounts)`;
    throw new UsageError(`--threads ${threads.join(',')}: ${program.shown} runs at ${counts}`);
  }
  // Before anything runs or prints: a folder the result file cannot go in is one line.
  checkOutDir(c.outDir ?? resultsDir);
  const kind = info.object ? 'object' : 'program';
  if (!c.json) console.log(`stress ${kind} ${program.shown}: ${c.rounds.toLocaleString('en-US')} rounds at ${plural(threads.length, 'thread count')} (${threads.join(', ')}), each on fresh memory with every thread released at once`);
  const progress = new Progress(!c.json && process.stderr.isTTY === true);
  const controller = new AbortController();
  const stopSignals = onStopSignals((signal) => {
    progress.clear();
    process.stderr.write(`\nstopping: ${signal === 'SIGINT' ? 'Ctrl-C' : signal}; keeping what was gathered\n`);
    controller.abort();
  });
  let result: ProgramSweepResult;
  try {
    result = await runProgramSweep({
      file: program.file,
      shown: program.shown,
      info,
      threads,
      rounds: c.rounds,
      timeBudgetMs: c.timeBudgetMs,
      watchdogMs: 5000,
      extraFlags: c.extraFlags,
      ...(c.outDir !== undefined ? { outDir: c.outDir } : {}),
      signal: controller.signal,
      onRunStart: (n) => progress.start(`${info.name} x${n}`),
      onRunEnd: (run) => {
        progress.clear();
        if (!c.json) printRun(run);
      },
    });
  } finally {
    stopSignals.off();
    progress.clear();
  }
  const failed = result.runs.reduce((n, run) => n + run.failed, 0);
  const completed = result.runs.reduce((n, run) => n + run.completed, 0);
  const stopped = result.runs.find((run) => run.stopped);
  const explore = `npm run explore -- ${shellQuote(program.shown)}`;
  if (c.json) {
    // All rounds of the sweep at the top, each thread count's in runs.
    const { kind: _, version: __, machine: ___, settings: ____, ...summary } = result;
    console.log(JSON.stringify({ ...summary, completed, failed, outcomes: sumOutcomes(result.runs), ...(failed > 0 || stopped ? { explore } : {}) }, null, 2));
  } else {
    if (failed > 0 || stopped) console.log(`explore its interleavings: ${explore}`);
    const cut = result.interrupted ? '; interrupted before the sweep ended' : '';
    console.log(
      result.verdict === 'pass'
        ? `PASS: all ${completed.toLocaleString('en-US')} rounds`
        : result.verdict === 'interrupted' && failed === 0
          ? `INTERRUPTED: ${completed.toLocaleString('en-US')} rounds passed${cut}`
          : `FAIL: ${failed.toLocaleString('en-US')} of ${completed.toLocaleString('en-US')} rounds failed${stopped ? `; a round at ${plural(stopped.threads, 'thread')} did not end (${stopped.stoppedKind})` : ''}${cut}`,
    );
    console.log(`results: ${shownPath(result.resultFile)}`);
  }
  return result.verdict === 'pass' ? ExitCode.ok : ExitCode.expectationFailed;
}

function printRun(run: ProgramRun): void {
  const rate = `${formatInt(run.roundsPerSec)} rounds/s${run.latency ? `, ${formatInt(run.opsPerSec)} ops/s` : ''}`;
  const cut = run.interrupted ? ' (interrupted)' : '';
  console.log(`${plural(run.threads, 'thread')}: ${run.completed.toLocaleString('en-US')} rounds in ${run.seconds.toFixed(1)} s (${rate})${cut}:`);
  const width = Math.max(...run.outcomes.map((o) => o.rounds.toLocaleString('en-US').length), 1);
  for (const o of run.outcomes) {
    const first = o.first ? `: ${terminalSafe(o.first.message)} (first in round ${o.first.round})` : '';
    console.log(`  ${o.rounds.toLocaleString('en-US').padStart(width)} ${o.outcome}${first}`);
  }
  if (run.latency) {
    const names = Object.keys(run.latency.operations);
    const nameWidth = Math.max(...names.map((n) => n.length));
    for (const name of names) {
      const h = run.latency.operations[name]!;
      console.log(`  ${terminalSafe(name).padEnd(nameWidth)}  ${h.count.toLocaleString('en-US').padStart(9)} calls  p50 ${formatNs(h.p50).padStart(9)}  p99 ${formatNs(h.p99).padStart(9)}  p99.9 ${formatNs(h.p999).padStart(9)}`);
    }
  }
  if (run.stopped) console.log(`✗ ${run.stoppedKind}, the run stopped: ${escapeControl(run.stopped)}`);
}

/** The outcomes of every run added up; `first` from the earliest run that had one. */
function sumOutcomes(runs: ProgramRun[]): OutcomeCount[] {
  const total = new Map<string, OutcomeCount>();
  for (const o of runs.flatMap((run) => run.outcomes)) {
    const entry = total.get(o.outcome);
    if (!entry) total.set(o.outcome, { ...o });
    else entry.rounds += o.rounds;
  }
  return [...total.values()];
}
