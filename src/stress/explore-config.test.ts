import { describe, expect, it } from 'vitest';
import type { Violation } from '../check/violation.ts';
import { validateScenario } from '../scenario/load.ts';
import { MAX_EXPLORE_OPS, MAX_EXPLORE_PAGES } from '../harness/limits.ts';
import { exploreCommand, exploreConfigOf, type StressRunSummary } from './explore-config.ts';

const settings = validateScenario(
  { description: 'x', memory: 1024, threads: [8], ops: 100_000, seed: 'cfg-1', workload: { maxHeldPages: 64 }, expect: ['double-allocation'] },
  'cfg.ts',
);

const violation = (kind: Violation['kind'], phase?: Violation['phase'], op?: number): Violation => ({
  kind,
  message: kind,
  pages: [],
  threads: [0],
  history: [],
  ...(phase ? { phase } : {}),
  ...(op !== undefined ? { op } : {}),
});

const run = (violations: Violation[], extra: Partial<StressRunSummary> = {}): StressRunSummary => ({ allocator: 'byte-cas/racy-rmw', threads: 8, ops: 800_000, lock: true, violations, ...extra });

describe('a stress run as an exploration of its own configuration', () => {
  it('keeps the allocator, threads, seed, memory and held limit, and churns up to the violation', () => {
    expect(exploreConfigOf(settings, run([violation('double-allocation', 'churn', 1204), violation('double-allocation', 'churn', 37)]))).toEqual({
      allocator: 'byte-cas/racy-rmw',
      seed: 'cfg-1',
      lock: true,
      size: { threads: 8, ops: 37, pages: 1024, maxHeldPages: 64 },
    });
  });

  it('a run that saw nothing keeps its allocator, seed and lock, and leaves the size to grow', () => {
    const config = exploreConfigOf(settings, run([], { lock: false }));
    expect(config).toEqual({ allocator: 'byte-cas/racy-rmw', seed: 'cfg-1', lock: false });
    expect(exploreCommand('scenarios/cfg.ts', config, true)).toBe('npm run explore -- scenarios/cfg.ts --allocator byte-cas/racy-rmw --seed cfg-1 --no-lock');
  });

  it('needs one churn op for what a fill shows, the whole churn for what shows later or at no known op', () => {
    const ops = (...violations: Violation[]) => exploreConfigOf(settings, run(violations)).size?.ops;
    expect(ops(violation('double-allocation', 'fill', 12))).toBe(1);
    expect(ops(violation('double-allocation', 'drain', 3))).toBe(100_000);
    expect(ops(violation('double-allocation', 'churn'))).toBe(100_000);
    expect(ops(violation('double-allocation'))).toBe(100_000);
  });

  it('goes by the violations the scenario expects when there are any, by all of them otherwise', () => {
    const ops = (...violations: Violation[]) => exploreConfigOf(settings, run(violations)).size?.ops;
    // An audit after churn needs the whole churn, but the expected double allocation came at op 500.
    expect(ops(violation('audit', 'churn'), violation('double-allocation', 'churn', 500))).toBe(500);
    expect(ops(violation('leak', 'churn', 20), violation('double-allocation', 'churn', 500))).toBe(500);
    expect(ops(violation('leak', 'churn', 20))).toBe(20);
  });

  it('a churn of a given time ran as many ops as its threads managed, on average', () => {
    const { ops: _, ...rest } = settings;
    const timed = { ...rest, durationMs: 2000 };
    expect(exploreConfigOf(timed, run([violation('audit', 'churn')], { ops: 8000, threads: 8 })).size?.ops).toBe(1000);
  });

  it('a churn of a given time does not cap the op a violation was seen at by that average: a thread ran that far', () => {
    const { ops: _, ...rest } = settings;
    const timed = { ...rest, durationMs: 2000 };
    expect(exploreConfigOf(timed, run([violation('double-allocation', 'churn', 2500)], { ops: 8000, threads: 8 })).size?.ops).toBe(2500);
    // A churn of a given length still bounds it.
    expect(exploreConfigOf(settings, run([violation('double-allocation', 'churn', 200_000)])).size?.ops).toBe(100_000);
  });

  it('prints as a command that repeats every one of them, and --no-lock only where the file has the lock', () => {
    const config = exploreConfigOf(settings, run([violation('double-allocation', 'churn', 37)], { lock: false }));
    expect(exploreCommand('scenarios/cfg.ts', config, true)).toBe(
      'npm run explore -- scenarios/cfg.ts --allocator byte-cas/racy-rmw --threads 8 --seed cfg-1 --ops-up-to 37 --memory 1024 --max-held 64 --no-lock',
    );
    expect(exploreCommand('scenarios/cfg.ts', config, false)).not.toMatch(/--no-lock/);
  });
});

describe('a stress run bigger than a controlled run may be', () => {
  it('prints a command explore takes: ops and memory within its limits', () => {
    const timed = validateScenario({ description: 'x', memory: '8GiB', threads: [2], duration: '2s', seed: 'big-1', expect: 'pass' }, 'big.ts');
    const config = exploreConfigOf(timed, run([violation('audit', 'churn')], { threads: 2, ops: 9_000_000 }));
    expect(config.size).toEqual({ threads: 2, ops: MAX_EXPLORE_OPS, pages: MAX_EXPLORE_PAGES, maxHeldPages: timed.workload.maxHeldPages });
  });
});
