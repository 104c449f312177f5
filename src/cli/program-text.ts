/** How a program's violation reads in a terminal: kind, message, threads, and the command that reproduces it. */
import type { Violation } from '../check/violation.ts';
import { terminalSafe } from '../io/terminal-text.ts';

export function formatProgramViolation(violation: Violation, reproduce: string): string {
  const threads = violation.threads.length > 0 ? `\n  threads: ${violation.threads.join(', ')}` : '';
  return `✗ ${violation.kind}: ${terminalSafe(violation.message)}${threads}\n  reproduce: ${reproduce}`;
}
