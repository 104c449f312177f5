/**
 * `npm run bench:explore -- [flags]`: the bug-finding power of each exploration strategy. Explores each
 * known bug (scenarios/known-bugs/*, or the scenarios named) with each strategy from several seeds,
 * shrinking off, and prints per subject and strategy the median and worst schedules to the first bug
 * and the steps per second, as a table or as JSON. It is how a strategy change is judged.
 *
 * Exit codes: 0 done (a bug not found is a figure, not a failure), 2 bad input, 3 pagerace itself failed.
 */
import { parseEngine } from '../controlled/engine.ts';
import path from 'node:path';
import { loadAllocators } from '../alloc/load-allocator.ts';
import { type BenchSubject, benchBugFinding } from '../bench/bug-finding.ts';
import { programNamed } from './program-file.ts';
import { programFiles } from './program-folder.ts';
import { formatBugFindingTable } from '../bench/bug-finding-table.ts';
import { type StrategyName, isStrategyName, strategyNames } from '../controlled/strategies/index.ts';
import { listScenarios, loadScenario } from '../scenario/load.ts';
import { parseDuration } from '../scenario/units.ts';
import { parseFlags, parsePositiveInt } from './args.ts';
import { runCommand } from './main.ts';
import { ExitCode, UsageError } from '../io/usage-error.ts';

const usage = `usage: npm run bench:explore -- [--scenario NAME[,NAME]] [--allocator NAME[,NAME]] [--programs FILE|FOLDER[,...]] [--no-scenarios] [--strategy ${strategyNames.join(',')}] [--seeds N | --seeds S1,S2] [--budget N] [--time-budget 60s] [--depth d] [--steps N] [--engine coroutines|workers] [--json]`;

/** Known-bug scenarios, the benchmark's default subjects. */
const KNOWN_BUGS = 'known-bugs/';

await runCommand('bench:explore', async () => {
  const { values } = parseFlags(
    process.argv.slice(2),
    {
      scenario: { type: 'string' },
      allocator: { type: 'string' },
      programs: { type: 'string' },
      'no-scenarios': { type: 'boolean', default: false },
      strategy: { type: 'string', default: strategyNames.join(',') },
      seeds: { type: 'string', default: '5' },
      budget: { type: 'string', default: '100' },
      'time-budget': { type: 'string', default: '60s' },
      depth: { type: 'string', default: '2' },
      steps: { type: 'string', default: '200000' },
      engine: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    false,
  );
  if (values.help) {
    console.log(usage);
    return ExitCode.ok;
  }
  const strategies = list(values.strategy).map((name): StrategyName => {
    if (!isStrategyName(name)) throw new UsageError(`--strategy ${name}: expected one of ${strategyNames.join(', ')}`);
    return name;
  });
  const seeds = /^\d+$/.test(values.seeds.trim())
    ? Array.from({ length: parsePositiveInt('seeds', values.seeds, 1000) }, (_, i) => `bench-${i + 1}`)
    : list(values.seeds);
  if (seeds.length === 0) throw new UsageError(`--seeds ${values.seeds}: expected a count or a comma-separated list of seeds`);
  const budget = parsePositiveInt('budget', values.budget);
  const timeBudgetMs = parseDuration(values['time-budget']);
  const depth = parsePositiveInt('depth', values.depth, 10);
  const stepBudget = parsePositiveInt('steps', values.steps);
  const engine = values.engine !== undefined ? parseEngine(values.engine) : undefined;

  const names = values['no-scenarios'] ? [] : values.scenario !== undefined ? list(values.scenario) : (await listScenarios()).filter((name) => name.startsWith(KNOWN_BUGS));
  const allocatorSpecs = values.allocator !== undefined ? list(values.allocator) : undefined;
  const subjects: BenchSubject[] = [];
  // Programs: each file named, or every program in each folder named (examples/sctbench).
  for (const file of values.programs !== undefined ? programFiles(list(values.programs)) : []) {
    const program = await programNamed(file);
    if (!program) throw new UsageError(`--programs: ${file} is not a program (its default export has no thread function)`);
    subjects.push({ kind: 'program', scenarioName: program.shown, file: program.file, info: program.info, allocator: { name: `${program.info.threads} threads` } });
  }
  if (names.length === 0 && subjects.length === 0) throw new UsageError('nothing to run: name scenarios with --scenario or programs with --programs');
  for (const name of names) {
    const loaded = await loadScenario(name);
    const scenario = loaded.scenario;
    const size = { threads: scenario.explore.threads, ops: scenario.explore.ops, pages: scenario.explore.pages, maxHeldPages: scenario.explore.maxHeldPages };
    for (const allocator of await loadAllocators(allocatorSpecs ?? scenario.allocators)) {
      subjects.push({ scenarioName: name, scenarioFile: path.relative(process.cwd(), loaded.file) || loaded.file, scenario, allocator, size });
    }
  }

  const explorations = subjects.length * strategies.length * seeds.length;
  process.stderr.write(`bench:explore: ${subjects.length} subjects x ${strategies.length} strategies x ${seeds.length} seeds = ${explorations} explorations, at most ${budget} schedules each\n`);
  const started = performance.now();
  let done = 0;
  const cells = await benchBugFinding({
    subjects,
    strategies,
    seeds,
    budget,
    timeBudgetMs,
    depth,
    stepBudget,
    ...(engine ? { engine } : {}),
    onRun: (run, subject, strategy) => {
      done++;
      const what = run.schedulesToBug !== undefined ? `${run.kind} at schedule ${run.schedulesToBug}` : `nothing in ${run.schedules} schedules`;
      process.stderr.write(`  [${done}/${explorations}] ${subject.scenarioName} on ${subject.allocator.name}, ${strategy}, seed ${run.seed}: ${what} (${run.seconds.toFixed(1)} s)\n`);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  if (values.json) {
    console.log(JSON.stringify({ budget, timeBudgetMs, depth, seeds, strategies, seconds, cells }, null, 2));
  } else {
    console.log(formatBugFindingTable(cells));
    console.log(`\n${explorations} explorations in ${seconds.toFixed(0)} s; budget ${budget} schedules (or ${values['time-budget']}) each; steps/s leave out each exploration's first schedule (worker start).`);
  }
  return ExitCode.ok;
});

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
