import { describe, expect, it } from 'vitest';
import { defaultStrategy, isStrategyName, strategies, strategyNames } from './index.ts';
import { Pct } from './pct.ts';
import { RandomWalk } from './random.ts';
import { runSynthetic, write } from './synthetic-run.ts';

const options = { seed: 's', threads: 2, depth: 3, maxSteps: 100 };

describe('the strategy registry', () => {
  it('lists every strategy once, the default among them, and refuses other names', () => {
    expect(new Set(strategyNames).size).toBe(strategyNames.length);
    expect(strategyNames).toEqual(expect.arrayContaining(['random', 'pct', 'pos', 'surw', 'portfolio']));
    expect(strategyNames).toContain(defaultStrategy);
    expect(isStrategyName('pos')).toBe(true);
    expect(isStrategyName('toString')).toBe(false);
    expect(isStrategyName('dfs')).toBe(false);
    for (const name of strategyNames) expect(strategies[name].create({ ...options, index: 0 }).name).toBeTruthy();
  });
});

describe('portfolio', () => {
  const portfolio = strategies.portfolio;

  it('rotates its members by turn, and falls back on the index, then on the seed', () => {
    const names = Array.from({ length: 8 }, (_, turn) => portfolio.create({ ...options, turn }).name);
    expect(names).toEqual(['random', 'surw', 'pos', 'pct', 'random', 'surw', 'pos', 'pct']);
    expect(portfolio.create({ ...options, index: 2 }).name).toBe('pos');
    expect(portfolio.create({ ...options, seed: 'x/shrink/1' }).name).toBe(portfolio.create({ ...options, seed: 'x/shrink/1' }).name);
    expect(portfolio.label({ depth: 3, turn: 3 })).toBe('portfolio/pct d=3');
    expect(portfolio.label({ depth: 3 })).toBe('portfolio (random, surw, pos, pct d=3)');
  });

  it('makes the same choices as the member it runs, from the same seed', () => {
    const program = [Array(6).fill(write(0)), Array(6).fill(write(0))];
    expect(runSynthetic(portfolio.create({ ...options, turn: 0 }), program)).toEqual(runSynthetic(new RandomWalk('s'), program));
    expect(runSynthetic(portfolio.create({ ...options, turn: 3 }), program)).toEqual(runSynthetic(new Pct('s', 2, 3, 100), program));
  });

  it("counts only its PCT schedules for PCT's bound, in every shard", () => {
    const perRun = Pct.boundPerRun(2, 3, 100);
    const one = portfolio.bound!({ threads: 2, depth: 3, maxSteps: 100, schedules: 8, shard: { index: 1, count: 1 } })!;
    expect(one.runs).toBe(2);
    expect(one.overall).toBeCloseTo(1 - (1 - perRun) ** 2, 12);
    // 4 shards of a 4-member portfolio: each shard still rotates through every member.
    for (let shard = 1; shard <= 4; shard++) {
      expect(portfolio.bound!({ threads: 2, depth: 3, maxSteps: 100, schedules: 8, shard: { index: shard, count: 4 } })!.runs).toBe(2);
    }
    expect(strategies.pct.bound!({ threads: 2, depth: 3, maxSteps: 100, schedules: 8, shard: { index: 1, count: 1 } })!.runs).toBe(8);
  });
});

describe('random walk and PCT on synthetic runs', () => {
  const program = [Array(5).fill(write(0)), Array(5).fill(write(0)), Array(5).fill(write(4))];

  it('random: deterministic from its seed, varied across seeds', () => {
    expect(runSynthetic(new RandomWalk('r'), program)).toEqual(runSynthetic(new RandomWalk('r'), program));
    expect(new Set(Array.from({ length: 10 }, (_, i) => runSynthetic(new RandomWalk(`r${i}`), program).join(''))).size).toBeGreaterThan(5);
  });

  it('pct: with depth 1 (no change point) runs each thread to its end without a preemption', () => {
    for (let i = 0; i < 10; i++) {
      const schedule = runSynthetic(new Pct(`p${i}`, 3, 1, 15), program);
      expect(schedule.filter((t, k) => k > 0 && t !== schedule[k - 1]).length).toBe(2);
    }
    // With change points it does preempt, in some seeds.
    const preempting = Array.from({ length: 20 }, (_, i) => runSynthetic(new Pct(`p${i}`, 3, 3, 15), program)).filter((s) => s.filter((t, k) => k > 0 && t !== s[k - 1]).length > 2);
    expect(preempting.length).toBeGreaterThan(0);
  });
});
