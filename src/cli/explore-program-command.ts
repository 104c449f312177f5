/**
 * `npm run explore -- <program>`: a program's exploration, from the explore command once it has found
 * that the file it names is a program (src/subjects/program/load-program.ts). Sizes, allocators and
 * stress results mean nothing to a program: flags about them are refused, not ignored.
 */
import { type Engine, engineOf } from '../controlled/engine.ts';
import { onEngine } from '../controlled/on-engine.ts';
import { type PointsMode } from '../controlled/plain-access-mode.ts';
import { type StrategyName, strategyInfo } from '../controlled/strategies/index.ts';
import type { ProgramInfo } from '../subjects/program/check-program.ts';
import { exploreProgram, type ProgramExploreResult } from '../subjects/program/explore-program.ts';
import { formatProgramViolation } from './program-text.ts';
import { ExitCode, UsageError } from '../io/usage-error.ts';

export interface ProgramExploreCommand {
  file: string;
  shown: string;
  info: ProgramInfo;
  strategy: StrategyName;
  depth: number;
  runs: number;
  timeBudgetMs: number;
  seed: string | undefined;
  points: PointsMode;
  engine: Engine | undefined;
  stepBudget: number | undefined;
  shrink: boolean;
  json: boolean;
  tokenDir: string | undefined;
  /** Flags given that only an allocator's exploration has. */
  refused: string[];
}

export async function exploreProgramCommand(c: ProgramExploreCommand): Promise<number> {
  if (c.refused.length > 0) throw new UsageError(`${c.refused.map((f) => `--${f}`).join(', ')}: ${c.shown} is a program, whose threads and memory are its own; these flags apply to scenarios`);
  const seed = c.seed ?? c.info.name;
  if (!c.json) {
    console.log(`explore program ${c.shown}: ${c.info.threads} threads, ${c.info.sharedBytes} shared bytes, ${c.points === 'all' ? 'every access' : 'Atomics calls'} as points, ${engineOf({ engine: c.engine })} engine, ${strategyInfo(c.strategy).label({ depth: c.depth })}, seed ${seed}`);
  }
  const result = await onEngine(c.engine, c.json, (engine) => exploreProgram({
    engine,
    file: c.file,
    info: c.info,
    strategy: c.strategy,
    depth: c.depth,
    runs: c.runs,
    timeBudgetMs: c.timeBudgetMs,
    seed,
    points: c.points,
    ...(c.stepBudget !== undefined ? { stepBudget: c.stepBudget } : {}),
    shrink: c.shrink,
    ...(c.tokenDir !== undefined ? { tokenDir: c.tokenDir } : {}),
  }));
  if (c.json) console.log(JSON.stringify(jsonOf(result), null, 2));
  else print(result);
  return result.ok ? ExitCode.ok : ExitCode.expectationFailed;
}

function jsonOf(r: ProgramExploreResult) {
  return { ...r, ...(r.finding ? { replayToken: r.finding.replayToken, ...(r.finding.replayFile ? { replayFile: r.finding.replayFile } : {}), traceDigest: r.finding.traceDigest, violation: r.finding.violation } : {}) };
}

function print(r: ProgramExploreResult): void {
  const covered = `${r.schedules} schedule${r.schedules === 1 ? '' : 's'}, ${r.steps.toLocaleString('en-US')} steps, ${r.seconds.toFixed(1)} s, ${Math.round(r.stepsPerSecond).toLocaleString('en-US')} steps/s`;
  if (r.schedules === 0) {
    console.log(`✗ nothing was explored: the time budget ran out before the first schedule (${r.seconds.toFixed(1)} s)`);
    return;
  }
  const f = r.finding;
  if (!f) {
    console.log(`✓ no violation in ${covered}, every schedule run to its end and checked`);
    return;
  }
  console.log(`✗ found ${f.violation.kind} at schedule ${f.schedule} (${covered})`);
  console.log(formatProgramViolation(f.violation, f.replayCommand));
  const shrunk = f.preemptions !== f.foundPreemptions ? `shrunk from ${f.foundPreemptions} preemptions to ${f.preemptions}` : `${f.preemptions} preemptions`;
  console.log(`\ntrace, ${shrunk}, ${f.steps} steps:\n${f.trace}`);
  console.log(`\ntrace digest ${f.traceDigest}`);
  console.log(`replay: ${f.replayCommand}`);
}
