import { describe, expect, it } from 'vitest';
import { loadAllocators } from '../alloc/load-allocator.ts';
import { loadScenario } from '../scenario/load.ts';
import { explore } from './explore.ts';
import type { PickContext } from './scheduler.ts';
import { SegmentGuide, segmentsOf, withoutSwitch } from './shrink.ts';

const context = (step: number, previous: number): PickContext => ({ step, previous, pendingHash: () => -1, pendingText: () => '', pendingAccess: () => undefined });

describe('preemption shrinking', () => {
  it('takes a switch out by letting the preempted thread run what it ran next', () => {
    const segments = segmentsOf([0, 0, 1, 1, 1, 0, 1]);
    expect(segments).toEqual([{ thread: 0, steps: 2 }, { thread: 1, steps: 3 }, { thread: 0, steps: 1 }, { thread: 1, steps: 1 }]);
    // Without the switch into segment 1, thread 0 takes its next step (segment 2) first.
    expect(withoutSwitch(segments, 1)).toEqual([{ thread: 0, steps: 3 }, { thread: 1, steps: 3 }, { thread: 1, steps: 1 }]);
    // A thread with no later segment runs on as long as it can.
    expect(withoutSwitch(segments, 3)[2]).toEqual({ thread: 0, steps: Infinity });
  });

  it('the guide follows segments, skips one whose thread cannot run, and is the same when asked again for a step', () => {
    const guide = new SegmentGuide([{ thread: 0, steps: 2 }, { thread: 1, steps: 1 }, { thread: 0, steps: 1 }]);
    const both = [0, 1];
    expect([0, 1, 2].map((s) => guide.pick(both, context(s, s === 0 ? -1 : 0)))).toEqual([0, 0, 1]);
    // Asked again from step 2 (a batch came back early) with thread 1 unable to run: segment skipped.
    expect(guide.pick([0], context(2, 0))).toBe(0);
    // Past the guide: the running thread goes on, no new preemption.
    expect(guide.pick(both, context(3, 0))).toBe(0);
    expect(guide.pick(both, context(4, 0))).toBe(0);
  });

  it('known-bugs/partial-claim: down to the one or two preemptions the bug needs', { timeout: 240_000 }, async () => {
    const { scenario } = await loadScenario('known-bugs/partial-claim');
    const [allocator] = await loadAllocators(scenario.allocators);
    const e = scenario.explore;
    const result = await explore({
      scenario,
      scenarioFile: 'scenarios/known-bugs/partial-claim.ts',
      allocator: allocator!,
      size: { threads: e.threads, ops: e.ops, pages: e.pages, maxHeldPages: e.maxHeldPages },
      strategy: 'random',
      depth: 2,
      runs: 500,
      timeBudgetMs: Infinity,
      seed: scenario.seed,
      shard: { index: 1, count: 1 },
      checkDeterminism: false,
      shrink: true,
    });
    expect(result.finding?.violation.kind).toBe('double-allocation');
    expect(result.finding!.foundPreemptions).toBeGreaterThan(5);
    expect(result.finding!.preemptions).toBeLessThanOrEqual(2);
    // The shrunk trace is a run that happened: its steps sit under the operations they belong to.
    expect(result.finding!.trace).toMatch(/alloc\(64\) returns \d+/);
    expect(result.finding!.trace).toMatch(/block 0 bitmap, pages \d+\.\.\d+/);
  });
});
