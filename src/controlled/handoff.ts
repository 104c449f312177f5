/**
 * Handing the schedule between the coordinator and the workers: the batch of decisions written ahead
 * while the calls stay plain (protocol.ts), and the coordinator's waits for a thread to park and for a
 * batch to come back. Each wait polls first (a step is usually a few hundred ns) and then sleeps in
 * slices, yielding to the event loop between them so that a worker that died is noticed; only the
 * value of a field says that something happened, never a wake-up.
 */
import { BatchHeaderLayout, BatchViews, Owner, SlotLayout, Turn } from './protocol.ts';
import { type PickContext, ScheduleDiverged, type Scheduler } from './scheduler.ts';

/** Polls before the coordinator sleeps while the running thread has not parked yet. */
const SPIN = 4000;

/**
 * Waits for a running thread to park. Polls first (a step is usually a few hundred ns), then sleeps
 * in short slices, yielding to the event loop between them so a worker that died is noticed.
 * Returns true, or why the thread is stuck.
 */
export async function waitParked(slot: Int32Array, failures: (string | undefined)[], t: number, limitMs: number): Promise<true | { crashed: string } | { hung: number }> {
  if (spinUntilParked(slot)) return true;
  const started = performance.now();
  for (;;) {
    // Only the value says the thread parked: a wake-up may be a late notify meant for an earlier wait.
    Atomics.wait(slot, SlotLayout.i32.turn, Turn.running, 20);
    if (Atomics.load(slot, SlotLayout.i32.turn) !== Turn.running) return true;
    await new Promise((resolve) => setImmediate(resolve));
    if (Atomics.load(slot, SlotLayout.i32.turn) !== Turn.running) return true;
    const failure = failures[t];
    if (failure !== undefined) return { crashed: failure };
    if (performance.now() - started > limitMs) return { hung: limitMs };
  }
}

/**
 * Waits for a batch to come back to the coordinator. Sleeps in short slices, yielding to the event
 * loop between them so a worker that died is noticed; a batch that makes no step for the watchdog's
 * time is stuck in the thread that holds the turn.
 */
export async function waitBack(header: Int32Array, slots: Int32Array[], failures: (string | undefined)[], watchdogMs: number): Promise<true | { thread: number; crashed: string } | { thread: number; hung: number }> {
  let step = header[BatchHeaderLayout.i32.next]!;
  let since = performance.now();
  for (;;) {
    // Only the owner field says the batch is back, never the wake-up itself: the worker that handed
    // the last batch back notifies after its store, and on a loaded machine that notify can arrive
    // after the coordinator, having seen the store by polling, granted the next batch and begun to
    // wait. Trusting it read the log before the running thread had taken its step (a schedule that
    // ran twice differed, and a replay diverged).
    const woke = Atomics.wait(header, BatchHeaderLayout.i32.owner, Owner.workers, 20);
    if (Atomics.load(header, BatchHeaderLayout.i32.owner) !== Owner.workers) return true;
    // A wake-up with the batch still out (a late notify) polls again rather than yielding: an event
    // loop turn per wake costs more than a step. Only a slice that ran out yields, to notice a death.
    if (woke !== 'timed-out' && performance.now() - since < 20) {
      if (spinUntilBack(header)) return true;
      continue;
    }
    await new Promise((resolve) => setImmediate(resolve));
    if (Atomics.load(header, BatchHeaderLayout.i32.owner) !== Owner.workers) return true;
    const running = Math.max(0, slots.findIndex((slot) => Atomics.load(slot, SlotLayout.i32.turn) === Turn.running));
    const failed = failures.findIndex((f) => f !== undefined);
    if (failed >= 0) return { thread: failed, crashed: failures[failed]! };
    if (header[BatchHeaderLayout.i32.next] !== step) {
      step = header[BatchHeaderLayout.i32.next]!;
      since = performance.now();
    } else if (performance.now() - since > watchdogMs) return { thread: running, hung: watchdogMs };
  }
}

/**
 * Writes the batch: `first` (already picked: `t`) and up to `limit - 1` more steps decided ahead with
 * the strategy, assuming `enabled` stays as it is. Returns the step after the last decided one.
 */
export function decideAhead(batch: BatchViews, scheduler: Scheduler, enabled: readonly number[], first: number, t: number, limit: number): number {
  const { header, decisions, expected } = batch;
  header[BatchHeaderLayout.i32.base] = first;
  decisions[0] = t;
  expected[0] = -1;
  const ahead: PickContext = { step: first, previous: t, pendingHash: () => -1, pendingText: () => 'a later call', pendingAccess: () => undefined };
  let end = first + 1;
  for (let j = 1; j < limit; j++) {
    ahead.step = first + j;
    let next: number;
    try {
      next = scheduler.pick(enabled, ahead);
    } catch (error) {
      if (!(error instanceof ScheduleDiverged)) throw error;
      break; // decided again, and reported, when the run gets there
    }
    decisions[j] = next;
    expected[j] = scheduler.expectedHash?.(first + j) ?? -1;
    ahead.previous = next;
    end = first + j + 1;
  }
  return end;
}

/** Polls the batch's owner for a few µs; true once the schedule is back with the coordinator. */
export function spinUntilBack(header: Int32Array): boolean {
  for (let i = 0; i < SPIN; i++) if (Atomics.load(header, BatchHeaderLayout.i32.owner) !== Owner.workers) return true;
  return false;
}

/** Polls a running thread's turn for a few µs; true once it has parked. */
export function spinUntilParked(slot: Int32Array): boolean {
  for (let i = 0; i < SPIN; i++) if (Atomics.load(slot, SlotLayout.i32.turn) !== Turn.running) return true;
  return false;
}
