/**
 * Bad input from the person running pagerace: a flag, a scenario file, an allocator module, a token.
 * The CLI prints `message` alone, on one line, and exits with code 2: no stack trace, because the fix is
 * in the input, not in pagerace.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit codes shared by every command. */
export const ExitCode = {
  /** Every expectation held. */
  ok: 0,
  /** A run did not show what its scenario expects (a violation in a 'pass' scenario, or a known bug missed). */
  expectationFailed: 1,
  /** Bad input: see {@link UsageError}. */
  usage: 2,
  /** pagerace itself failed. */
  internal: 3,
} as const;
