/**
 * `npm run stress -- <program>`: many rounds of a program on real threads, its outcomes counted
 * (src/subjects/program/stress-program.ts). Exit 0 when every round passed, 1 when any failed.
 */
import { plural } from '../report/format.ts';
import type { NamedProgram } from './program-file.ts';
import { shellQuote } from '../io/shell-quote.ts';
import { escapeControl, terminalSafe } from '../io/terminal-text.ts';
import { ExitCode, UsageError } from '../io/usage-error.ts';
import { stressProgram } from '../subjects/program/stress-program.ts';

export interface ProgramStressCommand {
  program: NamedProgram;
  rounds: number;
  timeBudgetMs: number;
  json: boolean;
  /** Flags given that only a scenario's stress run has. */
  refused: string[];
}

/** Rounds when none are asked for: enough to see a rare interleaving a few times on two cores. */
export const DEFAULT_ROUNDS = 2000;

export async function stressProgramCommand(c: ProgramStressCommand): Promise<number> {
  const { program } = c;
  if (c.refused.length > 0) throw new UsageError(`${c.refused.map((f) => `--${f}`).join(', ')}: ${program.shown} is a program, whose threads and memory are its own; these flags apply to scenarios`);
  if (!c.json) console.log(`stress program ${program.shown}: ${plural(program.info.threads, 'thread')}, ${c.rounds.toLocaleString('en-US')} rounds, each on fresh memory with every thread released at once`);
  const result = await stressProgram({ file: program.file, info: program.info, rounds: c.rounds, timeBudgetMs: c.timeBudgetMs, watchdogMs: 5000 });
  const failed = result.outcomes.filter((o) => o.outcome !== 'pass').reduce((n, o) => n + o.rounds, 0);
  const explore = `npm run explore -- ${shellQuote(program.shown)}`;
  if (c.json) {
    console.log(JSON.stringify({ ...result, failed, ...(failed > 0 || result.stopped ? { explore } : {}) }, null, 2));
  } else {
    const width = Math.max(...result.outcomes.map((o) => o.rounds.toLocaleString('en-US').length));
    console.log(`${result.completed.toLocaleString('en-US')} rounds in ${result.seconds.toFixed(1)} s:`);
    for (const o of result.outcomes) {
      const first = o.first ? `: ${terminalSafe(o.first.message)} (first in round ${o.first.round})` : '';
      console.log(`  ${o.rounds.toLocaleString('en-US').padStart(width)} ${o.outcome}${first}`);
    }
    if (result.stopped) console.log(`✗ ${result.stoppedKind}, the run stopped: ${escapeControl(result.stopped)}`);
    if (failed > 0 || result.stopped) console.log(`explore its interleavings: ${explore}`);
    const stopped = result.stopped ? `; round ${result.completed + 1} did not end (${result.stoppedKind})` : '';
    console.log(failed > 0 || result.stopped ? `FAIL: ${failed.toLocaleString('en-US')} of ${result.completed.toLocaleString('en-US')} rounds failed${stopped}` : `PASS: all ${result.completed.toLocaleString('en-US')} rounds`);
  }
  return failed > 0 || result.stopped || result.completed === 0 ? ExitCode.expectationFailed : ExitCode.ok;
}
