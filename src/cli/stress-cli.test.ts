import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
    expect(result.stdout).toMatch(/expected crash, saw no violation/);
  });

  /** Starts a long sweep, waits until its table is printed (its signal handlers are in place), signals it. */
  async function stopWith(signals: NodeJS.Signals[], outDir: string) {
    let kill: (signal: NodeJS.Signals) => void = () => {};
    let sent = false;
    const run = runCli('stress-main.ts', ['churn', '--allocator', 'byte-cas,stack-bitmap', '--threads', '1,2', '--duration', '30s', '--out', outDir], {
      onSpawn: (k) => (kill = k),
      onStdout: (soFar) => {
        if (sent || !/^allocator\s+threads/m.test(soFar)) return;
        sent = true;
        setTimeout(() => signals.forEach((signal) => kill(signal)), 1500);
      },
      timeoutMs: 120_000,
    });
    const result = await run;
    const file = /^results: (.*)$/m.exec(result.stdout)?.[1];
    return { result, saved: file ? JSON.parse(readFileSync(path.resolve(repoRoot, file), 'utf8')) : undefined };
  }

  it('Ctrl-C stops the workers and keeps what was gathered, marked interrupted; a second SIGINT (npm forwards one) is not announced again', async () => {
    const { result, saved } = await stopWith(['SIGINT', 'SIGINT'], testDir('sigint'));
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr.match(/stopping: Ctrl-C; keeping what was gathered/g)).toHaveLength(1);
    expect(result.stdout).toMatch(/^byte-cas\s+1\s.*\binterrupted$/m);
    expect(result.stdout).toMatch(/^INTERRUPTED: 0 of 1 run showed what churn expects; 1 interrupted; the sweep was stopped before its end$/m);
    expect(result.stdout).not.toMatch(/saw no violation/);
    expect(saved).toMatchObject({ version: 2, interrupted: true, complete: true, verdict: 'interrupted', plannedRuns: 4, runs: [{ stopped: 'interrupted', verdict: 'interrupted' }] });
  });

  it('SIGTERM stops a sweep the same way', async () => {
    const { result, saved } = await stopWith(['SIGTERM'], testDir('sigterm'));
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^stopping: SIGTERM; keeping what was gathered$/m);
    expect(saved).toMatchObject({ interrupted: true, complete: true, verdict: 'interrupted', runs: [{ verdict: 'interrupted' }] });
  });

  it('--checks none says unchecked, never PASS, in the table, the verdict and the JSON; exit 0', async () => {
    const out = testDir('unchecked');
    const text = await runCli('stress-main.ts', ['smoke', '--allocator', 'byte-cas', '--threads', '2', '--ops', '500', '--checks', 'none', '--out', out]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^byte-cas\s+2\s.*\bunchecked \(--checks none\)$/m);
    expect(text.stdout).toMatch(/^UNCHECKED: 0 of 1 run showed what smoke expects; 1 unchecked \(--checks none\)$/m);
    expect(text.stdout).not.toMatch(/PASS|\bok\b/);
    const json = await runCli('stress-main.ts', ['smoke', '--allocator', 'byte-cas', '--threads', '2', '--ops', '500', '--checks', 'none', '--json', '--out', out]);
    expect(JSON.parse(json.stdout)).toMatchObject({ verdict: 'unchecked', runs: [{ verdict: 'unchecked', checks: false }] });
  });
});

describe('npm run stress: the result file', () => {
  it('a folder it cannot write is one line and exit 2 before the first run (--out a file, --out under a file)', async () => {
    const file = write('not-a-folder', '');
    for (const out of [file, path.join(file, 'sub')]) {
      const result = await runCli('stress-main.ts', ['smoke', '--allocator', 'byte-cas', '--threads', '1', '--ops', '100', '--out', out]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/not-a-folder.*(is a file, not a folder|a part of this path is a file)/);
      expect(result.stdout).not.toMatch(/^byte-cas/m);
    }
  });

  it('a read-only folder is one line and exit 2 before the first run', async () => {
    // As root a chmod does not stop a write, so the command runs without root's power to override it.
    const out = testDir('read-only');
    chmodSync(out, 0o555);
    const result = await runCli('stress-main.ts', ['smoke', '--allocator', 'byte-cas', '--threads', '1', '--ops', '100', '--out', out], { obeyPermissions: true });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^stress: cannot write in .*read-only.*: (permission denied \(EACCES\)|read-only file system \(EROFS\)); give another folder with --out DIR$/)]);
    expect(result.stdout).not.toMatch(/^byte-cas/m);
  });
});

describe('npm run stress: paths are the user\'s', () => {
  const typedIn = testDir('typed-in');
  const allocatorModule = `import { allocators } from ${JSON.stringify(path.join(repoRoot, 'src/alloc/registry.ts'))};\nexport default { ...allocators['byte-cas']!, name: 'mine' };\n`;
  writeFileSync(path.join(typedIn, 'mine.ts'), allocatorModule);
  mkdirSync(path.join(typedIn, 'scn'));
  writeFileSync(path.join(typedIn, 'scn', 'beside.ts'), allocatorModule);
  writeFileSync(path.join(typedIn, 'scn', 'with-module.ts'), scenario(`allocators: ['./beside.ts'], threads: [1]`));

  it('--allocator ./mine.ts and a scenario path resolve against the folder the user typed in (INIT_CWD), not the package root', async () => {
    const out = testDir('typed-in-out');
    const result = await runCli('stress-main.ts', ['scn/with-module.ts', '--allocator', './mine.ts', '--threads', '1', '--out', out, '--json'], { cwd: repoRoot, typedIn });
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    // One name for the module everywhere: the table, the reproduce command, the explore command.
    expect(json.runs[0].allocator).toBe('mine.ts');
    expect(json.runs[0].reproduce).toBe(`npm run stress -- scn/with-module.ts --allocator mine.ts --threads 1 --seed s --out ${out}`);
    expect(json.runs[0].explore).toBe('npm run explore -- scn/with-module.ts --allocator mine.ts --seed s');
  });

  it("a scenario's allocators: ['./beside.ts'] resolves against the scenario's folder", async () => {
    const result = await runCli('stress-main.ts', [path.join(typedIn, 'scn', 'with-module.ts'), '--out', testDir('beside-out'), '--json'], { cwd: repoRoot, typedIn: repoRoot });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).runs[0].allocator).toBe(path.join(typedIn, 'scn', 'beside.ts'));
  });
});

describe('npm run stress: wording', () => {
  it('an absolute path that is not there says so, without scenarios//abs/path.ts.ts', () =>
    expectUsageError(['/nowhere/path.ts'], /^stress: scenario "\/nowhere\/path\.ts" not found: no such file; available, closest first: /));
  it('a name that is not there names the folder and the scenarios file once each', () =>
    expectUsageError(['nosuch'], /^stress: scenario "nosuch" not found: no such file in this folder, and no scenarios\/nosuch\.ts; /));
  it('--threads -1 says how to pass a value with a dash, not "argument is ambiguous"', () =>
    expectUsageError(['smoke', '--threads', '-1'], /^stress: --threads -1: a value that starts with "-" reads as a flag; if you mean it, write --threads=-1$/));
  it('--threads=-1 is then refused as a thread count', () => expectUsageError(['smoke', '--threads=-1'], /--threads -1: "-1" is not an integer from 1 to 64/));
  it('--duration 10 offers what the flag takes, not milliseconds as a number', () =>
    expectUsageError(['smoke', '--duration', '10'], /^stress: --duration 10: give a unit, such as 10s or 10ms \(a bare number could mean either\)$/));
  it("--seed '' is refused, as a scenario's seed: '' is", async () => {
    await expectUsageError(['smoke', '--seed', ''], /^stress: --seed '': expected a non-empty seed$/);
    await expectUsageError([write('empty-seed.ts', scenario(`seed: ''`).replace(`seed: 's', `, ''))], /empty-seed\.ts: seed: /);
  });
  it('a repeated flag is refused, not silently the last', () => expectUsageError(['smoke', '--ops', '10', '--ops', '20'], /^stress: --ops given twice \(--ops 10, then --ops 20\); give it once$/));
  it('the same allocator twice is refused', () => expectUsageError(['smoke', '--allocator', 'byte-cas,byte-cas'], /^stress: allocator list names the same allocator twice: "byte-cas" twice; name each once$/));
  it('npm start -- --help shows its own usage', async () => {
    const result = await runCli('start.ts', ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^usage: npm start -- \[scenario name or path\] \[flags\]/);
    expect(result.stdout).toMatch(/--checks all\|none/);
  });
});
