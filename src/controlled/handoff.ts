/**
 * Handing the schedule between the coordinator and the workers: the batch of decisions written ahead
 * while the calls stay plain (protocol.ts), and the coordinator's waits for a thread to park and for a
 * batch to come back. Each wait polls first (a step is usually a few hundred ns) and then sleeps in
 * slices, yielding to the event loop between them so that a worker that died is noticed; only the
 * value of a field says that something happened, never a wake-up.
 */
import { availableParallelism } from 'node:os';
import { BatchHeaderLayout, BatchViews, Owner, SlotLayout, Turn } from './protocol.ts';
import { type PickContext, ScheduleDiverged, type Scheduler } from './scheduler.ts';

/**
 * Polls the coordinator makes before it sleeps, waiting for a thread to park or a batch to come back.
 * While a batch is out one worker runs and the one due next polls for its turn; when they and the
 * coordinator outnumber the cores, a coordinator that polls long takes the core one of them needs.
 * Measured on 2 cores, `bench:steps --threads 2,4` in alternating runs, three rounds: at 2 threads
 * 4,000 polls ran 117k-144k steps/s with `--points atomics`, 1,000 polls 145k-196k, 300 polls
 * 177k-194k and 50 polls 158k-184k; at 4 threads all four within noise (31k-44k).
 */
export function coordinatorPolls(threads: number): number {
  return threads + 1 <= availableParallelism() ? 4000 : 300;
}

/**
 * Waits for a running thread to park. Polls first (a step is usually a few hundred ns), then sleeps
 * in short slices, yielding to the event loop between them so a worker that died is noticed.
 * Returns true, or why the thread is stuck.
 */
export async function waitParked(slot: Int32Array, failures: (string | undefined)[], t: number, limitMs: number, polls: number): Promise<true | { crashed: string } | { hung: number }> {
  if (spinUntilParked(slot, polls)) return true;
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
export async function waitBack(header: Int32Array, slots: Int32Array[], failures: (string | undefined)[], watchdogMs: number, polls: number): Promise<true | { thread: number; crashed: string } | { thread: number; hung: number }> {
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
      if (spinUntilBack(header, polls)) return true;
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

/**
 * Tells a coroutine worker that something changed for it (a grant, the end of a schedule): it runs
 * every thread, so it waits on the header's doorbell rather than on one thread's turn.
 */
export function ringDoorbell(header: Int32Array): void {
  Atomics.add(header, BatchHeaderLayout.i32.doorbell, 1);
  Atomics.notify(header, BatchHeaderLayout.i32.doorbell);
}

/** Polls the batch's owner `polls` times; true once the schedule is back with the coordinator. */
export function spinUntilBack(header: Int32Array, polls: number): boolean {
  for (let i = 0; i < polls; i++) if (Atomics.load(header, BatchHeaderLayout.i32.owner) !== Owner.workers) return true;
  return false;
}

/** Polls a running thread's turn `polls` times; true once it has parked. */
export function spinUntilParked(slot: Int32Array, polls: number): boolean {
  for (let i = 0; i < polls; i++) if (Atomics.load(slot, SlotLayout.i32.turn) !== Turn.running) return true;
  return false;
}
