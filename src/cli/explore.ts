/**
 * `npm run explore -- <scenario> [flags]`: controlled scheduling. Runs schedule after schedule until a
 * violation or the budget; prints the violation, its trace and a replay token, or what was covered.
 *
 * Exit codes: 0 the exploration showed what the scenario expects (nothing, or its known bug), 1 it did
 * not, 2 bad input, 3 pagerace itself failed.
 */
import path from 'node:path';
import { loadAllocators } from '../alloc/load-allocator.ts';
import type { ExploreResult, RunSize } from '../controlled/explore.ts';
import { MAX_EXPLORE_OPS, MAX_EXPLORE_PAGES, MAX_EXPLORE_THREADS, MAX_STEP_BUDGET } from '../harness/limits.ts';
import { DEFAULT_POINTS, parsePoints } from '../controlled/plain-access-mode.ts';
import { engineOf, parseEngine } from '../controlled/engine.ts';
import { onEngine } from '../controlled/on-engine.ts';
import { exploreSizes, fixedSize, sizeLabel } from '../controlled/sizes.ts';
import { defaultStrategy, isStrategyName, strategyInfo, strategyNames } from '../controlled/strategies/index.ts';
import { plural } from '../report/format.ts';
import { formatViolation } from '../report/format-violation.ts';
import { writeJUnit } from '../report/junit.ts';
import { checkOutDir, checkOutFile, createExclusive, resultFileBase } from '../report/result-file.ts';
import { loadScenario } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import { parseDuration, parseMemory } from '../scenario/units.ts';
import { parseFlags, parsePathFlag, parsePositiveInt } from './args.ts';
import { type RunFromFile, runFromFile } from './explore-from.ts';
import { runCommand } from './main.ts';
import { exploreProgramCommand } from './explore-program-command.ts';
import { programNamed } from './program-file.ts';
import { ExitCode, UsageError } from '../io/usage-error.ts';
import { shownPath, userCwd, userPath } from '../io/user-cwd.ts';

/** PCT's bug depth when --depth is not given: bugs that need two ordering constraints (one well-placed preemption), the common kind. */
const DEFAULT_DEPTH = 2;

const usage = `usage: npm run explore -- <scenario> [--allocator NAME[,NAME]] [--strategy ${strategyNames.join('|')}] [--depth d] [--runs N | --time-budget 60s] [--seed S] [--shard i/N] [--threads n] [--ops n | --ops-up-to n] [--memory PAGES] [--max-held n] [--steps N] [--points atomics|all] [--engine coroutines|workers] [--no-lock] [--check-determinism] [--no-shrink] [--junit FILE] [--out DIR] [--json]
       npm run explore -- --from <stress result file> [--run N] [flags]   (the run's own threads, seed, memory and ops)
  Without --threads, --ops, --memory or --max-held (or sizes in the scenario's explore:), the size grows within the budget.
  --ops-up-to N   the given threads and memory at 8, 32, 128, ... ops up to N (what a stress failure prints)
  --steps N   a livelock is N steps with no operation completed (default: scaled by size)
  --engine E   coroutines (the default: every thread on one worker, as generators) or workers (a worker per thread): the same schedules
  --out DIR   also write the exploration's result (what --json prints) to DIR/explore-<scenario>-<time>.json, and long replay tokens there`;

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
      'ops-up-to': { type: 'string' },
      memory: { type: 'string' },
      'max-held': { type: 'string' },
      from: { type: 'string' },
      run: { type: 'string' },
      steps: { type: 'string' },
      points: { type: 'string', default: DEFAULT_POINTS },
      engine: { type: 'string' },
      'check-determinism': { type: 'boolean', default: false },
      'no-shrink': { type: 'boolean', default: false },
      'no-lock': { type: 'boolean', default: false },
      junit: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    true,
  );
  if (values.help) {
    console.log(usage);
    return ExitCode.ok;
  }
  if (positionals.length > 1 || (positionals.length === 0 && values.from === undefined)) {
    throw new UsageError(`expected one scenario${values.from === undefined ? ' (or --from a result file)' : ''}, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
  }
  if (values.run !== undefined && values.from === undefined) throw new UsageError('--run N picks a run of a result file: give --from <file> too');
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
  // A budget of nothing cannot be met, and "no violation in 0 schedules" would be a pass without work.
  if (timeBudgetMs <= 0) throw new UsageError(`--time-budget ${values['time-budget']}: must be more than 0, e.g. 60s`);
  // Without either limit, 500 schedules; with only a time budget, as many as fit.
  const runs = values.runs !== undefined ? parsePositiveInt('runs', values.runs) : timeBudgetMs < Infinity ? Infinity : 500;
  // --steps is the progress window, the livelock criterion; the cap on all steps stays scaled by size.
  const progressWindow = values.steps !== undefined ? parsePositiveInt('steps', values.steps, MAX_STEP_BUDGET) : undefined;
  const points = parsePoints(values.points);
  const engine = values.engine !== undefined ? parseEngine(values.engine) : undefined;
  // Checked before anything runs: a JUnit path that is a folder, or a folder that cannot be written,
  // is found now, not after the exploration's minutes.
  const junit = values.junit !== undefined ? userPath(parsePathFlag('junit', values.junit)) : undefined;
  if (junit !== undefined) checkOutFile(junit, '--junit');
  const outDir = values.out !== undefined ? userPath(parsePathFlag('out', values.out)) : undefined;
  if (outDir !== undefined) checkOutDir(outDir);
  const from: RunFromFile | undefined = values.from !== undefined ? runFromFile(values.from, values.run !== undefined ? parsePositiveInt('run', values.run) : undefined) : undefined;

  const named = positionals[0] ?? from?.scenarioFile;
  if (named === undefined) throw new UsageError(`${from!.file} does not name its scenario file (written by an older pagerace): name it, npm run explore -- <scenario> --from ${from!.file}`);
  const program = from ? undefined : await programNamed(named);
  if (program) {
    const allocatorOnly = ['allocator', 'threads', 'ops', 'ops-up-to', 'memory', 'max-held', 'no-lock', 'shard', 'check-determinism', 'junit', 'out'] as const;
    return exploreProgramCommand({
      ...program,
      strategy,
      depth,
      runs,
      timeBudgetMs,
      seed: values.seed,
      points,
      engine,
      stepBudget: progressWindow,
      shrink: !values['no-shrink'],
      json: values.json,
      tokenDir: undefined,
      refused: allocatorOnly.filter((f) => values[f] !== undefined && values[f] !== false && !(f === 'shard' && values.shard === '1/1')),
    });
  }
  const loaded = await loadScenario(named);
  const scenario = loaded.scenario;
  const scenarioFile = path.relative(process.cwd(), loaded.file) || loaded.file;
  if (from && !values.json && changedSince(scenario, from)) {
    console.error(`note: ${scenarioFile} has changed since ${from.file} was written; exploring the file as it is now, at the run's size and seed`);
  }
  // Paths on the command line are the user's; those in a scenario are relative to its folder.
  // sharedBytes is checked at the scenario's explore size before anything runs; every run checks its own.
  const allocators =
    values.allocator !== undefined
      ? await loadAllocators(values.allocator.split(',').map((s) => s.trim()), userCwd(), scenario.explore.pages)
      : from
        ? await loadAllocators([from.config.allocator], userCwd(), scenario.explore.pages)
        : await loadAllocators(scenario.allocators, path.dirname(loaded.file), scenario.explore.pages);
  // Sizes given on the command line win over a stress run's, which win over the scenario file's; any
  // size given fixes the size, and without one the exploration grows it.
  const given: Partial<RunSize> = {
    ...from?.config.size,
    ...(values.threads !== undefined ? { threads: parsePositiveInt('threads', values.threads, MAX_EXPLORE_THREADS) } : {}),
    ...(values.ops !== undefined ? { ops: parsePositiveInt('ops', values.ops, MAX_EXPLORE_OPS) } : {}),
    ...(values['ops-up-to'] !== undefined ? { ops: parsePositiveInt('ops-up-to', values['ops-up-to'], MAX_EXPLORE_OPS) } : {}),
    ...(values.memory !== undefined ? { pages: parseMemory(values.memory) } : {}),
    ...(values['max-held'] !== undefined ? { maxHeldPages: parsePositiveInt('max-held', values['max-held']) } : {}),
  };
  const size = fixedSize(scenario, given);
  if (size && size.maxHeldPages < Math.max(...scenario.workload.runs.sizes)) {
    throw new UsageError(`--max-held ${size.maxHeldPages}: scenario ${scenario.name} allocates runs of up to ${Math.max(...scenario.workload.runs.sizes)} pages`);
  }
  // A run bigger than a replay token may record would find what no token can replay.
  const checked = size ?? scenario.explore;
  if (checked.ops > MAX_EXPLORE_OPS) throw new UsageError(`${scenarioFile}: explore.ops: expected at most ${MAX_EXPLORE_OPS} for a controlled run, got ${checked.ops}`);
  if (checked.pages > MAX_EXPLORE_PAGES || checked.maxHeldPages > MAX_EXPLORE_PAGES) {
    throw new UsageError(`${scenarioFile}: explore memory and held pages: expected at most ${MAX_EXPLORE_PAGES} pages for a controlled run, got ${checked.pages} and ${checked.maxHeldPages}`);
  }
  if (values.ops !== undefined && values['ops-up-to'] !== undefined) throw new UsageError('--ops and --ops-up-to: give one of them');
  const opsUpTo = values.ops === undefined && (values['ops-up-to'] !== undefined || from?.config.size !== undefined);
  const seed = values.seed ?? from?.config.seed ?? scenario.seed;
  const lock = values['no-lock'] ? false : from?.config.lock;
  const results: ExploreResult[] = [];
  for (const allocator of allocators) {
    if (!values.json) {
      const sized = size ? `${plural(size.threads, 'thread')} x ${size.ops} ops, ${size.pages} pages` : `sizes grown from ${plural(scenario.explore.threads, 'thread')} x ${scenario.explore.ops} ops (${scenario.explore.pages} pages)`;
      const origin = from ? ` (run ${from.run} of ${from.file})` : '';
      console.log(`explore ${scenario.name} on ${allocator.name}${origin}: ${sized}, ${points === 'all' ? 'every access' : 'Atomics calls'} as points, ${engineOf({ engine })} engine, ${info.label({ depth })}, seed ${seed}, shard ${shard.index}/${shard.count}`);
    }
    const result = await onEngine(engine, values.json, (e) => exploreSizes({
      engine: e,
      scenario,
      scenarioFile,
      allocator,
      ...(size ? { size } : {}),
      // A stress run's ops (--from) and --ops-up-to are where to stop growing the ops, not a size.
      ...(size && opsUpTo ? { opsUpTo } : {}),
      strategy,
      depth,
      runs,
      timeBudgetMs,
      seed,
      workloadSeed: seed,
      shard,
      ...(progressWindow !== undefined ? { progressWindow } : {}),
      ...(lock !== undefined ? { lock } : {}),
      points,
      ...(outDir !== undefined ? { tokenDir: outDir } : {}),
      checkDeterminism: values['check-determinism'],
      shrink: !values['no-shrink'],
    }));
    results.push(result);
    if (!values.json) printResult(result);
  }
  if (junit !== undefined) writeJUnit(junit, results);
  const out = results.map((r) => ({
    ...r,
    ...(r.finding ? { replayToken: r.finding.replayToken, ...(r.finding.replayFile ? { replayFile: r.finding.replayFile } : {}), traceDigest: r.finding.traceDigest, violation: r.finding.violation } : {}),
  }));
  const json = JSON.stringify(out.length === 1 ? out[0] : out, null, 2);
  if (values.json) console.log(json);
  if (outDir !== undefined) {
    const file = createExclusive(outDir, resultFileBase('explore', scenario.name), '.json', `${json}\n`);
    (values.json ? console.error : console.log)(`results: ${shownPath(file)}`);
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
  if (result.schedules === 0) {
    console.log(`✗ nothing was explored: the time budget ran out before the first schedule (${result.seconds.toFixed(1)} s)`);
    return;
  }
  if (!finding) {
    console.log(`${result.ok ? '✓' : '✗'} no violation in ${covered}`);
    printCovered(result);
    // A bound over no runs of its strategy says nothing (a portfolio's first schedules may not be PCT's).
    if (result.bound && result.bound.runs > 0) {
      const b = result.bound;
      console.log(
        `  ${b.strategy}: one run finds a given depth-${b.depth} bug with probability >= 1/(n*k^(d-1)) = ${b.perRun.toPrecision(3)} (n=${result.size.threads}, k=${b.maxSteps} steps); ${b.runs} runs at ${sizeLabel(result.size)}: >= ${(b.overall * 100).toPrecision(3)} %`,
      );
    }
    if (!result.ok) console.log(`  expected: ${Array.isArray(result.expected) ? result.expected.join(', ') : result.expected}`);
    return;
  }
  const shrunk =
    finding.size.threads !== finding.foundSize.threads || finding.size.ops !== finding.foundSize.ops || finding.size.pages !== finding.foundSize.pages || finding.preemptions !== finding.foundPreemptions
      ? `shrunk from ${plural(finding.foundSize.threads, 'thread')} x ${finding.foundSize.ops} ops (${finding.foundSize.pages} pages, ${finding.foundPreemptions} preemptions) to ${finding.size.threads} x ${finding.size.ops} (${finding.size.pages} pages, ${finding.preemptions} preemptions)`
      : `${plural(finding.size.threads, 'thread')} x ${finding.size.ops} ops, ${finding.preemptions} preemptions`;
  console.log(`${result.ok ? '✓ found the expected' : '✗ found'} ${finding.violation.kind} at schedule ${finding.schedule} (${covered})`);
  printCovered(result);
  console.log(formatViolation(finding.violation, { scenario: result.scenario, seed: result.seed, allocator: result.allocator, threads: finding.size.threads, reproduce: finding.replayCommand }));
  console.log(`\ntrace, ${shrunk}, ${finding.steps} steps:\n${finding.trace}`);
  console.log(`\ntrace digest ${finding.traceDigest}`);
  console.log(`replay: ${finding.replayCommand}`);
}

/** Which sizes were explored: `covered: 2x8 (22 pages) 250 schedules, 3x8 (32 pages) 125 schedules`. */
function printCovered(result: ExploreResult): void {
  const covered = result.covered ?? [];
  if (covered.length === 0) return;
  console.log(`  covered: ${covered.map((c) => `${sizeLabel(c)} (${c.pages} pages) ${c.schedules} schedule${c.schedules === 1 ? '' : 's'}`).join(', ')}`);
}

/** Whether the scenario file now describes another workload than the one the stress run ran. */
function changedSince(scenario: Scenario, from: RunFromFile): boolean {
  const workload = (s: Scenario) => JSON.stringify([s.workload, s.memoryChanges ?? null, s.pages]);
  return workload(scenario) !== workload(from.settings);
}
