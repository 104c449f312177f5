/**
 * What one controlled run runs and how far it may go: an allocator driven by a scenario, or a program
 * (or object), with the step budgets scaled by the run's size. The coordinator takes it; a session
 * (session.ts) opens buffers and tasks for it.
 */
import type { AllocatorInfo, AllocatorRef } from '../alloc/load-allocator.ts';
import { MAX_STEP_BUDGET } from '../harness/limits.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Engine } from './engine.ts';
import type { PointsMode } from './plain-access-mode.ts';

/** What a controlled run runs: a page allocator driven by a scenario, or a program (or object). */
export type ControlledConfig = AllocatorRunConfig | ProgramRunConfig;

export interface AllocatorRunConfig extends CommonRunConfig {
  kind?: 'allocator';
  /** The scenario, already cut to the controlled run's size (threads, ops, pages). */
  scenario: Scenario;
  definition: AllocatorInfo;
  allocator: AllocatorRef;
  lock: boolean;
}

/**
 * A program (src/subjects/program/): its threads run its `thread` on a buffer of its own, exactly
 * `sharedBytes` long and zeroed for every schedule; thread 0 runs `init` before its first step and
 * `check` once every thread has ended (src/subjects/program/controlled-program.ts is the worker's side).
 */
export interface ProgramRunConfig extends CommonRunConfig {
  kind: 'program';
  /** What the workers load and the buffers they get. */
  program: ProgramSubject;
}

export interface ProgramSubject {
  /** Absolute path of the module. */
  module: string;
  name: string;
  sharedBytes: number;
  /** The program's bookkeeping buffer (not scheduled), zeroed each schedule too. */
  scratchBytes: number;
}

export interface CommonRunConfig {
  threads: number;
  /**
   * Steps a schedule may take in all before it counts as a livelock (a safety net: the window below
   * catches a livelock first). Default: the window + threads x (ops + 2 x maxHeldPages + 2) x (100 +
   * pages), every operation a thread makes (fill, churn, drain) given as many steps as a scan of every
   * page takes, and never less than MIN_CAP.
   */
  stepBudget?: number;
  /**
   * Steps in a row in which no thread completes an operation that make a livelock. Default:
   * 20,000 + 4 x threads x pages, room for every thread to scan all of memory a few times over.
   */
  progressWindow?: number;
  /** How long one step may run before the thread counts as hung (it never reached an Atomics call). */
  watchdogMs: number;
  /** Which accesses are scheduling points (default: all, plain reads and writes too). */
  points?: PointsMode;
  /** How the logical threads run (default: engineOf, in engine.ts: coroutines for an allocator, workers for a program). */
  engine?: Engine;
}

/** The least cap on a run's steps: the fixed budget of old, which no small run ever reached. */
const MIN_CAP = 200_000;

/** The step budgets of a run of this size (see ControlledConfig). */
export function stepLimits(config: Pick<AllocatorRunConfig, 'scenario' | 'threads' | 'stepBudget' | 'progressWindow'> | Pick<ProgramRunConfig, 'kind' | 'threads' | 'stepBudget' | 'progressWindow'>): { window: number; cap: number } {
  // A program has no operations to count: only its cap (and the spin detector) stops a livelock.
  if ('kind' in config && config.kind === 'program') return { window: config.progressWindow ?? Infinity, cap: config.stepBudget ?? MIN_CAP };
  const { scenario, threads } = config as Pick<AllocatorRunConfig, 'scenario' | 'threads' | 'stepBudget' | 'progressWindow'>;
  const pages = scenario.pages;
  const window = config.progressWindow ?? 20_000 + 4 * threads * pages;
  const ops = (scenario.ops ?? 0) + 2 * scenario.workload.maxHeldPages + 2;
  // A cap no replay token could record would make a livelock that cannot be replayed.
  return { window, cap: config.stepBudget ?? Math.min(MAX_STEP_BUDGET, Math.max(MIN_CAP, window + threads * ops * (100 + pages))) };
}
