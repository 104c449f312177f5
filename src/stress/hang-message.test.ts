import { describe, expect, it } from 'vitest';
import { RunViews, ThreadBlockLayout, ThreadState, computeLayout } from '../subjects/allocator/layout.ts';
import { hangViolation } from './run.ts';

function views(states: number[]): RunViews {
  const layout = computeLayout(states.length, 64, 64);
  const v = new RunViews(new SharedArrayBuffer(layout.totalBytes), layout);
  states.forEach((state, thread) => (v.thread(thread)[ThreadBlockLayout.i32.state] = state));
  return v;
}

describe('a hang names each thread by what held it up, once', () => {
  // The pool's start as run.ts watches it: nobody has started, for 40 s.
  const start = { started: 0, since: 0 };
  const now = 40_000;

  it('a thread that never started: judged by the pool\'s start, not "made no progress for 5000 ms"', () => {
    const hang = hangViolation(views([ThreadState.starting]), [0], 5000, ['churn'], -1, start, now);
    expect(hang.message).toBe('thread 0 did not start: no thread of the pool finished starting for 40 s (0 of 1 started; a pool of 1 gets 5 s + 30 s + 2 s a worker)');
  });

  it('one running and stuck, one not started: two sentences, each with its own limit', () => {
    const hang = hangViolation(views([ThreadState.running, ThreadState.starting]), [0, 1], 5000, ['churn'], -1, { started: 1, since: 0 }, now);
    expect(hang.message).toBe('thread 0 made no progress for 5000 ms: thread 0 outside any allocator call; thread 1 did not start: no thread of the pool finished starting for 40 s (1 of 2 started; a pool of 2 gets 5 s + 30 s + 2 s a worker)');
    expect(hang.history.map((h) => h.thread)).toEqual([0, 1]);
  });
});
