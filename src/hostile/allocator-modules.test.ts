/**
 * Hostile allocator modules (src/hostile/modules/), each run as a person would, through the CLI: none
 * may crash the harness, hang it, or leave a result file that is not whole. Bad input found before
 * anything runs is one line on stderr and exit 2 with no result file; a run that fails is exit 1, one
 * violation line naming the call, and a result file that says what happened. The sound base module the
 * hostile ones are made from passes, so each failure comes from what its module changes.
 */
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliResult, repoRoot, runCli } from '../testing/cli.ts';
import { testDir } from '../testing/test-dir.ts';

const dir = testDir('hostile');
const modules = path.join(repoRoot, 'src/hostile/modules');
const resultsDir = path.join(repoRoot, 'results');

/**
 * The scenario every case runs: small and short. Its watchdog is every deadline of the user host's
 * calls; 3 s leaves room for a loaded machine. `slow` waits far longer, for the memory cases: filling a
 * 512 MB heap takes V8 several seconds of garbage collection, which must not pass for a hang.
 */
function scenario(name: string, watchdog: string): string {
  const file = path.join(dir, `${name}.ts`);
  writeFileSync(file, `export default { description: 'hostile allocator modules', memory: 256, threads: [2], ops: 500, seed: 'hostile-1', watchdog: '${watchdog}', workload: { maxHeldPages: 16 }, expect: 'pass', explore: { threads: 2, ops: 4 } };\n`);
  return file;
}
const quick = scenario('hostile-quick', '3s');
const slow = scenario('hostile-slow', '60s');

/**
 * The run's wall time may be this long at most: CLI start, workers on a loaded 2-core machine, deadlines.
 * The cases that wait out a 3 s deadline (an endless loop in init, audit or isAllocated) run two at a
 * time (`it.concurrent`), as the refusals do: most of their time is the wait, and the deadline is the
 * same either way.
 */
const BOUND_MS = 100_000;

const made: string[] = [];
afterAll(() => {
  for (const file of made) rmSync(file, { force: true });
});

const resultFiles = () => (existsSync(resultsDir) ? readdirSync(resultsDir).filter((f) => f.includes('-hostile-')) : []);

async function run(command: 'stress' | 'explore', module: string, scenarioFile = quick, extra: string[] = []): Promise<CliResult & { ms: number }> {
  const started = performance.now();
  const entry = command === 'stress' ? 'stress-main.ts' : 'explore.ts';
  const args = [scenarioFile, '--allocator', path.join(modules, `${module}.ts`), ...(command === 'explore' ? ['--runs', '5', '--no-shrink'] : []), ...extra];
  const result = await runCli(entry, args, { timeoutMs: BOUND_MS + 20_000 });
  return { ...result, ms: performance.now() - started };
}

/** Exit 2, one line on stderr matching `line`, no stack trace, and no result file written. */
async function expectRefused(command: 'stress' | 'explore', module: string, line: RegExp) {
  const before = resultFiles();
  const result = await run(command, module);
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(line);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(resultFiles()).toEqual(before);
  expect(result.ms).toBeLessThan(BOUND_MS);
}

/**
 * A stress run that fails: exit 1, one violation line of `kind` matching `message`, and a result file
 * that parses whole, says the run stopped and carries the same violation with the seed.
 */
async function expectStressViolation(module: string, kind: 'crash' | 'hang', message: RegExp, scenarioFile = quick) {
  const result = await run('stress', module, scenarioFile);
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
  expect(result.stderr).not.toMatch(/internal error|^\s+at /m);
  const violations = result.stdout.split('\n').filter((l) => l.startsWith('✗ '));
  expect(violations).toHaveLength(1);
  expect(violations[0]).toMatch(new RegExp(`^✗ ${kind}: ${message.source}`));
  const file = /^results: (.+)$/m.exec(result.stdout)?.[1];
  expect(file).toBeDefined();
  made.push(path.join(repoRoot, file!));
  const saved = JSON.parse(readFileSync(path.join(repoRoot, file!), 'utf8'));
  expect(saved.kind).toBe('pagerace-stress');
  expect(saved.verdict).toBe('fail');
  expect(saved.seed).toBe('hostile-1');
  expect(saved.runs).toHaveLength(1);
  expect(saved.runs[0].stopped).toBe(kind);
  expect(saved.runs[0].violations[0].kind).toBe(kind);
  expect(saved.runs[0].violations[0].message).toMatch(message);
  expect(saved.runs[0].reproduce).toMatch(/--seed hostile-1/);
  expect(result.ms).toBeLessThan(BOUND_MS);
  return saved;
}

/** An exploration that fails: exit 1 and the violation, named, on stdout. */
async function expectExploreViolation(module: string, kind: 'crash' | 'hang', message: RegExp, scenarioFile = quick) {
  const result = await run('explore', module, scenarioFile);
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
  expect(result.stderr).not.toMatch(/internal error|^\s+at /m);
  expect(result.stdout).toMatch(new RegExp(`^✗ ${kind}: ${message.source}`, 'm'));
  expect(result.ms).toBeLessThan(BOUND_MS);
}

describe('the sound base module passes (the control)', () => {
  it('stress', async () => {
    const result = await run('stress', 'byte-per-page');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const file = /^results: (.+)$/m.exec(result.stdout)?.[1];
    made.push(path.join(repoRoot, file!));
    expect(JSON.parse(readFileSync(path.join(repoRoot, file!), 'utf8')).verdict).toBe('pass');
  });
  it('explore', async () => {
    const result = await run('explore', 'byte-per-page');
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });
});

// Refusals before anything runs, two at a time: most of their time is a deadline running out.
describe.concurrent('bad input found before anything runs: one line, exit 2, no result file', () => {
  it('sharedBytes returns -1 (stress)', () => expectRefused('stress', 'shared-bytes-negative', /shared-bytes-negative\.ts: sharedBytes\(256\) returned -1: it must be a whole number of bytes/));
  it('sharedBytes returns -1 (explore)', () => expectRefused('explore', 'shared-bytes-negative', /shared-bytes-negative\.ts: sharedBytes\(\d+\) returned -1: it must be a whole number of bytes/));
  it('sharedBytes returns NaN', () => expectRefused('stress', 'shared-bytes-nan', /shared-bytes-nan\.ts: sharedBytes\(256\) returned NaN/));
  it('sharedBytes asks for absurdly much', () => expectRefused('stress', 'shared-bytes-huge', /shared-bytes-huge\.ts: sharedBytes\(256\) returned 9007199254740991: more than the 16842752 bytes the harness gives 256 pages/));
  it('the module throws at import', () => expectRefused('stress', 'throws-at-import', /throws-at-import\.ts: cannot load the module: this module refuses to load/));
  it('the module loops forever at import (stress)', () => expectRefused('stress', 'loops-at-import', /loops-at-import\.ts: importing the module did not finish within 10 s/));
  it('the module loops forever at import (explore)', () => expectRefused('explore', 'loops-at-import', /loops-at-import\.ts: importing the module did not finish within 10 s/));
});

describe('a run whose allocator fails: exit 1, the violation names the call, the result file says so', () => {
  it('init throws', () => expectStressViolation('throws-in-init', 'crash', /the allocator's init\(\) threw Error: init refuses on purpose/));
  it('attach throws', () => expectStressViolation('throws-in-attach', 'crash', /the allocator's attach\(\) threw TypeError: attach refuses on purpose/));
  it('audit throws', async () => {
    const saved = await expectStressViolation('throws-in-audit', 'crash', /the allocator's audit\(\) after fill threw Error: audit refuses on purpose/);
    // The threads had run the fill phase: what they did is kept.
    expect(saved.runs[0].totalOps).toBeGreaterThan(0);
  });
  it.concurrent('init loops forever', () => expectStressViolation('loops-in-init', 'hang', /the allocator's init\(\) did not return within 3 s/));
  it.concurrent('audit loops forever', () => expectStressViolation('loops-in-audit', 'hang', /the allocator's audit\(\) after fill did not return within 3 s/));
  it.concurrent('isAllocated loops forever', () => expectStressViolation('loops-in-is-allocated', 'hang', /the allocator's isAllocated\(3\) after fill did not return within 3 s/));
  it('alloc returns -5: not an out-of-memory, a broken return', () =>
    expectStressViolation('alloc-returns-minus-5', 'crash', /thread 1 stopped: alloc\(1\) returned -5, which is neither -1 \(no run free\) nor the first page of a run inside pages 0\.\.255/));
  it('a thread exhausts its worker\'s memory: a crash of that thread, the harness lives on', () =>
    expectStressViolation('exhausts-memory', 'crash', /thread 1 ran out of memory: its worker reached the \d+ MB heap limit and was terminated/, slow));
  it('init exhausts the host\'s memory', () =>
    expectStressViolation('exhausts-memory-in-init', 'crash', /the allocator's init\(\) ran out of memory: its worker reached the \d+ MB heap limit and was terminated/, slow));
});

describe('under controlled scheduling too', () => {
  it('audit throws', () => expectExploreViolation('throws-in-audit', 'crash', /the allocator's audit\(\) after fill threw Error: audit refuses on purpose/));
  it.concurrent('init loops forever', () => expectExploreViolation('loops-in-init', 'hang', /the allocator's init\(\) did not return within 3 s/));
  it.concurrent('isAllocated loops forever', () => expectExploreViolation('loops-in-is-allocated', 'hang', /the allocator's isAllocated\(3\) after fill did not return within 3 s/));
  it("a thread exhausts its worker's memory", () =>
    expectExploreViolation('exhausts-memory-at-once', 'crash', /thread 1 failed: ran out of memory: its worker reached the \d+ MB heap limit and was terminated/, slow));
});
