/**
 * A coordinator's session: the buffers and the one long-lived task per thread that all of its schedules
 * reuse, opened for an allocator (with the user host that runs its code for the main thread) or for a
 * program; ended by telling every task to quit; and each schedule's reports, read back from it.
 */
import { availableParallelism } from 'node:os';
import { refName } from '../alloc/load-allocator.ts';
import type { UserHost } from '../harness/user-host.ts';
import { heapLimitMb, outOfMemoryText } from '../harness/worker-limits.ts';
import { computeLayout, RunViews } from '../subjects/allocator/layout.ts';
import { guaranteedRun, offlineRange } from '../subjects/allocator/run-setup.ts';
import type { Piscina } from 'piscina';
import type { ControlledWorkers } from './controlled-workers.ts';
import { coordinatorPolls } from './handoff.ts';
import { DEFAULT_POINTS } from './plain-access-mode.ts';
import { BatchViews, QUIT, ReportAreaLayout, SlotLayout, slotViews, Turn } from './protocol.ts';
import type { CoroutineTask } from './coroutines/worker.ts';
import type { AllocatorRunConfig, ControlledConfig, ProgramRunConfig } from './run-config.ts';
import { SpinDetector } from './spin-detector.ts';
import type { AnyControlledTask, ControlledReport } from './worker.ts';

/** The buffers and workers one coordinator keeps for all of its schedules. */
export interface Session {
  views: RunViews;
  slots: Int32Array[];
  slots64: Float64Array[];
  reports: SharedArrayBuffer;
  batch: BatchViews;
  tasks: Promise<void>[];
  /** First line of the error of a worker whose task failed. */
  failures: (string | undefined)[];
  epoch: number;
  /** Where the allocator's code runs for the coordinator: init, attach, removeMemory, audits (none for a program). */
  host: UserHost | undefined;
  /** A program's bookkeeping buffer. */
  scratch?: SharedArrayBuffer;
  growRange: { first: number; count: number } | undefined;
  /** Each thread's block in the harness buffer: its operation counter is what progress means. */
  blocks: Int32Array[];
  spins: SpinDetector;
  /** Polls the coordinator makes before it sleeps (handoff.ts), decided once, as the workers' are. */
  polls: number;
  /** The threads are coroutines on one worker: the coordinator rings its doorbell at each grant. */
  coroutines: boolean;
}

/** What every session has, whatever its subject: views of its buffers, its tasks, and fresh counters. */
function sessionOf(views: RunViews, control: SharedArrayBuffer, reports: SharedArrayBuffer, batch: SharedArrayBuffer, tasks: Promise<void>[], failures: (string | undefined)[], coroutines: boolean): Omit<Session, 'host' | 'growRange' | 'scratch'> {
  const threads = tasks.length;
  return {
    views,
    ...slotViews(control, threads),
    reports,
    batch: new BatchViews(batch),
    tasks,
    failures,
    epoch: 0,
    blocks: Array.from({ length: threads }, (_, t) => views.thread(t)),
    spins: new SpinDetector(threads, views.allocatorBuffer.byteLength),
    // A coroutine worker is one thread however many it runs.
    polls: coordinatorPolls(coroutines ? 1 : threads),
    coroutines,
  };
}

/** The buffers through which the coordinator and one thread's task speak (protocol.ts), and its polls. */
interface Handshake {
  control: SharedArrayBuffer;
  batch: SharedArrayBuffer;
  reports: SharedArrayBuffer;
  spin: number;
}

/**
 * The coordinator's buffers and one task per thread on `pool`, each given the handshake; a task that
 * fails leaves the first line of its error (or what its heap limit says) in the session's failures.
 */
function startTasks(pool: Piscina<AnyControlledTask | CoroutineTask<AnyControlledTask>, void>, threads: number, views: RunViews, coroutines: boolean, task: (thread: number, handshake: Handshake) => AnyControlledTask): Omit<Session, 'host' | 'growRange' | 'scratch'> {
  const control = new SharedArrayBuffer(threads * SlotLayout.bytes);
  const reports = new SharedArrayBuffer(threads * ReportAreaLayout.bytes);
  const batch = new SharedArrayBuffer(BatchViews.bytes);
  // Measured here (2 cores): 2 threads ran 378k steps/s with 20,000 polls and 322k with 2,000;
  // 4 threads ran 16k with 20,000 polls and 69k with 2,000.
  const spin = threads <= availableParallelism() ? 20_000 : 2000;
  const failures: (string | undefined)[] = new Array(threads);
  const heapMb = heapLimitMb(pool.options.maxThreads + 1);
  const firstLine = (error: unknown) => outOfMemoryText(error, heapMb) ?? String((error as Error)?.message ?? error).split('\n')[0]!;
  if (coroutines) {
    // One task runs every thread; its error names the thread that failed ("thread 2: ..."), or, for a
    // heap limit, whichever thread held the turn.
    const slots = slotViews(control, threads).slots;
    const all = pool.run({ kind: 'coroutines', threads: Array.from({ length: threads }, (_, thread) => task(thread, { control, batch, reports, spin })) } satisfies CoroutineTask<AnyControlledTask>).catch((error: unknown) => {
      const text = firstLine(error);
      const named = /^thread (\d+): ([^]*)$/.exec(text);
      const running = Math.max(0, slots.findIndex((slot) => Atomics.load(slot, SlotLayout.i32.turn) === Turn.running));
      failures[named ? Number(named[1]) : running] = named ? named[2]! : text;
    });
    return sessionOf(views, control, reports, batch, Array.from({ length: threads }, () => all), failures, true);
  }
  const tasks = Array.from({ length: threads }, (_, thread) => pool.run(task(thread, { control, batch, reports, spin })).catch((error: unknown) => void (failures[thread] = firstLine(error))));
  return sessionOf(views, control, reports, batch, tasks, failures, false);
}

/** Buffers and one long-lived task per thread, made once and reused by every schedule. */
export function openSession(config: ControlledConfig, workers: ControlledWorkers): Promise<Session> {
  return config.kind === 'program' ? openProgram(config, workers) : openAllocator(config, workers);
}

async function openProgram(config: ProgramRunConfig, workers: ControlledWorkers): Promise<Session> {
  const { threads, program } = config;
  const pool = await workers.workers(threads);
  // No harness bookkeeping but the thread blocks (unused by programs) and the slots below.
  const layout = computeLayout(threads, 1, 8, true);
  const buffer = new SharedArrayBuffer(layout.totalBytes);
  const subject = new SharedArrayBuffer(program.sharedBytes);
  const scratch = new SharedArrayBuffer(program.scratchBytes);
  const views = new RunViews(buffer, layout, subject);
  const started = startTasks(pool, threads, views, workers.engine === 'coroutines', (thread, handshake) => ({
    kind: 'program',
    program: program.module,
    sharedBytes: program.sharedBytes,
    threads,
    thread,
    subjectBuffer: subject,
    scratchBuffer: scratch,
    ...handshake,
    points: config.points ?? DEFAULT_POINTS,
  }));
  return { ...started, host: undefined, scratch, growRange: undefined };
}

async function openAllocator(config: AllocatorRunConfig, workers: ControlledWorkers): Promise<Session> {
  const { scenario, definition, threads } = config;
  const name = refName(config.allocator);
  const growRange = offlineRange(scenario, definition, name);
  const pool = await workers.workers(threads);
  const host = await workers.userHost();
  let sharedBytes: number;
  try {
    sharedBytes = await host.sharedBytes(scenario.pages);
  } catch (error) {
    await workers.replace();
    throw error;
  }
  const layout = computeLayout(threads, scenario.pages, (sharedBytes + 7) & ~7, true);
  const buffer = new SharedArrayBuffer(layout.totalBytes);
  const allocatorBuffer = new SharedArrayBuffer(layout.allocatorBufferBytes);
  const views = new RunViews(buffer, layout, allocatorBuffer);
  // The offline range (if any) and the spurious-OOM guarantee are the same for every schedule.
  await host.bind(buffer, layout, allocatorBuffer);
  const started = startTasks(pool, threads, views, workers.engine === 'coroutines', (thread, handshake) => ({
    buffer,
    allocatorBuffer,
    ...handshake,
    layout,
    scenario,
    allocator: config.allocator,
    thread,
    checks: true,
    lock: config.lock,
    points: config.points ?? DEFAULT_POINTS,
    guaranteedRun: config.lock || definition.locking === 'lock-free' ? guaranteedRun(scenario, definition, threads, growRange?.count ?? 0) : 0,
    ...(growRange ? { growRange } : {}),
  }));
  return { ...started, host, growRange };
}

/** Tells every task of `session` to quit; true if all ended within 2 s (else one is stuck in plain code). */
export async function endSession(session: Session): Promise<boolean> {
  for (const slot of session.slots) {
    Atomics.store(slot, SlotLayout.i32.epoch, QUIT);
    Atomics.notify(slot, SlotLayout.i32.epoch);
  }
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([Promise.all(session.tasks).then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(resolve, 2000, false)))]);
  clearTimeout(timer);
  return ended;
}

/** Every thread's report for `epoch`, or undefined if one has not written it within 2 s. */
export async function collectReports(session: Session, epoch: number): Promise<(ControlledReport | undefined)[] | undefined> {
  const decoder = new TextDecoder();
  const deadline = performance.now() + 2000;
  const reports: (ControlledReport | undefined)[] = [];
  for (const [t, slot] of session.slots.entries()) {
    while (Atomics.load(slot, SlotLayout.i32.reportEpoch) !== epoch) {
      if (session.failures[t] !== undefined || performance.now() > deadline) return undefined;
      Atomics.wait(slot, SlotLayout.i32.reportEpoch, Atomics.load(slot, SlotLayout.i32.reportEpoch), 5);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const bytes = new Uint8Array(session.reports, t * ReportAreaLayout.bytes, slot[SlotLayout.i32.reportLength]!);
    reports.push(JSON.parse(decoder.decode(bytes.slice())) as ControlledReport);
  }
  return reports;
}
