/** `npm run replay` of a program's token: the same output as an allocator's, in a program's words. */
import type { PointsMode } from '../controlled/plain-access-mode.ts';
import type { Engine } from '../controlled/engine.ts';
import { onEngine } from '../controlled/on-engine.ts';
import type { CheckedToken } from '../controlled/token.ts';
import { replayProgram } from '../subjects/program/replay-program.ts';
import { formatProgramViolation } from './program-text.ts';
import { ExitCode, UsageError } from '../io/usage-error.ts';

export async function replayProgramCommand(token: CheckedToken, points: PointsMode | undefined, engine: Engine | undefined, command: string, json: boolean): Promise<number> {
  const result = await onEngine(engine, json, (e) => replayProgram(token, points, e));
  if (result.outcome === 'diverged') {
    throw new UsageError(`replay diverged from its token: ${result.divergence} (the program changed since it was recorded; explore again)`);
  }
  if (json) {
    console.log(JSON.stringify({ outcome: result.outcome, violation: result.violation, violations: result.violations, steps: result.steps, traceDigest: result.traceDigest, sameTrace: result.sameTrace, sameViolation: result.sameViolation, trace: result.trace }, null, 2));
  } else {
    console.log(`replay program ${token.scenario}: ${token.threads} threads, ${token.schedule.length} recorded steps (${token.strategy})`);
    console.log(result.violation ? formatProgramViolation(result.violation, command) : 'no violation');
    if (!result.sameViolation) console.log(`\nthe token recorded a ${token.kind}; this replay did not end with one`);
    console.log(`\n${result.trace}\n\ntrace digest ${result.traceDigest} (${result.sameTrace ? 'same as recorded' : `recorded ${token.digest}: DIFFERENT`})`);
  }
  return result.outcome === 'violation' && result.sameTrace && result.sameViolation ? ExitCode.ok : ExitCode.expectationFailed;
}
