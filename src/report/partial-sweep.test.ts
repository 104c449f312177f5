/**
 * Sweeps that did not run to their end, and sweeps that checked nothing, drawn as what they are: a
 * real sweep interrupted by its signal at the start of a run, a real result file copied while its
 * sweep was still running, a real `--checks none` sweep.
 */
import { copyFileSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAllocators } from '../alloc/load-allocator.ts';
import { validateScenario } from '../scenario/load.ts';
import { runSweep } from '../stress/sweep.ts';
import { runCli } from '../testing/cli.ts';
import { testDir } from '../testing/test-dir.ts';
import { writeReport } from './build-report.ts';
import { loadResultFile } from './load-results.ts';

const dir = testDir('partial');
const scenario = validateScenario({ description: 'partial sweep', memory: 4096, threads: [1, 2], ops: 20_000, seed: 'partial-1', workload: { runs: 1, maxHeldPages: 64 }, expect: 'pass' }, 'partial.ts');
const allocators = await loadAllocators(['byte-cas', 'stack-bitmap']);

// Stopped as its third run (byte-cas at 2 threads) starts: that run gathers nothing.
const controller = new AbortController();
let started = 0;
const midway = path.join(dir, 'midway.json');
const interrupted = await runSweep({
  scenario,
  scenarioFile: 'partial.ts',
  allocators,
  threads: [1, 2],
  checks: true,
  lock: true,
  extraFlags: [],
  outDir: dir,
  signal: controller.signal,
  onRunStart: () => {
    if (++started === 3) controller.abort();
  },
  // The file as a reader (or kill -9) finds it between two runs.
  onRunEnd: (run) => {
    if (run.threads !== 1 || run.allocator !== 'stack-bitmap') return;
    const [file] = readdirSync(dir).filter((name) => name.startsWith('stress-partial-'));
    copyFileSync(path.join(dir, file!), midway);
  },
});

describe('an interrupted sweep', () => {
  it('labels the run it stopped interrupted, the sweep interrupted, and the file complete', () => {
    expect(interrupted.runs.map((run) => [run.allocator, run.threads, run.verdict])).toEqual([
      ['byte-cas', 1, 'pass'],
      ['stack-bitmap', 1, 'pass'],
      ['byte-cas', 2, 'interrupted'],
    ]);
    expect(interrupted.runs[2]!.totalOps).toBe(0);
    expect(interrupted).toMatchObject({ verdict: 'interrupted', interrupted: true, complete: true, plannedRuns: 4 });
  });

  it('draws no 0 ops/s point for the run that measured nothing, and does not blame --checks none', async () => {
    const out = testDir('partial-report');
    const report = await writeReport([interrupted.resultFile], { outDir: out });
    const throughput = readFileSync(path.join(out, 'report-throughput.svg'), 'utf8');
    expect(throughput).toMatch(/byte-cas · 1 thread · /);
    expect(throughput).not.toMatch(/byte-cas · 2 threads · /);
    const html = readFileSync(report.html, 'utf8');
    expect(html).not.toContain('--checks none');
    expect(html).toContain('Not drawn in any chart, because they were stopped before they measured an operation: byte-cas x2 (interrupted).');
    expect(html).toMatch(/<td>interrupted<\/td>/);
    expect(report.warnings).toEqual([expect.stringMatching(/was interrupted \(Ctrl-C or SIGTERM\) after 3 runs of the 4 planned/)]);
    expect(html).toMatch(/<div class="banner" role="alert"><p>.*was interrupted/);
  });
});

describe('a file whose sweep had not ended', () => {
  it('says complete: false on disk between runs', () => {
    expect(JSON.parse(readFileSync(midway, 'utf8'))).toMatchObject({ complete: false, plannedRuns: 4, runs: [{}, {}] });
    expect(loadResultFile(midway).result.complete).toBe(false);
  });

  it('is shown as incomplete: a banner on the report page, a note in the terminal, from report and compare', async () => {
    const out = testDir('incomplete-report');
    const report = await runCli('report.ts', [midway, '--out', out]);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/^note: .*midway\.json is incomplete: its sweep did not end \(it was killed, or is still running\); it holds 2 runs of the 4 planned, and its verdict "pass" covers those only\.$/m);
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(/<div class="banner" role="alert"><p>.*midway\.json is incomplete/);
    const compare = await runCli('compare.ts', [midway, '--allocators', 'byte-cas,stack-bitmap', '--out', out]);
    expect(compare.code, compare.stderr).toBe(0);
    expect(compare.stdout).toMatch(/^note: .*midway\.json is incomplete/m);
    expect(readFileSync(path.join(out, 'compare.html'), 'utf8')).toMatch(/class="banner"/);
  });
});

describe('an unchecked sweep', () => {
  it('is unchecked in the file and in the report, never ok or pass', async () => {
    const sweep = await runSweep({ scenario, scenarioFile: 'partial.ts', allocators: allocators.slice(0, 1), threads: [1], checks: false, lock: true, extraFlags: [], outDir: testDir('unchecked') });
    expect(sweep).toMatchObject({ verdict: 'unchecked', runs: [{ verdict: 'unchecked', ok: true }] });
    const out = testDir('unchecked-report');
    const report = await writeReport([sweep.resultFile], { outDir: out });
    const html = readFileSync(report.html, 'utf8');
    expect(html).toMatch(/<td>unchecked<\/td>/);
    expect(html).toContain('verdict unchecked');
    expect(html).toContain('Unchecked, too: no ledger watched them');
  });
});

describe('npm run report --out', () => {
  it('a file where the folder should be is one line and exit 2', async () => {
    const result = await runCli('report.ts', [interrupted.resultFile, '--out', midway]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^report: .*midway\.json: is a file, not a folder; --out takes a folder$/)]);
  });
});
