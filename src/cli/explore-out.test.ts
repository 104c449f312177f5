import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../testing/cli.ts';
import { testDir } from '../testing/test-dir.ts';

async function expectUsageError(args: string[], pattern: RegExp) {
  const result = await runCli('explore.ts', args);
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(pattern)]);
  // Refused before the first schedule.
  expect(result.stdout).not.toMatch(/schedule/);
}

describe('npm run explore: --junit and --out are checked before anything runs', () => {
  it('--junit <a folder> is one line and exit 2, and leaves no .tmp in it', async () => {
    const folder = path.join(testDir('junit'), 'reports');
    mkdirSync(folder);
    await expectUsageError(['smoke', '--allocator', 'byte-cas', '--runs', '1', '--junit', folder], /^explore: --junit .*reports: is a folder; give a file name$/);
    expect(readdirSync(folder)).toEqual([]);
  });
  it("--junit '' is refused, not ignored", () => expectUsageError(['smoke', '--runs', '1', '--junit', ''], /^explore: --junit '': expected a path$/));
  it('--out <a file> is refused', async () => {
    const file = path.join(testDir('explore-out'), 'file');
    writeFileSync(file, '');
    await expectUsageError(['smoke', '--runs', '1', '--out', file], /^explore: .*file: is a file, not a folder; --out takes a folder$/);
  });

  it('--out DIR gets the result, --junit FILE relative to the folder the user typed in', async () => {
    const typedIn = testDir('explore-typed-in');
    const result = await runCli('explore.ts', ['smoke', '--allocator', 'byte-cas', '--runs', '1', '--out', 'out', '--junit', 'junit.xml'], { typedIn });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(path.join(typedIn, 'junit.xml'))).toBe(true);
    const [file] = readdirSync(path.join(typedIn, 'out'));
    expect(file).toMatch(/^explore-smoke-\d{8}T\d{9}Z\.json$/);
    expect(JSON.parse(readFileSync(path.join(typedIn, 'out', file!), 'utf8'))).toMatchObject({ scenario: 'smoke', allocator: 'byte-cas', schedules: 1 });
    expect(result.stdout).toMatch(/^explore smoke on byte-cas: sizes grown from 2 threads x 8 ops/m);
  });

  it('one thread is "1 thread", not "1 threads"', async () => {
    const result = await runCli('explore.ts', ['smoke', '--allocator', 'byte-cas', '--runs', '1', '--threads', '1']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^explore smoke on byte-cas: 1 thread x 8 ops, /m);
  });
});
