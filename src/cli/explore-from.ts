/**
 * `npm run explore -- --from <result file> [--run N]`: a saved stress run, as the exploration of its
 * own configuration (src/stress/explore-config.ts). The file is read by the same loader as reports;
 * what this needs beyond what a report reads (the run's violations, the scenario's settings) is checked
 * here, so that a file without it is one line and exit 2, never a stack trace.
 */
import * as v from 'valibot';
import { loadResultFile } from '../report/load-results.ts';
import type { Scenario } from '../scenario/schema.ts';
import { violationKinds } from '../scenario/violation-kind.ts';
import { type ExploreConfig, exploreConfigOf } from '../stress/explore-config.ts';
import type { RunResult } from '../stress/result.ts';
import { UsageError } from '../io/usage-error.ts';

export interface RunFromFile {
  /** The result file as messages name it. */
  file: string;
  /** 1-based, as `--run` takes it. */
  run: number;
  /** The scenario file the stress run was given, if the result file says. */
  scenarioFile: string | undefined;
  config: ExploreConfig;
  /** The scenario as the stress run had it. */
  settings: Scenario;
}

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const positive = v.pipe(v.number(), v.integer(), v.minValue(1));
const expectation = v.union([v.literal('pass'), v.array(v.picklist(violationKinds))]);
// Only what an explore configuration reads; the rest of a result file is as runSweep wrote it.
const settingsSchema = v.looseObject({
  seed: v.string(),
  pages: positive,
  ops: v.optional(positive),
  lock: v.boolean(),
  expect: expectation,
  workload: v.looseObject({ maxHeldPages: positive, phases: v.array(v.string()) }),
});
const runSchema = v.looseObject({
  allocator: v.string(),
  threads: positive,
  ops: count,
  lock: v.boolean(),
  violations: v.array(v.looseObject({ kind: v.picklist(violationKinds), phase: v.optional(v.string()), op: v.optional(count) })),
});

/** The run `runNumber` (1-based) of a result file, or its first run with a violation. */
export function runFromFile(resultFile: string, runNumber: number | undefined): RunFromFile {
  const { file, result } = loadResultFile(resultFile);
  const runs = result.runs;
  if (runs.length === 0) throw new UsageError(`${file}: holds no runs to explore`);
  if (runNumber !== undefined && runNumber > runs.length) {
    throw new UsageError(`--run ${runNumber}: ${file} holds ${runs.length} run${runs.length === 1 ? '' : 's'} (1 to ${runs.length})`);
  }
  const index = runNumber !== undefined ? runNumber - 1 : runs.findIndex((run) => Array.isArray(run.violations) && run.violations.length > 0);
  if (index < 0) throw new UsageError(`${file}: no run saw a violation; to explore one anyway, name it with --run N (1 to ${runs.length})`);
  const settings = v.safeParse(settingsSchema, result.settings);
  const run = v.safeParse(runSchema, runs[index]);
  for (const [where, parsed] of [['settings', settings], [`runs.${index}`, run]] as const) {
    if (!parsed.success) {
      const issue = parsed.issues[0];
      const field = v.getDotPath(issue);
      throw new UsageError(`${file}: cannot explore run ${index + 1}: ${where}${field ? `.${field}` : ''}: ${issue.message}`);
    }
  }
  // Checked just above; the settings are the normalized scenario runSweep wrote.
  const scenario = result.settings as Scenario;
  const scenarioFile = typeof result.scenarioFile === 'string' && result.scenarioFile !== '' ? result.scenarioFile : undefined;
  return { file, run: index + 1, scenarioFile, settings: scenario, config: exploreConfigOf(scenario, runs[index] as RunResult) };
}
