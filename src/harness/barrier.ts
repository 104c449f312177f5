/**
 * The barrier that starts a run and separates its phases. Threads arrive by counting themselves in; the
 * main thread waits for the count, audits while every thread is parked (quiescence), then releases them
 * all at once by bumping a generation number.
 *
 * A thread waits for the generation to change, not for a wake-up: `Atomics.notify` can wake a thread
 * before or after it parks, and a spurious or early return from `Atomics.wait` must not let it through.
 * It also keeps an eye on the stop flag, so a crashed or hung thread fails the barrier instead of
 * leaving the others parked forever.
 */
import { HarnessControlLayout, ThreadBlockLayout, ThreadState } from '../subjects/allocator/layout.ts';

/**
 * Worker side: arrive and wait for release. Returns false when the run was stopped instead. The
 * thread's state says it is parked, so the watchdog does not mistake waiting for hanging.
 */
export function arriveAndWait(control: Int32Array, block: Int32Array): boolean {
  block[ThreadBlockLayout.i32.state] = ThreadState.atBarrier;
  const generation = Atomics.load(control, HarnessControlLayout.i32.release);
  Atomics.add(control, HarnessControlLayout.i32.arrived, 1);
  Atomics.notify(control, HarnessControlLayout.i32.arrived);
  while (Atomics.load(control, HarnessControlLayout.i32.release) === generation) {
    if (Atomics.load(control, HarnessControlLayout.i32.stop) !== 0) return false;
    Atomics.wait(control, HarnessControlLayout.i32.release, generation, 50);
  }
  block[ThreadBlockLayout.i32.state] = ThreadState.running;
  return Atomics.load(control, HarnessControlLayout.i32.stop) === 0;
}

/** Main side: whether all `threads` have arrived. */
export function allArrived(control: Int32Array, threads: number): boolean {
  return Atomics.load(control, HarnessControlLayout.i32.arrived) >= threads;
}

/**
 * Main side: waits (without blocking the event loop) until the arrival count changes or `ms` pass.
 * The timer is what keeps Node's event loop alive: a pending `Atomics.waitAsync` alone does not.
 */
export async function awaitArrivals(control: Int32Array, ms: number): Promise<void> {
  const seen = Atomics.load(control, HarnessControlLayout.i32.arrived);
  const result = Atomics.waitAsync(control, HarnessControlLayout.i32.arrived, seen, ms);
  if (!result.async) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([result.value, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Main side: lets every parked thread through. The count is reset first, ready for the next barrier. */
export function release(control: Int32Array): void {
  Atomics.store(control, HarnessControlLayout.i32.arrived, 0);
  Atomics.add(control, HarnessControlLayout.i32.release, 1);
  Atomics.notify(control, HarnessControlLayout.i32.release);
}

/** Main side: asks every thread to stop at its next check, and wakes those parked at a barrier. */
export function stopAll(control: Int32Array): void {
  Atomics.store(control, HarnessControlLayout.i32.stop, 1);
  Atomics.notify(control, HarnessControlLayout.i32.release);
}
