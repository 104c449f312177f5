import { describe, expect, it } from 'vitest';
import { RandomWalk } from './random.ts';
import { summarizeSchedule } from './schedule-summary.ts';
import type { ScheduleSummary } from './strategy.ts';
import { Surw } from './surw.ts';
import { contextFor, distribution, runSynthetic, write } from './synthetic-run.ts';

const learnt = (sharedEvents: number[], sharedBytes: number[]): ScheduleSummary => ({ steps: sharedEvents, sharedEvents, sharedBytes: new Set(sharedBytes) });

describe('SURW', () => {
  it('is deterministic from its seed', () => {
    const program = [Array(5).fill(write(0)), Array(3).fill(write(0))];
    const previous = learnt([5, 3], [0]);
    expect(runSynthetic(new Surw('a', 2, previous, 0), program)).toEqual(runSynthetic(new Surw('a', 2, previous, 0), program));
  });

  it('picks a thread in proportion to its remaining interesting events', () => {
    let first0 = 0;
    const seeds = 2000;
    for (let i = 0; i < seeds; i++) {
      const surw = new Surw(`w${i}`, 2, learnt([9, 1], [0]), 0);
      if (surw.pick([0, 1], contextFor([write(0), write(0)])) === 0) first0++;
    }
    expect(first0 / seeds).toBeGreaterThan(0.85);
    expect(first0 / seeds).toBeLessThan(0.95);
  });

  it('samples every interleaving of the interesting events with the same chance, where a random walk does not', () => {
    const program = [[write(0), write(0)], [write(0)]];
    const surw = distribution((seed) => new Surw(seed, 2, learnt([2, 1], [0]), 0), program, 3000);
    for (const key of ['001', '010', '100']) {
      expect(surw.get(key)).toBeGreaterThan(0.29);
      expect(surw.get(key)).toBeLessThan(0.38);
    }
    const random = distribution((seed) => new RandomWalk(seed), program, 3000);
    expect(random.get('100')).toBeGreaterThan(0.45);
  });

  it('lets events that are not interesting run as a plain random walk', () => {
    // Thread 0 touches only byte 100, which nobody shared last time; thread 1 has 5 interesting events.
    let first0 = 0;
    for (let i = 0; i < 2000; i++) {
      const surw = new Surw(`n${i}`, 2, learnt([0, 5], [0]), 0);
      if (surw.pick([0, 1], contextFor([write(100), write(0)])) === 0) first0++;
    }
    // Weighted as interesting it would go first 1 time in 6; as a random walk, half the time.
    expect(first0 / 2000).toBeGreaterThan(0.45);
  });

  it('counts down the remaining events of the thread that ran, and asks for every step to be seen', () => {
    const surw = new Surw('c', 2, learnt([3, 3], [0]), 0);
    const t = surw.pick([0, 1], contextFor([write(0), write(0)]));
    expect(surw.remainingOf(t)).toBe(2);
    expect(surw.remainingOf(1 - t)).toBe(3);
    expect(surw.batchLimit()).toBe(1);
  });

  it('learns from a summary of the previous schedule: shared bytes and each thread\'s events on them', () => {
    const steps = [
      { thread: 0, request: 3, array: 1, index: 10, arg1: 1, arg2: 0 }, // store u8[10]
      { thread: 1, request: 2, array: 1, index: 10, arg1: 0, arg2: 0 }, // load u8[10]: races the store
      { thread: 0, request: 2, array: 1, index: 20, arg1: 0, arg2: 0 }, // load u8[20]
      { thread: 1, request: 2, array: 1, index: 20, arg1: 0, arg2: 0 }, // load u8[20]: two reads, no race
      { thread: 1, request: 3, array: 4, index: 8, arg1: 0, arg2: 0 }, // store i32[8], bytes 32..35: thread 1 alone
      { thread: 0, request: 15, array: 0, index: 0, arg1: 0, arg2: 0 }, // done
    ];
    const summary = summarizeSchedule(steps, 2);
    expect([...summary.sharedBytes]).toEqual([10]);
    expect(summary.sharedEvents).toEqual([1, 1]);
    expect(summary.steps).toEqual([3, 3]);
  });
});
