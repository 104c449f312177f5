/**
 * A stress run, as the exploration that looks for its interleaving: the same allocator, the same thread
 * count, the same seed (so every thread draws the same operation stream: controlled mode runs the same
 * StressThread, whose choices come from seedrandom keyed by seed and thread), the same memory and
 * held limit, and just enough churn operations to reach the point where the violation was seen.
 *
 * Exploring the stress run's own size is what makes a stress failure reproducible under controlled
 * scheduling: whatever made the threads meet in stress (memory, hints, pressure) is there too. It is
 * the size the printed explore command and `npm run explore -- --from <result file>` both use. A run
 * that saw nothing gives no point to stop at, and its whole length (seconds of churn over gigabytes)
 * would make every schedule take minutes: its exploration keeps the allocator, seed and lock, and
 * grows the size as an exploration of the scenario does.
 */
import { commandLine } from '../io/shell-quote.ts';
import { MAX_EXPLORE_OPS, MAX_EXPLORE_PAGES } from '../harness/limits.ts';
import type { Violation } from '../check/violation.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { RunResult } from './result.ts';

export interface ExploreConfig {
  allocator: string;
  /** The workload seed of the stress run. */
  seed: string;
  /** Whether global-lock allocators ran under their lock (false for `--no-lock`, or a scenario's `lock: false`). */
  lock: boolean;
  /** The run's own size, when it saw a violation. */
  size?: {
    threads: number;
    /** Churn operations per thread: up to where the violation was seen, or the whole churn. */
    ops: number;
    pages: number;
    maxHeldPages: number;
  };
}

/** What an explore configuration needs of a run: what result files keep of it. */
export type StressRunSummary = Pick<RunResult, 'allocator' | 'threads' | 'ops' | 'lock' | 'violations'>;

/**
 * Churn operations per thread that reach the point where `violation` was seen: its own operation in
 * churn, none past the minimum for what a fill shows, the whole churn for what shows later (a drain,
 * an audit after churn, a hang) or at a point not known.
 *
 * `churnIsFixed`: whether the churn had a given length. Only then does the whole churn bound the op a
 * violation reports. A timed churn's whole length is a stand-in (the threads' average), and threads
 * are not equally fast: measured on plain-last-word-locked in smoke at 2 threads for 1 s, thread 1
 * saw its violation at churn op 16,827 while the average was 6,336, so a command capped at the
 * average could never reach the point the violation was seen at (explore at 2 x 6,336 ops: nothing in
 * 493 schedules; at 2 x 16,827: found at the first schedule). The op reported is itself what a
 * thread ran.
 */
function opsToReach(violation: Violation, wholeChurn: number, churnIsFixed: boolean): number {
  if (violation.phase === 'fill') return 1;
  if (violation.phase === 'churn' && violation.op !== undefined) return churnIsFixed ? Math.min(Math.max(1, violation.op), wholeChurn) : Math.max(1, violation.op);
  return wholeChurn;
}

/** The exploration of a stress run of `settings` (the scenario as that run had it). */
export function exploreConfigOf(settings: Scenario, run: StressRunSummary): ExploreConfig {
  // A churn of a given length is that length; one of a given time ran as many operations as its
  // threads managed, the average of which stands in.
  const hasChurn = settings.workload.phases.includes('churn');
  const wholeChurn = !hasChurn ? 1 : (settings.ops ?? Math.max(1, Math.ceil(run.ops / run.threads)));
  const churnIsFixed = !hasChurn || settings.ops !== undefined;
  const expected = settings.expect;
  const relevant = expected === 'pass' ? run.violations : run.violations.filter((v) => expected.includes(v.kind));
  const shown = relevant.length > 0 ? relevant : run.violations;
  const config: ExploreConfig = { allocator: run.allocator, seed: settings.seed, lock: run.lock };
  if (shown.length === 0) return config;
  // Within what a controlled run (and its token) may hold: a long timed churn ran millions of ops, and
  // the command climbs from 8 ops anyway.
  const ops = Math.min(MAX_EXPLORE_OPS, ...shown.map((v) => opsToReach(v, wholeChurn, churnIsFixed)));
  const pages = Math.min(MAX_EXPLORE_PAGES, settings.pages);
  return { ...config, size: { threads: run.threads, ops, pages, maxHeldPages: Math.min(pages, settings.workload.maxHeldPages) } };
}

/**
 * The command line that explores `config` of the scenario in `scenarioFile`; `scenarioLock` is the
 * file's own `lock`, which needs no flag.
 */
export function exploreCommand(scenarioFile: string, config: ExploreConfig, scenarioLock: boolean): string {
  return commandLine('npm run explore --', [
    scenarioFile,
    '--allocator',
    config.allocator,
    ...(config.size ? ['--threads', String(config.size.threads)] : []),
    '--seed',
    config.seed,
    ...(config.size ? ['--ops-up-to', String(config.size.ops), '--memory', String(config.size.pages), '--max-held', String(config.size.maxHeldPages)] : []),
    ...(!config.lock && scenarioLock ? ['--no-lock'] : []),
  ]);
}
