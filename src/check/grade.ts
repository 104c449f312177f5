/**
 * The one grading rule, for every mode: a run shows what its scenario expects when it expected `pass`
 * and saw no violation, or expected a list of kinds and saw a violation of one of them. A stress run may
 * see many violations (a double allocation, then the leak it causes), an exploration stops at its
 * first: "one of the listed kinds was seen" means the same in both, where "every listed kind" could
 * never hold for a controlled run that ends at its first violation.
 */
import type { Expectation } from '../scenario/schema.ts';

export function meetsExpectation(expected: Expectation, violations: readonly { kind: string }[]): boolean {
  if (expected === 'pass') return violations.length === 0;
  return violations.some((v) => expected.includes(v.kind as (typeof expected)[number]));
}
