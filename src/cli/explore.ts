/**
 * `npm run explore -- <scenario> [flags]`: controlled scheduling. Runs schedule after schedule until a
 * violation or the budget; prints the violation, its trace and a replay token, or what was covered.
 *
 * Exit codes: 0 the exploration showed what the scenario expects (nothing, or its known bug), 1 it did
 * not, 2 bad input, 3 pagerace itself failed.
 */
import path from 'node:path';
import { loadAllocators } from '../alloc/load-allocator.ts';
import { type ExploreResult, explore } from '../controlled/explore.ts';
import { defaultStrategy, isStrategyName, strategyInfo, strategyNames } from '../controlled/strategies/index.ts';
import { formatViolation } from '../report/format-violation.ts';
import { writeJUnit } from '../report/junit.ts';
import { loadScenario } from '../scenario/load.ts';
import { parseDuration } from '../scenario/units.ts';
import { parseFlags, parsePositiveInt } from './args.ts';
import { runCommand } from './main.ts';
import { ExitCode, UsageError } from './usage-error.ts';

/** PCT's bug depth when --depth is not given: bugs that need two ordering constraints (one well-placed preemption), the common kind. */
const DEFAULT_DEPTH = 2;

const usage = `usage: npm run explore -- <scenario> [--allocator NAME[,NAME]] [--strategy ${strategyNames.join('|')}] [--depth d] [--runs N | --time-budget 60s] [--seed S] [--shard i/N] [--threads n] [--ops n] [--steps N] [--no-lock] [--check-determinism] [--no-shrink] [--junit FILE] [--json]`;

await runCommand('explore', async () => {
  const { values, positionals } = parseFlags(
    process.argv.slice(2),
    {
      allocator: { type: 'string' },
      strategy: { type: 'string', default: defaultStrategy },
      depth: { type: 'string' },
      runs: { type: 'string' },
      'time-budget': { type: 'string' },
      seed: { type: 'string' },
      shard: { type: 'string', default: '1/1' },
      threads: { type: 'string' },
      ops: { type: 'string' },
      steps: { type: 'string', default: '200000' },
      'check-determinism': { type: 'boolean', default: false },
      'no-shrink': { type: 'boolean', default: false },
      'no-lock': { type: 'boolean', default: false },
      junit: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    true,
  );
  if (values.help) {
    console.log(usage);
    return ExitCode.ok;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one scenario, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
  const strategy = values.strategy;
  if (!isStrategyName(strategy)) throw new UsageError(`--strategy ${strategy}: expected one of ${strategyNames.join(', ')}`);
  const info = strategyInfo(strategy);
  // A depth given to a strategy that has none would be silently ignored: say so instead.
  if (values.depth !== undefined && !info.usesDepth) {
    throw new UsageError(`--depth ${values.depth}: ${strategy} has no bug depth; --depth applies to ${strategyNames.filter((n) => strategyInfo(n).usesDepth).join(', ')}`);
  }
  const depth = values.depth !== undefined ? parsePositiveInt('depth', values.depth, 10) : DEFAULT_DEPTH;
  const shardMatch = /^(\d+)\/(\d+)$/.exec(values.shard);
  const shard = shardMatch ? { index: Number(shardMatch[1]), count: Number(shardMatch[2]) } : undefined;
  if (!shard || shard.count < 1 || shard.index < 1 || shard.index > shard.count) {
    throw new UsageError(`--shard ${values.shard}: expected i/N with 1 <= i <= N, e.g. 2/4`);
  }
  const timeBudgetMs = values['time-budget'] !== undefined ? parseDuration(values['time-budget']) : Infinity;
  // Without either limit, 500 schedules; with only a time budget, as many as fit.
  const runs = values.runs !== undefined ? parsePositiveInt('runs', values.runs) : timeBudgetMs < Infinity ? Infinity : 500;
  const stepBudget = parsePositiveInt('steps', values.steps);

  const loaded = await loadScenario(positionals[0]!);
  const scenario = loaded.scenario;
  const scenarioFile = path.relative(process.cwd(), loaded.file) || loaded.file;
  const allocators = await loadAllocators(values.allocator !== undefined ? values.allocator.split(',').map((s) => s.trim()) : scenario.allocators);
  const size = {
    threads: values.threads !== undefined ? parsePositiveInt('threads', values.threads, 8) : scenario.explore.threads,
    ops: values.ops !== undefined ? parsePositiveInt('ops', values.ops) : scenario.explore.ops,
    pages: scenario.explore.pages,
    maxHeldPages: scenario.explore.maxHeldPages,
  };
  const results: ExploreResult[] = [];
  for (const allocator of allocators) {
    if (!values.json) {
      console.log(`explore ${scenario.name} on ${allocator.name}: ${size.threads} threads x ${size.ops} ops, ${size.pages} pages, ${info.label({ depth })}, seed ${values.seed ?? scenario.seed}, shard ${shard.index}/${shard.count}`);
    }
    const result = await explore({
      scenario,
      scenarioFile,
      allocator,
      size,
      strategy,
      depth,
      runs,
      timeBudgetMs,
      seed: values.seed ?? scenario.seed,
      shard,
      stepBudget,
      ...(values['no-lock'] ? { lock: false } : {}),
      checkDeterminism: values['check-determinism'],
      shrink: !values['no-shrink'],
    });
    results.push(result);
    if (!values.json) printResult(result);
  }
  if (values.junit) writeJUnit(values.junit, results);
  if (values.json) {
    const out = results.map((r) => ({
      ...r,
      ...(r.finding ? { replayToken: r.finding.replayToken, traceDigest: r.finding.traceDigest, violation: r.finding.violation } : {}),
    }));
    console.log(JSON.stringify(out.length === 1 ? out[0] : out, null, 2));
  }
  return results.every((r) => r.ok) ? ExitCode.ok : ExitCode.expectationFailed;
});

function printResult(result: ExploreResult): void {
  const rate = `${Math.round(result.stepsPerSecond).toLocaleString('en-US')} steps/s`;
  const covered = `${result.schedules} schedule${result.schedules === 1 ? '' : 's'}, ${result.steps.toLocaleString('en-US')} steps, ${result.seconds.toFixed(1)} s, ${rate}`;
  if (result.nondeterminism) {
    const n = result.nondeterminism;
    console.log(`✗ nondeterministic: schedule ${n.schedule} ran twice and differed first at step ${n.step}:\n  first:  ${n.first}\n  second: ${n.second}`);
    console.log('  Something other than the schedule and the seed steers the run (a clock, Math.random, real blocking).');
    return;
  }
  const finding = result.finding;
  if (!finding) {
    console.log(`${result.ok ? '✓' : '✗'} no violation in ${covered}`);
    if (result.bound) {
      const b = result.bound;
      console.log(
        `  ${b.strategy}: one run finds a given depth-${b.depth} bug with probability >= 1/(n*k^(d-1)) = ${b.perRun.toPrecision(3)} (n=${result.size.threads}, k=${b.maxSteps} steps); ${b.runs} runs: >= ${(b.overall * 100).toPrecision(3)} %`,
      );
    }
    if (!result.ok) console.log(`  expected: ${Array.isArray(result.expected) ? result.expected.join(', ') : result.expected}`);
    return;
  }
  const shrunk =
    finding.size.threads !== finding.foundSize.threads || finding.size.ops !== finding.foundSize.ops || finding.size.pages !== finding.foundSize.pages || finding.preemptions !== finding.foundPreemptions
      ? `shrunk from ${finding.foundSize.threads} threads x ${finding.foundSize.ops} ops (${finding.foundSize.pages} pages, ${finding.foundPreemptions} preemptions) to ${finding.size.threads} x ${finding.size.ops} (${finding.size.pages} pages, ${finding.preemptions} preemptions)`
      : `${finding.size.threads} threads x ${finding.size.ops} ops, ${finding.preemptions} preemptions`;
  console.log(`${result.ok ? '✓ found the expected' : '✗ found'} ${finding.violation.kind} at schedule ${finding.schedule} (${covered})`);
  console.log(formatViolation(finding.violation, { scenario: result.scenario, seed: result.seed, allocator: result.allocator, threads: finding.size.threads, reproduce: finding.replayCommand }));
  console.log(`\ntrace, ${shrunk}, ${finding.steps} steps:\n${finding.trace}`);
  console.log(`\ntrace digest ${finding.traceDigest}`);
  console.log(`replay: ${finding.replayCommand}`);
}
