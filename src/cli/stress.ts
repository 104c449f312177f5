/**
 * `npm run stress -- <scenario> [flags]`: runs a scenario over allocators and thread counts, checked,
 * and says whether every run showed what the scenario expects.
 *
 * Exit codes: 0 every expectation held, 1 one did not, 2 bad input, 3 pagerace itself failed.
 */
import path from 'node:path';
import { loadAllocators } from '../alloc/load-allocator.ts';
import { STRESS_SEED_NOTE, formatViolation } from '../report/format-violation.ts';
import { plural } from '../report/format.ts';
import { checkOutDir, resultsDir } from '../report/result-file.ts';
import { loadScenario } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { RunVerdict, SweepRun } from '../stress/result.ts';
import { type SweepResult, runSweep } from '../stress/sweep.ts';
import { DEFAULT_ROUNDS, stressProgramCommand } from './stress-program-command.ts';
import { programNamed } from './program-file.ts';
import { parseDurationFlag, parseFlags, parseIntList, parsePathFlag, parsePositiveInt } from './args.ts';
import { Progress } from './progress.ts';
import { onStopSignals } from './stop-signals.ts';
import { ExitCode, UsageError } from '../io/usage-error.ts';
import { shownPath, userCwd, userPath } from '../io/user-cwd.ts';

export const stressUsage = `usage: npm run stress -- <scenario name or path> [flags]
  --allocator NAME[,NAME]  built-in names, known-bug variants, or paths to your own modules
  --threads 1,2,8          thread counts (default: the scenario's)
  --seed S                 the workload seed (default: the scenario's)
  --ops N | --duration 10s length of the churn phase per thread
  --no-lock                run global-lock allocators without their lock (the negative control)
  --checks all|none        none: no ledger, no op log (raw allocator speed); its runs say unchecked
  --out DIR                where the result file goes (default: results/)
  --json                   print one JSON object on stdout
  A program or object file instead of a scenario takes --rounds N (default 2000), --duration, --out, --json,
  and --threads with the counts it runs at (an object's threadCounts).`;

export const startUsage = `usage: npm start -- [scenario name or path] [flags]
  Runs a stress sweep (default scenario: churn, every built-in allocator at its thread counts), then
  draws its report into results/report.html. Takes the flags of npm run stress:
${stressUsage.split('\n').slice(1).join('\n')}`;

const flags = {
  allocator: { type: 'string' },
  threads: { type: 'string' },
  seed: { type: 'string' },
  ops: { type: 'string' },
  duration: { type: 'string' },
  rounds: { type: 'string' },
  'no-lock': { type: 'boolean', default: false },
  checks: { type: 'string', default: 'all' },
  out: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

/**
 * Runs the stress command on `argv`; `defaultScenario` stands in when no scenario is named, and `usage`
 * is what --help prints (npm start has its own).
 */
export async function stressCommand(argv: string[], defaultScenario?: string, usage = stressUsage): Promise<{ code: number; result?: SweepResult; outDir?: string }> {
  const { values, positionals } = parseFlags(argv, flags, true);
  if (values.help) {
    console.log(usage);
    return { code: ExitCode.ok };
  }
  if (positionals.length > 1) throw new UsageError(`expected one scenario, got ${positionals.length}: ${positionals.join(' ')}`);
  const named = positionals[0] ?? defaultScenario;
  if (!named) throw new UsageError('no scenario given: name one (npm run stress -- smoke) or see npm run stress -- --help');
  if (values.checks !== 'all' && values.checks !== 'none') throw new UsageError(`--checks ${values.checks}: expected all or none`);
  if (values.ops !== undefined && values.duration !== undefined) throw new UsageError('give --ops or --duration, not both');

  // The seed as a scenario file may give it: a non-empty string (an empty one would seed every
  // thread alike and read as "no seed" in a printed command).
  if (values.seed !== undefined && values.seed === '') throw new UsageError(`--seed '': expected a non-empty seed`);
  const outDir = values.out !== undefined ? userPath(parsePathFlag('out', values.out)) : undefined;

  const program = await programNamed(named);
  if (program) {
    const scenarioOnly = ['allocator', 'seed', 'ops', 'no-lock'] as const;
    // What the reproduce command of each run repeats (its --threads is the run's own).
    const extraFlags = [...(['rounds', 'duration'] as const).flatMap((f) => (values[f] !== undefined ? [`--${f}`, values[f]!] : [])), ...(outDir !== undefined ? ['--out', shownPath(outDir)] : [])];
    return {
      code: await stressProgramCommand({
        program,
        rounds: values.rounds !== undefined ? parsePositiveInt('rounds', values.rounds, 10_000_000) : DEFAULT_ROUNDS,
        timeBudgetMs: values.duration !== undefined ? parseDurationFlag('duration', values.duration) : Infinity,
        ...(values.threads !== undefined ? { threads: parseIntList('threads', values.threads, 64) } : {}),
        ...(outDir !== undefined ? { outDir } : {}),
        extraFlags,
        json: values.json,
        refused: [...scenarioOnly.filter((f) => values[f] !== undefined && values[f] !== false), ...(values.checks !== 'all' ? ['checks'] : [])],
      }),
    };
  }
  if (values.rounds !== undefined) throw new UsageError('--rounds: a program takes rounds; a scenario takes --ops or --duration');
  const loaded = await loadScenario(named, { cwd: userCwd() });
  const extraFlags: string[] = [];
  let scenario: Scenario = loaded.scenario;
  if (values.seed !== undefined) scenario = { ...scenario, seed: values.seed };
  if (values.ops !== undefined) {
    const ops = parsePositiveInt('ops', values.ops);
    const { durationMs: _, ...rest } = scenario;
    scenario = { ...rest, ops };
    extraFlags.push('--ops', values.ops);
  }
  if (values.duration !== undefined) {
    const durationMs = parseDurationFlag('duration', values.duration);
    if (durationMs <= 0) throw new UsageError(`--duration ${values.duration}: must be longer than 0`);
    const { ops: _, ...rest } = scenario;
    scenario = { ...rest, durationMs };
    extraFlags.push('--duration', values.duration);
  }
  const lock = scenario.lock && !values['no-lock'];
  if (!lock && scenario.lock) extraFlags.push('--no-lock');
  const checks = values.checks === 'all';
  if (!checks) extraFlags.push('--checks', 'none');
  const threads = values.threads !== undefined ? parseIntList('threads', values.threads, 64) : scenario.threads;
  // Paths on the command line are the user's; paths in a scenario file are the scenario's, relative to
  // its folder, so that a scenario and its allocator module can move together. sharedBytes is checked
  // at the scenario's size before anything runs.
  const allocators =
    values.allocator !== undefined
      ? await loadAllocators(values.allocator.split(',').map((s) => s.trim()), userCwd(), scenario.pages)
      : await loadAllocators(scenario.allocators, path.dirname(loaded.file), scenario.pages);
  // Before anything runs or prints: a folder the result file cannot go in is one line, not a stack
  // after the first run.
  checkOutDir(outDir ?? resultsDir);
  if (outDir !== undefined) extraFlags.push('--out', shownPath(outDir));

  const json = values.json;
  const progress = new Progress(!json && process.stderr.isTTY === true);
  const controller = new AbortController();
  const stopSignals = onStopSignals((signal) => {
    progress.clear();
    process.stderr.write(`\nstopping: ${signal === 'SIGINT' ? 'Ctrl-C' : signal}; keeping what was gathered\n`);
    controller.abort();
  });
  const scenarioFile = shownPath(loaded.file);
  if (!json) {
    console.log(`${scenario.name}: ${scenario.description}`);
    console.log(`seed ${scenario.seed}, ${scenario.pages} pages, ${checks ? 'checked' : 'unchecked (--checks none)'}${lock ? '' : ', global lock OFF'}`);
    console.log(tableHeader());
  }
  let result: SweepResult;
  try {
    result = await runSweep({
      scenario,
      scenarioFile,
      allocators,
      threads,
      checks,
      lock,
      extraFlags,
      ...(outDir !== undefined ? { outDir } : {}),
      signal: controller.signal,
      onRunStart: (allocator, n) => progress.start(`${allocator} x${n}`),
      onProgress: (p) => progress.update(p),
      onRunEnd: (run) => {
        progress.clear();
        if (!json) console.log(tableRow(run));
      },
    });
  } finally {
    stopSignals.off();
    progress.clear();
  }
  if (json) {
    const { kind: _, version: __, machine: ___, settings: ____, startedAt: _____, description: ______, ...summary } = result;
    console.log(JSON.stringify(summary, null, 2));
  } else {
    printFailures(result);
    console.log(`\n${result.verdict.toUpperCase()}: ${verdictLine(result)}`);
    console.log(`results: ${result.resultFile}`);
  }
  return { code: exitCodeOf(result.verdict), result, ...(outDir !== undefined ? { outDir } : {}) };
}

/** Unchecked runs found nothing wrong and were not asked to: exit 0, but never the word pass. */
export function exitCodeOf(verdict: RunVerdict): number {
  return verdict === 'pass' || verdict === 'unchecked' ? ExitCode.ok : ExitCode.expectationFailed;
}

function tableHeader(): string {
  return `\n${'allocator'.padEnd(26)} ${'threads'.padStart(7)} ${'ops/s'.padStart(12)} ${'ops'.padStart(10)} ${'violations'.padStart(10)}  result`;
}

function tableRow(run: SweepRun): string {
  const expected = run.expected === 'pass' ? 'pass' : run.expected.join('+');
  const outcomes: Record<RunVerdict, string> = {
    pass: run.expected === 'pass' ? 'ok' : `ok (caught ${expected})`,
    fail: run.expected === 'pass' ? 'FAIL' : `FAIL (expected ${expected})`,
    unchecked: 'unchecked (--checks none)',
    interrupted: 'interrupted',
  };
  const stopped = run.stopped && run.stopped !== 'interrupted' ? ` [stopped: ${run.stopped}]` : '';
  return `${run.allocator.padEnd(26)} ${String(run.threads).padStart(7)} ${Math.round(run.opsPerSec).toLocaleString('en-US').padStart(12)} ${run.ops.toLocaleString('en-US').padStart(10)} ${String(run.violationCount).padStart(10)}  ${outcomes[run.verdict]}${stopped}`;
}

function verdictLine(result: SweepResult): string {
  const count = (verdict: RunVerdict) => result.runs.filter((r) => r.verdict === verdict).length;
  const parts = [`${count('pass')} of ${plural(result.runs.length, 'run')} showed what ${result.scenario} expects`];
  if (count('unchecked') > 0) parts.push(`${count('unchecked')} unchecked (--checks none)`);
  if (count('interrupted') > 0) parts.push(`${count('interrupted')} interrupted`);
  if (result.interrupted) parts.push('the sweep was stopped before its end');
  return parts.join('; ');
}

/** Violations of failed runs in full; of runs that caught what they expected, one line each. */
function printFailures(result: SweepResult): void {
  let printed = false;
  for (const run of result.runs) {
    const context = { scenario: result.scenario, seed: result.seed, allocator: run.allocator, threads: run.threads, reproduce: run.reproduce };
    if (run.expected !== 'pass' && run.verdict === 'pass') {
      const expected = run.expected;
      const caught = run.violations.find((v) => expected.includes(v.kind));
      if (caught) console.log(`\n✓ ${run.allocator} x${run.threads} caught ${caught.kind}: ${caught.message}`);
      if (caught && run.explore) console.log(`  explore its interleavings: ${run.explore}`);
      continue;
    }
    if (run.verdict === 'interrupted') {
      console.log(`\n- ${run.allocator} x${run.threads}: interrupted after ${run.totalOps.toLocaleString('en-US')} ops, before it could show what ${result.scenario} expects\n  run it again: ${run.reproduce}`);
      continue;
    }
    if (run.verdict === 'fail' && run.violations.length === 0) {
      console.log(`\n✗ ${run.allocator} x${run.threads}: expected ${Array.isArray(run.expected) ? run.expected.join(', ') : 'pass'}, saw no violation\n  reproduce: ${run.reproduce}`);
      printed = true;
    }
    for (const violation of run.violations.slice(0, 5)) {
      console.log(`\n${formatViolation(violation, context)}`);
      printed = true;
    }
    if (run.violations.length > 5) console.log(`  ... and ${run.violationCount - 5} more violations in this run (all in ${result.resultFile})`);
    if (run.violations.length > 0 && run.explore) console.log(`  explore its interleavings: ${run.explore}`);
  }
  if (printed) console.log(`\n${STRESS_SEED_NOTE}`);
}
