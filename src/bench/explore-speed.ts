/**
 * How fast controlled mode takes scheduling steps: steps per second of whole schedules (batches,
 * handoffs between workers, the coordinator's picks, the reset and reports between schedules), at a
 * given thread count, points mode and engine, after the workers have started (their start-up, seconds under
 * load, is not a step). The configurations of one thread count are measured in alternating slices on
 * pools kept open side by side, so that a shared machine's noise falls on all of them alike and their
 * ratios can be read even when the absolute figures cannot.
 */
import type { LoadedAllocator } from '../alloc/load-allocator.ts';
import type { Coordinator } from '../controlled/coordinator.ts';
import { coordinatorFor } from '../controlled/explore.ts';
import type { PointsMode } from '../controlled/plain-access-mode.ts';
import type { Engine } from '../controlled/engine.ts';
import { RandomWalk } from '../controlled/strategies/random.ts';
import type { Scenario } from '../scenario/schema.ts';

export interface SpeedConfig {
  threads: number;
  points: PointsMode;
  engine: Engine;
}

export interface SpeedRow extends SpeedConfig {
  allocator: string;
  schedules: number;
  steps: number;
  seconds: number;
  stepsPerSecond: number;
}

export interface SpeedOptions {
  scenario: Scenario;
  allocator: LoadedAllocator;
  /** Ops per thread in one schedule. */
  ops: number;
  pages: number;
  maxHeldPages: number;
  /** Measured time per configuration, in slices. */
  seconds: number;
  /** Alternating slices per configuration. */
  slices: number;
  seed: string;
}

/** Measures `configs` (one thread count) side by side; returns one row per config, in their order. */
export async function measureSpeed(configs: readonly SpeedConfig[], options: SpeedOptions): Promise<SpeedRow[]> {
  const coordinators: Coordinator[] = configs.map((config) =>
    coordinatorFor(
      { scenario: options.scenario, allocator: options.allocator, stepBudget: 10_000_000, points: config.points, engine: config.engine },
      { threads: config.threads, ops: options.ops, pages: options.pages, maxHeldPages: options.maxHeldPages },
    ),
  );
  const totals = configs.map(() => ({ schedules: 0, steps: 0, ms: 0 }));
  let schedule = 0;
  try {
    // Starts every pool's workers and warms their code before anything is timed.
    for (const coordinator of coordinators) await coordinator.run(new RandomWalk(`${options.seed}/warm`));
    const sliceMs = (options.seconds * 1000) / options.slices;
    for (let slice = 0; slice < options.slices; slice++) {
      for (const [i, coordinator] of coordinators.entries()) {
        const total = totals[i]!;
        const started = performance.now();
        do {
          const result = await coordinator.run(new RandomWalk(`${options.seed}/${schedule++}`));
          if (result.outcome !== 'pass') throw new Error(`${options.allocator.name} at ${configs[i]!.threads} threads: a speed run must pass, got ${result.outcome} (${result.violations[0]?.message ?? result.divergence})`);
          total.schedules++;
          total.steps += result.steps.length;
        } while (performance.now() - started < sliceMs);
        total.ms += performance.now() - started;
      }
    }
  } finally {
    await Promise.all(coordinators.map((c) => c.close()));
  }
  return configs.map((config, i) => {
    const t = totals[i]!;
    return { ...config, allocator: options.allocator.name, schedules: t.schedules, steps: t.steps, seconds: t.ms / 1000, stepsPerSecond: t.ms > 0 ? (t.steps * 1000) / t.ms : 0 };
  });
}
