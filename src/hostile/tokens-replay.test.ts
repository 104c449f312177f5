/**
 * Where a replay token comes from: the argument, a file (as a path or `--file`), or stdin; and the
 * long token explore writes to a file, replayed by pasting the command explore printed.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../testing/cli.ts';
import { testDir } from '../testing/test-dir.ts';
import { expectOneLineRefusal, replayChild } from './tokens-cli.ts';

const dir = testDir('tokens-replay');
const sameAsRecorded = /trace digest [0-9a-f]{16} \(same as recorded\)/;
const loadsLine = /^replay loads scenario scenarios\/known-bugs\/racy-rmw\.ts and built-in allocator byte-cas\/racy-rmw$/;

let token = '';
beforeAll(async () => {
  const explored = await runCli('explore.ts', ['scenarios/known-bugs/racy-rmw', '--json']);
  expect(explored.code, explored.stderr).toBe(0);
  token = JSON.parse(explored.stdout).replayToken;
  expect(token.length).toBeLessThan(4000);
}, 120_000);

describe('replay reads its token from the argument, a file or stdin', () => {
  it('the argument; its first line says what it loads, before anything runs', async () => {
    const result = await replayChild([token]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toMatch(loadsLine);
    expect(result.stdout).toMatch(sameAsRecorded);
  }, 120_000);

  it('a file named relative to the folder the command was typed in (INIT_CWD), with CRLF line ends', async () => {
    const folder = path.join(dir, 'typed-here');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'token.txt'), `\r\n${token}\r\n`);
    const result = await replayChild(['token.txt'], { cwd: folder });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(sameAsRecorded);
    // The command under the violation replays the same file.
    expect(result.stdout).toMatch(/npm run replay -- token\.txt$/m);
  }, 120_000);

  it('--file PATH, with --json: the load line goes to stderr, stdout is one JSON object', async () => {
    const file = path.join(dir, 'token.token');
    writeFileSync(file, `${token}\n`);
    const result = await replayChild(['--file', file, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.trim()).toMatch(loadsLine);
    const json = JSON.parse(result.stdout);
    expect(json.sameTrace).toBe(true);
  }, 120_000);

  it('stdin, as -', async () => {
    const result = await replayChild(['-'], { stdin: `${token}\n` });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(sameAsRecorded);
  }, 120_000);

  it('refuses, in one line: no token, a token and --file, a missing file, a folder, a file that is not a token', async () => {
    const notToken = path.join(dir, 'not-a-token.txt');
    writeFileSync(notToken, 'hello\n');
    const cases: [string[], RegExp][] = [
      [[], /^replay: expected one replay token, a file that holds one, or - for stdin; got none/],
      [[token, '--file', notToken], /^replay: expected a token or --file, not both/],
      [['results/no-such.token'], /^replay: no such token file "results\/no-such\.token" \(looked for ".*results\/no-such\.token"\)$/],
      [['--file', dir], /^replay: cannot read token file ".*": it is a folder$/],
      [[notToken], /^replay: not a replay token: expected a word starting with pagerace1\./],
    ];
    for (const [args, message] of cases) expectOneLineRefusal(await replayChild(args), message);
  }, 120_000);
});

describe('a long token goes to a file, and the printed command replays it', () => {
  it('explore prints npm run replay -- results/<name>.token; pasted into a shell it replays; --json still has the token', async () => {
    // Unshrunk, 600 ops: the audit fires after thousands of steps, so the token is well over 4,000 characters.
    const args = ['scenarios/known-bugs/double-push', '--no-shrink', '--ops', '600'];
    const explored = await runCli('explore.ts', args, { timeoutMs: 240_000 });
    expect(explored.code, explored.stderr).toBe(0);
    const command = /^replay: (.*)$/m.exec(explored.stdout)?.[1];
    expect(command).toMatch(/^npm run replay -- results\/replay-double-push-[0-9a-f]{8}\.token$/);
    const file = path.join(repoRoot, command!.slice('npm run replay -- '.length));
    try {
      const written = readFileSync(file, 'utf8');
      expect(written.endsWith('\n')).toBe(true);
      expect(written.trim().length).toBeGreaterThan(4000);
      // The violation report ends with the same command.
      expect(explored.stdout.split(command!).length).toBeGreaterThanOrEqual(3);

      const pasted = await shell(command!, repoRoot);
      expect(pasted.code, pasted.stderr).toBe(0);
      expect(pasted.stdout).toMatch(/replay loads scenario scenarios\/known-bugs\/double-push\.ts and built-in allocator stack-bitmap\/double-push/);
      expect(pasted.stdout).toMatch(sameAsRecorded);

      const json = JSON.parse((await runCli('explore.ts', [...args, '--json'], { timeoutMs: 240_000 })).stdout);
      expect(json.replayToken).toBe(written.trim());
      expect(json.replayFile).toBe(file);
    } finally {
      rmSync(file, { force: true });
    }
  }, 600_000);
});

/** A command line as a person pastes it, run by sh in `cwd`. */
function shell(command: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
