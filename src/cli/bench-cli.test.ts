import { describe, expect, it } from 'vitest';
import { runCli } from '../testing/cli.ts';

/** Bad input: exit 2, one line naming the problem, no stack trace, no worker started. */
async function expectUsageError(args: string[], pattern: RegExp) {
  const result = await runCli('bench.ts', args);
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(pattern)]);
  expect(result.stdout).toBe('');
}

describe('npm run bench: bad input is one line and exit 2, not a stack from a worker', () => {
  it('an unknown allocator', () => expectUsageError(['--allocator', 'nosuch'], /^bench: --allocator nosuch: unknown allocator "nosuch"; use one of byte-cas, /));
  it('a module path', () => expectUsageError(['--allocator', './mine.ts'], /^bench: --allocator \.\/mine\.ts: unknown allocator "\.\/mine\.ts" \(a module path: bench measures the built-in allocators only; npm run stress measures yours\)/));
  it('--sizes 1', () => expectUsageError(['--sizes', '1'], /^bench: --sizes 1: 1 is 1 page; bench takes 64 pages \(256KiB\) to 67108864 pages \(256GiB\)$/));
  it('--sizes 64TiB', () => expectUsageError(['--sizes', '64TiB'], /^bench: --sizes 64TiB: 64TiB is 17179869184 pages; bench takes 64 pages/));
  it('--sizes 8GB', () => expectUsageError(['--sizes', '8GB'], /^bench: --sizes 8GB: bad memory size "8GB": .*did you mean "8GiB"/));
});
