import { describe, expect, it } from 'vitest';
import { Pos } from './pos.ts';
import { RandomWalk } from './random.ts';
import { contextFor, distribution, read, runSynthetic, write } from './synthetic-run.ts';

describe('POS', () => {
  it('is deterministic from its seed, and different seeds make different schedules', () => {
    const program = [Array(6).fill(write(0)), Array(6).fill(write(0)), Array(6).fill(read(8))];
    expect(runSynthetic(new Pos('a', 3), program)).toEqual(runSynthetic(new Pos('a', 3), program));
    const schedules = new Set(Array.from({ length: 20 }, (_, i) => runSynthetic(new Pos(`s${i}`, 3), program).join('')));
    expect(schedules.size).toBeGreaterThan(5);
  });

  it('redraws the priority of the thread that ran and of the events racing with it, and only those', () => {
    // Threads 0 and 1 write the same byte; thread 2 writes elsewhere.
    const pending = [write(0), write(0), write(8)];
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const pos = new Pos(`race-${i}`, 3);
      const picked = pos.pick([0, 1, 2], contextFor(pending));
      expect(pos.priorityOf(picked)).toBeUndefined();
      if (picked === 2) {
        seen.add('independent');
        expect(pos.priorityOf(0)).toBeDefined();
        expect(pos.priorityOf(1)).toBeDefined();
      } else {
        seen.add('racing');
        expect(pos.priorityOf(1 - picked)).toBeUndefined();
        expect(pos.priorityOf(2)).toBeDefined();
      }
    }
    expect(seen).toEqual(new Set(['independent', 'racing']));
  });

  it('does not count two reads, or accesses to different bytes, as a race', () => {
    for (const pending of [
      [read(0), read(0)],
      [write(0, 4), write(4, 4)],
    ]) {
      const pos = new Pos('reads', 2);
      const picked = pos.pick([0, 1], contextFor(pending));
      expect(pos.priorityOf(1 - picked)).toBeDefined();
    }
    // Overlapping bytes of different widths do race.
    const pos = new Pos('wide', 2);
    const picked = pos.pick([0, 1], contextFor([write(0, 4), read(2, 1)]));
    expect(pos.priorityOf(1 - picked)).toBeUndefined();
  });

  it('runs the enabled event with the highest priority: an event that keeps its priority keeps winning', () => {
    // Thread 1's reads never race thread 0's reads: whichever has the higher priority stays ahead until
    // it is redrawn, so POS switches less often than a random walk does.
    const program = [Array(8).fill(read(0)), Array(8).fill(read(0))];
    const switches = (schedule: number[]) => schedule.filter((t, i) => i > 0 && t !== schedule[i - 1]).length;
    let pos = 0;
    let random = 0;
    for (let i = 0; i < 200; i++) {
      pos += switches(runSynthetic(new Pos(`p${i}`, 2), program));
      random += switches(runSynthetic(new RandomWalk(`p${i}`), program));
    }
    expect(pos).toBeLessThan(random);
  });

  it('samples both orders of two racing writes, and asks for every step to be seen (no batching)', () => {
    const d = distribution((seed) => new Pos(seed, 2), [[write(0)], [write(0)]], 400);
    expect(d.get('01')).toBeGreaterThan(0.4);
    expect(d.get('10')).toBeGreaterThan(0.4);
    expect(new Pos('x', 2).batchLimit()).toBe(1);
  });
});
