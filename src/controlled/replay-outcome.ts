/**
 * What a replay says, whatever its subject: how the recorded schedule ran and whether it gave what the
 * token recorded (the same violation kind and the same trace digest). Allocator tokens (replay-run.ts)
 * and program tokens (src/subjects/program/replay-program.ts) both report it.
 */
import type { Violation } from '../check/violation.ts';
import type { ScheduleResult } from './coordinator.ts';
import type { CheckedToken } from './token.ts';
import { formatTrace } from './trace.ts';

export interface ReplayOutcome {
  outcome: 'violation' | 'pass' | 'diverged';
  violation?: Violation;
  violations: Violation[];
  steps: number;
  trace: string;
  traceDigest: string;
  /** Whether the digest equals the one recorded in the token. */
  sameTrace: boolean;
  /** Whether the run ended with the kind of violation the token recorded. */
  sameViolation: boolean;
  divergence?: string;
}

/** The outcome of `result`, the run of `token`'s schedule; `violation` is the one the replay reports. */
export function replayOutcome(token: CheckedToken, result: ScheduleResult, threads: number, violation: Violation | undefined): ReplayOutcome {
  return {
    outcome: result.outcome,
    ...(violation ? { violation } : {}),
    violations: result.violations,
    steps: result.steps.length,
    trace: formatTrace(result.steps, { threads, violationStep: result.violationStep, ops: result.ops, locations: result.locations }),
    traceDigest: result.digest,
    sameTrace: result.digest === token.digest,
    sameViolation: violation?.kind === token.kind,
    ...(result.divergence ? { divergence: result.divergence } : {}),
  };
}
