import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../testing/cli.ts';
import { testDir } from '../testing/test-dir.ts';

const dir = testDir('cli');
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};
const scenario = (fields: string) =>
  `export default { description: 'cli test', memory: 256, threads: [2], ops: 200, seed: 's', expect: 'pass', ${fields} };\n`;

/** Bad input: exit 2, exactly one line on stderr that names the problem, and no stack trace. */
async function expectUsageError(args: string[], pattern: RegExp) {
  const result = await runCli('stress-main.ts', args);
  expect(result.code).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

describe('npm run stress: bad input is one line and exit 2', () => {
  it('a missing scenario file', () => expectUsageError(['scenarios/no-such-thing'], /scenario "scenarios\/no-such-thing" not found/));
  it('a scenario with threads: 0', () =>
    expectUsageError([write('zero-threads.ts', scenario('threads: 0'))], /zero-threads\.ts: threads: .*1/));
  it('a scenario with an unknown key', () =>
    expectUsageError([write('unknown-key.ts', scenario('workload: { bogus: 1 }'))], /unknown-key\.ts: workload\.bogus: unknown key "bogus"/));
  it('an unknown allocator', () => expectUsageError(['smoke', '--allocator', 'no-such-allocator'], /unknown allocator "no-such-allocator"/));
  it('a user module without alloc', () =>
    expectUsageError(
      ['smoke', '--allocator', write('no-alloc.ts', `export default { name: 'x', locking: 'global-lock', maxRun: 1, sharedBytes: (p: number) => p, init() {}, attach: () => ({ free() {}, isAllocated: () => false }) };\n`)],
      /no-alloc\.ts: attach\(\) returned an allocator without alloc\(\)/,
    ));
  it('a module that is not an allocator definition', () =>
    expectUsageError(['smoke', '--allocator', write('not-allocator.ts', 'export default { name: 1 };\n')], /not-allocator\.ts: not an allocator definition: name must be/));
  it('an unknown flag', () => expectUsageError(['smoke', '--bogus'], /Unknown option '--bogus'/));
  it('a bad thread list', () => expectUsageError(['smoke', '--threads', '2,zero'], /--threads 2,zero: "zero" is not an integer/));
});

describe('npm run stress: outcomes', () => {
  it('--json prints one JSON object with the promised fields, exit 0 when every expectation held', async () => {
    const result = await runCli('stress-main.ts', ['smoke', '--allocator', 'byte-cas', '--threads', '2', '--ops', '500', '--json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ scenario: 'smoke', seed: 'smoke-1', verdict: 'pass' });
    expect(json.resultFile).toMatch(/^results\/stress-smoke-.*\.json$/);
    expect(json.runs).toHaveLength(1);
    expect(json.runs[0]).toMatchObject({ allocator: 'byte-cas', threads: 2, ops: 1000, expected: 'pass', ok: true, violations: [] });
    expect(json.runs[0].opsPerSec).toBeGreaterThan(0);
    expect(json.runs[0].reproduce).toBe('npm run stress -- scenarios/smoke.ts --allocator byte-cas --threads 2 --seed smoke-1 --ops 500');
  });

  it('exit 1 when a known bug is expected but the allocator under test is correct', async () => {
    const result = await runCli('stress-main.ts', ['scenarios/known-bugs/double-push', '--allocator', 'stack-bitmap', '--ops', '2000']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/expected double-allocation, saw no violation/);
  });

  it('Ctrl-C stops the workers and keeps what was gathered, marked interrupted', async () => {
    let kill: (signal: NodeJS.Signals) => void = () => {};
    const run = runCli('stress-main.ts', ['churn', '--allocator', 'byte-cas', '--threads', '2', '--duration', '30s', '--json'], { onSpawn: (k) => (kill = k) });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    kill('SIGINT');
    const result = await run;
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout);
    expect(json.interrupted).toBe(true);
    expect(json.runs[0].stopped).toBe('interrupted');
    expect(json.runs[0].totalOps).toBeGreaterThan(0);
    // The result file on disk is whole, and says the same.
    const saved = JSON.parse(readFileSync(path.join(repoRoot, json.resultFile), 'utf8'));
    expect(saved).toMatchObject({ interrupted: true, verdict: 'fail', runs: [{ stopped: 'interrupted' }] });
  });
});
