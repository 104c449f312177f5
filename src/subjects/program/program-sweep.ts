/**
 * A program's or an object's stress sweep: one run per thread count, the result file created before
 * the first run and rewritten whole (atomically) after each, as an allocator sweep's is.
 *
 * invariant: the file says `complete: false` until the sweep has ended, so one killed with kill -9
 * (which no handler sees) says it is partial; Ctrl-C or SIGTERM ends the current round, keeps the
 * rounds counted so far and marks the file interrupted.
 */
import { commandLine } from '../../io/shell-quote.ts';
import { shownPath } from '../../io/user-cwd.ts';
import { createExclusive, resultFileBase, resultsDir, writeJsonAtomic } from '../../report/result-file.ts';
import { thisMachine } from '../../report/sweep-head.ts';
import type { ProgramInfo } from './check-program.ts';
import { PROGRAM_RESULT_KIND, PROGRAM_RESULT_VERSION, type ProgramRun, type ProgramSweepResult, programSweepVerdict, programVerdict } from './program-result.ts';
import { stressProgram } from './stress-program.ts';

export interface ProgramSweepOptions {
  /** Absolute path of the module, and as commands name it. */
  file: string;
  shown: string;
  info: ProgramInfo;
  threads: number[];
  rounds: number;
  timeBudgetMs: number;
  watchdogMs: number;
  outDir?: string;
  /** Flags the reproduce command repeats (`--rounds 500`). */
  extraFlags: string[];
  signal?: AbortSignal;
  onRunStart?: (threads: number) => void;
  onRunEnd?: (run: ProgramRun) => void;
}

export async function runProgramSweep(options: ProgramSweepOptions): Promise<ProgramSweepResult> {
  const { info } = options;
  const startedAt = new Date();
  const result: ProgramSweepResult = {
    kind: PROGRAM_RESULT_KIND,
    version: PROGRAM_RESULT_VERSION,
    subject: info.object ? 'object' : 'program',
    program: info.name,
    programFile: options.shown,
    description: info.description ?? '',
    verdict: 'pass',
    interrupted: false,
    complete: false,
    plannedRuns: options.threads.length,
    resultFile: '',
    startedAt: startedAt.toISOString(),
    machine: thisMachine(),
    settings: { rounds: options.rounds, ...(Number.isFinite(options.timeBudgetMs) ? { durationMs: options.timeBudgetMs } : {}), threads: options.threads },
    ...(info.object ? { operations: info.object.operations } : {}),
    runs: [],
  };
  const text = (data: ProgramSweepResult) => `${JSON.stringify(data, null, 2)}\n`;
  // Created before the first run, exclusively: an unwritable folder is found now, and two sweeps of one
  // millisecond get a name each. `stress-` as allocator sweeps: `npm run report` finds the latest of both.
  const file = createExclusive(options.outDir ?? resultsDir, resultFileBase('stress', info.name, startedAt), '.json', text(result));
  result.resultFile = shownPath(file);
  writeJsonAtomic(file, result);
  for (const threads of options.threads) {
    if (options.signal?.aborted) {
      result.interrupted = true;
      break;
    }
    options.onRunStart?.(threads);
    const r = await stressProgram({
      file: options.file,
      info,
      threads,
      rounds: options.rounds,
      timeBudgetMs: options.timeBudgetMs,
      watchdogMs: options.watchdogMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const failed = r.outcomes.filter((o) => o.outcome !== 'pass').reduce((n, o) => n + o.rounds, 0);
    const partial = { failed, interrupted: r.interrupted, completed: r.completed, ...(r.stoppedKind ? { stoppedKind: r.stoppedKind } : {}) };
    const run: ProgramRun = {
      threads,
      rounds: r.rounds,
      completed: r.completed,
      seconds: r.seconds,
      roundsPerSec: r.seconds > 0 ? r.completed / r.seconds : 0,
      ops: r.ops,
      opsPerSec: r.seconds > 0 ? r.ops / r.seconds : 0,
      outcomes: r.outcomes,
      failed,
      verdict: programVerdict(partial),
      interrupted: r.interrupted,
      ...(r.stopped ? { stopped: r.stopped } : {}),
      ...(r.stoppedKind ? { stoppedKind: r.stoppedKind } : {}),
      ...(r.latency ? { latency: r.latency } : {}),
      reproduce: commandLine('npm run stress --', [options.shown, '--threads', String(threads), ...options.extraFlags]),
    };
    result.runs.push(run);
    if (r.interrupted) result.interrupted = true;
    result.verdict = programSweepVerdict(result.runs, result.interrupted);
    writeJsonAtomic(file, result);
    options.onRunEnd?.(run);
    if (result.interrupted) break;
  }
  result.verdict = programSweepVerdict(result.runs, result.interrupted);
  result.complete = true;
  writeJsonAtomic(file, result);
  return result;
}
