/**
 * Programs and concurrent objects on the coroutine engine run the schedules they run on workers, step
 * for step, with the same violations: SCTBench ports (an assertion, a check over the memory, a
 * deadlock) and ringbuf.js with two producers (a linearizability check). The allocators' side of the
 * same claim is src/controlled/coroutines/engine.test.ts.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { schedulerFor } from '../../controlled/explore.ts';
import type { StrategyName } from '../../controlled/strategies/index.ts';
import { programCoordinator } from './explore-program.ts';
import { loadProgramInfo } from './load-program.ts';

const SCHEDULES = 8;

// Programs and concurrent objects: assertions, deadlocks, a check over the memory, a linearizability check.
const programs = ['examples/sctbench/aget-bug2.ts', 'examples/sctbench/chess-choizeller.ts', 'examples/sctbench/chess-deadlock.ts', 'examples/ringbuf/object-two-producers.ts'];

describe.concurrent('the coroutine engine runs the schedules the workers engine runs, for programs and objects', () => {
  it.each(programs)('%s', { timeout: 120_000 }, async (file) => {
    const absolute = path.resolve(file);
    const info = (await loadProgramInfo(absolute, file))!;
    const [workers, coroutines] = (['workers', 'coroutines'] as const).map((engine) => programCoordinator(absolute, info, { points: 'all', engine }));
    const strategies: StrategyName[] = ['random', 'pct', 'pos', 'surw'];
    const outcomes: string[] = [];
    try {
      for (let i = 0; i < SCHEDULES; i++) {
        const scheduler = () => schedulerFor(strategies[i % strategies.length]!, `programs/${i}`, info.threads, 3, 400);
        const [a, b] = [await workers!.run(scheduler()), await coroutines!.run(scheduler())];
        const shown = (r: typeof a) => ({ outcome: r.outcome, violations: r.violations.map((v) => `${v.kind}: ${v.message}`), schedule: r.schedule.join(''), hashes: Buffer.from(r.hashes).toString('hex'), digest: r.digest });
        expect(shown(b), `schedule ${i}`).toEqual(shown(a));
        outcomes.push(a.outcome);
      }
    } finally {
      await Promise.all([workers!.close(), coroutines!.close()]);
    }
    // Each of these has its bug, and it shows in these schedules.
    expect(outcomes, outcomes.join(', ')).toContain('violation');
  });
});

