import { describe, expect, it } from 'vitest';
import { RunViews, ThreadState, computeLayout, kStateField } from './layout.ts';
import { hangViolation } from './run.ts';

function views(states: number[]): RunViews {
  const layout = computeLayout(states.length, 64, 64);
  const v = new RunViews(new SharedArrayBuffer(layout.totalBytes), layout);
  states.forEach((state, thread) => (v.thread(thread)[kStateField] = state));
  return v;
}

describe('a hang names each thread by what held it up, once', () => {
  it('a thread that never started: its start limit, not "made no progress for 5000 ms"', () => {
    const hang = hangViolation(views([ThreadState.starting]), [0], 5000, ['churn'], -1);
    expect(hang.message).toBe('thread 0 did not start within 35000 ms (loading the worker and the allocator module)');
  });

  it('one running and stuck, one not started: two sentences, each with its own limit', () => {
    const hang = hangViolation(views([ThreadState.running, ThreadState.starting]), [0, 1], 5000, ['churn'], -1);
    expect(hang.message).toBe('thread 0 made no progress for 5000 ms: thread 0 outside any allocator call; thread 1 did not start within 35000 ms (loading the worker and the allocator module)');
    expect(hang.history.map((h) => h.thread)).toEqual([0, 1]);
  });
});
