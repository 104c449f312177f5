/**
 * The coroutine engine runs the same schedules as the workers engine, step for step: the same threads
 * at every step, the same calls (their hashes) and what they returned (the trace digest), the same
 * outcome. Checked on the built-in allocators, known-bug variants (their races must show), user modules
 * of plain typed-array code and of Atomics code, and @thi.ng/malloc (whose state is behind getters and
 * setters), with plain accesses as points and with Atomics calls only (programs and objects:
 * src/subjects/program/coroutine-program.test.ts). Then what a coroutine run must
 * do of its own: a thread that throws, and one that loops on plain memory, are reported with their
 * thread, as on workers.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAllocators } from '../../alloc/load-allocator.ts';
import { loadScenario } from '../../scenario/load.ts';
import { testDir } from '../../testing/test-dir.ts';
import { type Engine, EngineCannotFollow } from '../engine.ts';
import { onEngine } from '../on-engine.ts';
import { coordinatorFor, schedulerFor } from '../explore.ts';
import type { PointsMode } from '../plain-access-mode.ts';
import { RandomWalk } from '../strategies/random.ts';
import type { Scheduler } from '../scheduler.ts';
import type { StrategyName } from '../strategies/index.ts';

const dir = testDir('coroutine-engine');

interface Case {
  scenario: string;
  allocator?: string;
  threads: number;
  points: PointsMode;
}

const cases: Case[] = [
  { scenario: 'smoke', allocator: 'byte-cas', threads: 3, points: 'all' },
  { scenario: 'smoke', allocator: 'colored-region', threads: 3, points: 'all' },
  { scenario: 'smoke', allocator: 'stack-bitmap', threads: 4, points: 'atomics' },
  { scenario: 'known-bugs/racy-rmw', threads: 4, points: 'all' },
  { scenario: 'known-bugs/double-push', threads: 2, points: 'all' },
  { scenario: 'known-bugs/stack-bitmap-no-lock', threads: 3, points: 'all' },
  { scenario: 'smoke', allocator: './src/fixtures/user-allocators/plain-bitmap-rmw.ts', threads: 3, points: 'all' },
  { scenario: 'near-oom', allocator: './src/fixtures/user-allocators/arena-lost-free.ts', threads: 4, points: 'atomics' },
  { scenario: 'smoke', allocator: './src/fixtures/user-allocators/correct-plain-locked.ts', threads: 3, points: 'all' },
  { scenario: 'smoke', allocator: './src/fixtures/thi-ng-malloc/lock-free.ts', threads: 2, points: 'all' },
];

const SCHEDULES = 8;

/** A size where the threads meet within a few dozen operations. */
const size = (threads: number) => ({ threads, ops: 24, pages: 48, maxHeldPages: 12 });

describe.concurrent('the coroutine engine runs the schedules the workers engine runs', () => {
  it.each(cases)('$scenario $allocator at $threads threads, --points $points', { timeout: 120_000 }, async (c) => {
    const { scenario } = await loadScenario(c.scenario);
    const [allocator] = await loadAllocators([c.allocator ?? scenario.allocators[0]!]);
    const make = (engine: Engine) => coordinatorFor({ scenario, allocator: allocator!, points: c.points, engine }, size(c.threads));
    const workers = make('workers');
    const coroutines = make('coroutines');
    // Each strategy in turn: their picks differ (PCT's priorities, POS's and SURW's use of the pending access).
    const strategies: StrategyName[] = ['random', 'pct', 'pos', 'surw'];
    const schedulers = (i: number): Scheduler => schedulerFor(strategies[i % strategies.length]!, `engines/${i}`, c.threads, 3, 400);
    const outcomes: string[] = [];
    try {
      for (let i = 0; i < SCHEDULES; i++) {
        const [a, b] = [await workers.run(schedulers(i)), await coroutines.run(schedulers(i))];
        const shown = (r: typeof a) => ({ outcome: r.outcome, kind: r.violations[0]?.kind, steps: r.steps.length, schedule: r.schedule.join(''), hashes: Buffer.from(r.hashes).toString('hex'), digest: r.digest });
        expect(shown(b), `schedule ${i}: ${b.violations[0]?.message ?? ''}`).toEqual(shown(a));
        // A schedule that passed ran every thread's operations: real work, not a start and an end.
        if (a.outcome === 'pass') expect(a.steps.length).toBeGreaterThan(c.threads * 24);
        outcomes.push(`${a.outcome}${a.violations[0] ? ` ${a.violations[0].kind}` : ''}`);
      }
    } finally {
      await Promise.all([workers.close(), coroutines.close()]);
    }
    // The buggy subjects' races show in these schedules; the correct ones pass every one.
    const buggy = c.scenario.startsWith('known-bugs/') || /plain-bitmap-rmw|arena-lost-free|lock-free/.test(c.allocator ?? '');
    if (buggy) expect(outcomes.some((o) => o.startsWith('violation')), outcomes.join(', ')).toBe(true);
    else expect(outcomes.every((o) => o === 'pass'), outcomes.join(', ')).toBe(true);
  });
});

describe('a coroutine run that fails', () => {
  const userModule = async (name: string, source: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, source);
    return (await loadAllocators([file]))[0]!;
  };
  // A bitmap allocator whose alloc, once page `trap` is reached by thread 1, throws or loops on plain memory.
  const trapped = (then: string) => `
    export default {
      name: 'trapped', locking: 'lock-free', maxRun: 1,
      sharedBytes: (pages) => pages,
      init() {},
      attach(region, pages, thread) {
        const bits = new Uint8Array(region.buffer, region.byteOffset, pages);
        return {
          alloc(count) {
            for (let p = 0; p < pages; p++) {
              if (Atomics.compareExchange(bits, p, 0, 1) === 0) {
                if (thread === 1 && p >= 3) { ${then} }
                return p;
              }
            }
            return -1;
          },
          free(first) { Atomics.store(bits, first, 0); },
          isAllocated(page) { return Atomics.load(bits, page) === 1; },
        };
      },
    };`;

  it.each<[Engine]>([['workers'], ['coroutines']])('on %s, a thread that throws is a crash of that thread', { timeout: 60_000 }, async (engine) => {
    const allocator = await userModule(`throws-${engine}.mjs`, trapped("throw new Error('trap sprung');"));
    const { scenario } = await loadScenario('smoke');
    const coordinator = coordinatorFor({ scenario, allocator, points: 'atomics', engine }, size(2));
    try {
      const result = await coordinator.run(new RandomWalk('trap'));
      expect(result.outcome).toBe('violation');
      expect(result.violations[0]!.kind).toBe('crash');
      expect(result.violations[0]!.message).toMatch(/thread 1 .*trap sprung/);
      // The next schedule runs on fresh threads and fails the same way.
      const again = await coordinator.run(new RandomWalk('trap'));
      expect(again.violations[0]!.message).toBe(result.violations[0]!.message);
    } finally {
      await coordinator.close();
    }
  });

  it.each<[Engine]>([['workers'], ['coroutines']])('on %s, a thread that loops on plain memory is a hang of that thread', { timeout: 60_000 }, async (engine) => {
    const allocator = await userModule(`hangs-${engine}.mjs`, trapped('for (;;) bits[0] = 1;'));
    const { scenario } = await loadScenario('smoke');
    const coordinator = coordinatorFor({ scenario: { ...scenario, watchdogMs: 1500 }, allocator, points: 'atomics', engine }, size(2));
    try {
      const result = await coordinator.run(new RandomWalk('trap'));
      expect(result.outcome).toBe('violation');
      expect(result.violations[0]!.kind).toBe('hang');
      expect(result.violations[0]!.threads).toEqual([1]);
    } finally {
      await coordinator.close();
    }
  });
});

describe('a schedule the coroutine engine cannot follow', () => {
  // Each alloc builds a cursor whose constructor reads the bitmap: a constructor cannot be a generator,
  // so its points wait on the thread's own stack, and two threads inside constructors at once nest.
  const source = `
    class Cursor {
      constructor(bits, pages) {
        this.at = -1;
        for (let p = 0; p < pages && this.at < 0; p++) if (Atomics.load(bits, p) === 0) this.at = p;
      }
    }
    export default {
      name: 'cursor', locking: 'lock-free', maxRun: 1,
      sharedBytes: (pages) => pages,
      init() {},
      attach(region, pages) {
        const bits = new Uint8Array(region.buffer, region.byteOffset, pages);
        return {
          alloc() {
            for (;;) {
              const c = new Cursor(bits, pages);
              if (c.at < 0) return -1;
              if (Atomics.compareExchange(bits, c.at, 0, 1) === 0) return c.at;
            }
          },
          free(first) { Atomics.store(bits, first, 0); },
          isAllocated(page) { return Atomics.load(bits, page) === 1; },
        };
      },
    };`;

  it('is not a finding: the run goes again on workers, which follow every schedule, with the same outcome', { timeout: 90_000 }, async () => {
    const file = path.join(dir, 'cursor.mjs');
    writeFileSync(file, source);
    const [allocator] = await loadAllocators([file]);
    const { scenario } = await loadScenario('smoke');
    const engines: Engine[] = [];
    const runOn = async (engine: Engine) => {
      engines.push(engine);
      const coordinator = coordinatorFor({ scenario, allocator: allocator!, points: 'atomics', engine }, size(3));
      try {
        const outcomes: string[] = [];
        for (let i = 0; i < 6; i++) outcomes.push((await coordinator.run(new RandomWalk(`cursor/${i}`))).outcome);
        return outcomes;
      } finally {
        await coordinator.close();
      }
    };
    await expect(runOn('coroutines')).rejects.toBeInstanceOf(EngineCannotFollow);
    engines.length = 0;
    const outcomes = await onEngine(undefined, true, runOn);
    expect(engines).toEqual(['coroutines', 'workers']);
    expect(outcomes).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
  });
});
