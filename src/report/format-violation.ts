/**
 * The one formatter for violations: what happened, to which pages, between which threads, what those
 * threads did last, and the command that makes it happen again.
 */
import type { Violation } from '../check/violation.ts';
import { describeOp } from '../subjects/allocator/op-log.ts';

export interface ViolationContext {
  scenario: string;
  seed: string;
  allocator: string;
  threads: number;
  reproduce: string;
}

export function formatViolation(violation: Violation, context: ViolationContext): string {
  const lines = [`✗ ${violation.kind}: ${violation.message}`];
  const phase = violation.phase ? `, phase ${violation.phase}` : '';
  lines.push(`  ${context.allocator}, ${context.threads} thread${context.threads === 1 ? '' : 's'}, scenario ${context.scenario}, seed ${context.seed}${phase}`);
  if (violation.pages.length > 0) lines.push(`  pages: ${violation.pages.join(', ')}`);
  for (const { thread, ops, inFlight } of violation.history) {
    const done = ops.map((op) => describeOp(op)).join(' · ') || '(none yet)';
    lines.push(`  thread ${thread}, last ops: ${done}${inFlight ? ` · now in ${describeOp(inFlight)}` : ''}`);
  }
  lines.push(`  reproduce: ${context.reproduce}`);
  return lines.join('\n');
}

/** Said once under the violations of a stress run, because it is easy to expect more of a seed. */
export const STRESS_SEED_NOTE =
  'A stress seed reproduces each thread\'s random choices, not the interleaving (and where allocs run out of memory or runs cross threads, what a thread does next also follows the timing): run the command a few times, or explore it under controlled scheduling, to see the race again.';
