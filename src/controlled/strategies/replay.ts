/**
 * Replay: follows a recorded schedule step by step, and stops with a clear error the moment the run
 * departs from it: the recorded thread cannot run, or it is about to make a different call than the one
 * recorded. After the recorded steps, it keeps the last thread running while it can (no new preemption).
 */
import { type PickContext, ScheduleDiverged, type Scheduler } from '../scheduler.ts';

export class Replay implements Scheduler {
  readonly name = 'replay';

  /**
   * @param hashes one byte per step: the hash of the call each step made, or undefined to not check
   *   (shrinking replays a schedule on purpose only as a guide).
   */
  constructor(
    private readonly schedule: readonly number[],
    private readonly hashes: Uint8Array | undefined,
  ) {}

  pick(enabled: readonly number[], context: PickContext): number {
    const { step } = context;
    if (step >= this.schedule.length) {
      if (this.hashes) throw new ScheduleDiverged(step, `the run goes on past the ${this.schedule.length} recorded steps`);
      return enabled.includes(context.previous) ? context.previous : enabled[0]!;
    }
    const thread = this.schedule[step]!;
    if (!enabled.includes(thread)) {
      throw new ScheduleDiverged(step, `step ${step}: the schedule runs thread ${thread}, which cannot run now (runnable: ${enabled.join(', ') || 'none'})`);
    }
    const pending = context.pendingHash(thread);
    if (this.hashes && pending >= 0 && pending !== this.hashes[step]) {
      throw new ScheduleDiverged(step, `step ${step}: thread ${thread} is about to ${context.pendingText(thread)}, not the call recorded at this step`);
    }
    return thread;
  }

  expectedHash(step: number): number {
    return this.hashes?.[step] ?? -1;
  }
}
