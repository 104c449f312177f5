/**
 * The main thread's side of controlled mode: runs one schedule, of an allocator driven by a scenario or
 * of a program (src/subjects/program/). Every worker parks before each Atomics call on the subject's
 * buffer (the allocator's, or the program's own); the coordinator asks the strategy which parked thread goes next and
 * grants it the turn. Only one thread runs at a time, so a schedule (the thread of each step) replays
 * the same interleaving exactly. While the calls are plain ones, the strategy's next decisions are
 * written ahead as a batch that the workers follow among themselves, logging each step; the coordinator
 * reads the log when the batch comes back (protocol.ts).
 *
 * `Atomics.wait` and `notify` are modelled here: a wait on a slot that still holds its value takes the
 * thread off the schedule until a notify on that slot picks it (FIFO); when every live thread waits,
 * that is a deadlock. A thread that keeps re-reading what nobody changes is switched out
 * (spin-detector.ts); when every live thread spins or waits, that is a livelock. So is a run in which no
 * thread completes an operation for a window of steps; a cap on all steps, scaled by the run's size, is
 * the safety net behind both.
 */
import { availableParallelism } from 'node:os';
import { GlobalLock } from '../alloc/global-lock.ts';
import { type AllocatorInfo, type AllocatorRef, refName } from '../alloc/load-allocator.ts';
import { ControlledWorkers } from './controlled-workers.ts';
import { locationKey } from './describe-location.ts';
import type { Violation } from '../check/violation.ts';
import { startGraceMs } from '../harness/start-grace.ts';
import { UserCodeFailure, type UserHost } from '../harness/user-host.ts';
import { heapLimitMb, outOfMemoryText } from '../harness/worker-limits.ts';
import type { Scenario } from '../scenario/schema.ts';
import { RunViews, ThreadBlockLayout, computeLayout } from '../subjects/allocator/layout.ts';
import { readCurrentOp, readLog } from '../subjects/allocator/op-log.ts';
import { guaranteedRun, offlineRange } from '../subjects/allocator/run-setup.ts';
import {
  BATCH,
  BatchHeaderLayout,
  BatchViews,
  Owner,
  QUIT,
  ReportAreaLayout,
  Request,
  SlotLayout,
  Turn,
  arrayTypes,
  elementBytes,
  isAccess,
  isPlainCall,
  isReadOnly,
  slotViews,
} from './protocol.ts';
import { type PickContext, ScheduleDiverged, type Scheduler } from './scheduler.ts';
import { MAX_STEP_BUDGET } from '../harness/limits.ts';
import { DEFAULT_POINTS, type PointsMode } from './plain-access-mode.ts';
import { SPIN_LIVELOCK, SpinDetector } from './spin-detector.ts';
import { type OpSpan, type Step, callHash, describeCall, digestOf, shownSteps } from './trace.ts';
import { WaitModel } from './wait-model.ts';
import type { ControlledReport } from './worker.ts';

/** What a controlled run runs: a page allocator driven by a scenario, or a program (or object). */
export type ControlledConfig = AllocatorRunConfig | ProgramRunConfig;

export interface AllocatorRunConfig extends CommonRunConfig {
  kind?: 'allocator';
  /** The scenario, already cut to the controlled run's size (threads, ops, pages). */
  scenario: Scenario;
  definition: AllocatorInfo;
  allocator: AllocatorRef;
  lock: boolean;
}

/**
 * A program (src/subjects/program/): its threads run its `thread` on a buffer of its own, exactly
 * `sharedBytes` long and zeroed for every schedule; thread 0 runs `init` before its first step and
 * `check` once every thread has ended (src/subjects/program/controlled-program.ts is the worker's side).
 */
export interface ProgramRunConfig extends CommonRunConfig {
  kind: 'program';
  /** What the workers load and the buffers they get. */
  program: ProgramSubject;
}

export interface ProgramSubject {
  /** Absolute path of the module. */
  module: string;
  name: string;
  sharedBytes: number;
  /** The program's bookkeeping buffer (not scheduled), zeroed each schedule too. */
  scratchBytes: number;
}

interface CommonRunConfig {
  threads: number;
  /**
   * Steps a schedule may take in all before it counts as a livelock (a safety net: the window below
   * catches a livelock first). Default: the window + threads x (ops + 2 x maxHeldPages + 2) x (100 +
   * pages), every operation a thread makes (fill, churn, drain) given as many steps as a scan of every
   * page takes, and never less than MIN_CAP.
   */
  stepBudget?: number;
  /**
   * Steps in a row in which no thread completes an operation that make a livelock. Default:
   * 20,000 + 4 x threads x pages, room for every thread to scan all of memory a few times over.
   */
  progressWindow?: number;
  /** How long one step may run before the thread counts as hung (it never reached an Atomics call). */
  watchdogMs: number;
  /** Which accesses are scheduling points (default: all, plain reads and writes too). */
  points?: PointsMode;
}

export interface ScheduleResult {
  outcome: 'pass' | 'violation' | 'diverged';
  /** The violation the schedule stopped at, and any others found with it. */
  violations: Violation[];
  steps: Step[];
  /** Index of the step after which the violation was seen, or -1. */
  violationStep: number;
  /** The thread of every step: what a replay token carries. */
  schedule: number[];
  /** One byte per step naming the call it made, for replay to check against. */
  hashes: Uint8Array;
  digest: string;
  /** Switches away from a thread that could have gone on. */
  preemptions: number;
  /** The steps at which those switches happened, ascending. */
  preemptedAt: number[];
  /** Each thread's last operations and the steps they took, when the schedule did not pass. */
  ops: OpSpan[];
  /** What the locations of the trace's shown steps are, where the subject could say (`locationKey`). */
  locations: Record<string, string>;
  divergence?: string;
}

/** The least cap on a run's steps: the fixed budget of old, which no small run ever reached. */
const MIN_CAP = 200_000;

/** The step budgets of a run of this size (see ControlledConfig). */
export function stepLimits(config: Pick<AllocatorRunConfig, 'scenario' | 'threads' | 'stepBudget' | 'progressWindow'> | Pick<ProgramRunConfig, 'kind' | 'threads' | 'stepBudget' | 'progressWindow'>): { window: number; cap: number } {
  // A program has no operations to count: only its cap (and the spin detector) stops a livelock.
  if ('kind' in config && config.kind === 'program') return { window: config.progressWindow ?? Infinity, cap: config.stepBudget ?? MIN_CAP };
  const { scenario, threads } = config as Pick<AllocatorRunConfig, 'scenario' | 'threads' | 'stepBudget' | 'progressWindow'>;
  const pages = scenario.pages;
  const window = config.progressWindow ?? 20_000 + 4 * threads * pages;
  const ops = (scenario.ops ?? 0) + 2 * scenario.workload.maxHeldPages + 2;
  // A cap no replay token could record would make a livelock that cannot be replayed.
  return { window, cap: config.stepBudget ?? Math.min(MAX_STEP_BUDGET, Math.max(MIN_CAP, window + threads * ops * (100 + pages))) };
}

/** The first batch of a run of plain calls decides this many steps ahead; it doubles while used up. */
const MIN_BATCH = 32;
/** Polls before the coordinator sleeps while the running thread has not parked yet. */
const SPIN = 4000;
/** The buffers and workers one coordinator keeps for all of its schedules. */
interface Session {
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
}

/** What every session has, whatever its subject: views of its buffers, its tasks, and fresh counters. */
function sessionOf(views: RunViews, control: SharedArrayBuffer, reports: SharedArrayBuffer, batch: SharedArrayBuffer, tasks: Promise<void>[], failures: (string | undefined)[]): Omit<Session, 'host' | 'growRange' | 'scratch'> {
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
  };
}

export class Coordinator {
  private readonly workers: ControlledWorkers;
  /** Whether this coordinator made its workers (and so ends them), or was lent an exploration's. */
  private readonly owned: boolean;
  private session: Session | undefined;

  /** @param workers an exploration's workers, kept across its sizes; without, the coordinator starts its own. */
  constructor(
    readonly config: ControlledConfig,
    workers?: ControlledWorkers,
  ) {
    this.owned = workers === undefined;
    this.workers = workers ?? new ControlledWorkers(config.kind === 'program' ? undefined : config.allocator, config.points ?? DEFAULT_POINTS, config.watchdogMs, config.threads);
    if (this.workers.points !== (config.points ?? DEFAULT_POINTS)) throw new Error('a coordinator must run on workers that make the same scheduling points');
  }

  /** Buffers and one long-lived task per thread, made once and reused by every schedule. */
  private async open(): Promise<Session> {
    return this.config.kind === 'program' ? this.openProgram(this.config) : this.openAllocator(this.config);
  }

  private async openProgram(config: ProgramRunConfig): Promise<Session> {
    const { threads, program } = config;
    const pool = await this.workers.workers(threads);
    // No harness bookkeeping but the thread blocks (unused by programs) and the slots below.
    const layout = computeLayout(threads, 1, 8, true);
    const buffer = new SharedArrayBuffer(layout.totalBytes);
    const subject = new SharedArrayBuffer(program.sharedBytes);
    const scratch = new SharedArrayBuffer(program.scratchBytes);
    const views = new RunViews(buffer, layout, subject);
    const control = new SharedArrayBuffer(threads * SlotLayout.bytes);
    const reports = new SharedArrayBuffer(threads * ReportAreaLayout.bytes);
    const batchBuffer = new SharedArrayBuffer(BatchViews.bytes);
    const failures: (string | undefined)[] = new Array(threads);
    const heapMb = heapLimitMb(pool.options.maxThreads + 1);
    const tasks = Array.from({ length: threads }, (_, thread) =>
      pool
        .run({
          kind: 'program',
          program: program.module,
          sharedBytes: program.sharedBytes,
          threads,
          thread,
          subjectBuffer: subject,
          scratchBuffer: scratch,
          control,
          batch: batchBuffer,
          spin: threads <= availableParallelism() ? 20_000 : 2000,
          reports,
          points: config.points ?? DEFAULT_POINTS,
        })
        .catch((error: unknown) => void (failures[thread] = outOfMemoryText(error, heapMb) ?? String((error as Error)?.message ?? error).split('\n')[0])),
    );
    return { ...sessionOf(views, control, reports, batchBuffer, tasks, failures), host: undefined, scratch, growRange: undefined };
  }

  private async openAllocator(config: AllocatorRunConfig): Promise<Session> {
    const { scenario, definition, threads } = config;
    const name = refName(config.allocator);
    const growRange = offlineRange(scenario, definition, name);
    const pool = await this.workers.workers(threads);
    const host = await this.workers.userHost();
    let sharedBytes: number;
    try {
      sharedBytes = await host.sharedBytes(scenario.pages);
    } catch (error) {
      await this.workers.replace();
      throw error;
    }
    const layout = computeLayout(threads, scenario.pages, (sharedBytes + 7) & ~7, true);
    const buffer = new SharedArrayBuffer(layout.totalBytes);
    const allocatorBuffer = new SharedArrayBuffer(layout.allocatorBufferBytes);
    const views = new RunViews(buffer, layout, allocatorBuffer);
    const control = new SharedArrayBuffer(threads * SlotLayout.bytes);
    const reports = new SharedArrayBuffer(threads * ReportAreaLayout.bytes);
    const batchBuffer = new SharedArrayBuffer(BatchViews.bytes);
    const failures: (string | undefined)[] = new Array(threads);
    const heapMb = heapLimitMb(pool.options.maxThreads + 1);
    // The offline range (if any) and the spurious-OOM guarantee are the same for every schedule.
    await host.bind(buffer, layout, allocatorBuffer);
    const tasks = Array.from({ length: threads }, (_, thread) =>
      pool
        .run({
          buffer,
          allocatorBuffer,
          control,
          batch: batchBuffer,
          // Measured here (2 cores): 2 threads ran 378k steps/s with 20,000 polls and 322k with 2,000;
          // 4 threads ran 16k with 20,000 polls and 69k with 2,000.
          spin: threads <= availableParallelism() ? 20_000 : 2000,
          reports,
          layout,
          scenario,
          allocator: config.allocator,
          thread,
          checks: true,
          lock: config.lock,
          points: config.points ?? DEFAULT_POINTS,
          guaranteedRun: config.lock || definition.locking === 'lock-free' ? guaranteedRun(scenario, definition, threads, growRange?.count ?? 0) : 0,
          ...(growRange ? { growRange } : {}),
        })
        .catch((error: unknown) => void (failures[thread] = outOfMemoryText(error, heapMb) ?? String((error as Error)?.message ?? error).split('\n')[0])),
    );
    return { ...sessionOf(views, control, reports, batchBuffer, tasks, failures), host, growRange };
  }

  /**
   * Ends the session's tasks. Workers lent by an exploration stay for its next coordinator, unless a
   * task did not end (a thread stuck in plain code): then they are replaced.
   */
  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    let ended = true;
    if (session) {
      for (const slot of session.slots) {
        Atomics.store(slot, SlotLayout.i32.epoch, QUIT);
        Atomics.notify(slot, SlotLayout.i32.epoch);
      }
      let timer: NodeJS.Timeout | undefined;
      ended = await Promise.race([Promise.all(session.tasks).then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(resolve, 2000, false)))]);
      clearTimeout(timer);
    }
    if (this.owned || !ended) await this.workers.close();
  }

  /** Replaces workers that could not be brought back to the start (one is stuck in plain code). */
  private async discard(): Promise<void> {
    this.session = undefined;
    await this.workers.replace();
  }

  async run(scheduler: Scheduler): Promise<ScheduleResult> {
    const { threads } = this.config;
    const scenario = this.config.kind === 'program' ? undefined : this.config.scenario;
    const failed = (error: unknown): ScheduleResult => {
      if (!(error instanceof UserCodeFailure)) throw error;
      return { outcome: 'violation', violations: [error.violation()], steps: [], violationStep: -1, schedule: [], hashes: new Uint8Array(0), digest: digestOf([]), preemptions: 0, preemptedAt: [], ops: [], locations: {} };
    };
    let session: Session;
    try {
      session = this.session ??= await this.open();
    } catch (error) {
      return failed(error);
    }
    const { views, slots, slots64, failures, batch, host, blocks, spins } = session;
    const { window, cap } = stepLimits(this.config);
    // A fresh start: harness bookkeeping zeroed, the allocator formatted, memory taken offline again,
    // the allocator's part in one round trip to the host.
    new Uint8Array(views.buffer).fill(0);
    new Uint8Array(views.allocatorBuffer).fill(0);
    if (session.scratch) new Uint8Array(session.scratch).fill(0);
    try {
      // A program's thread 0 runs its init before its first step.
      if (host && scenario) {
        GlobalLock.init(views.lockRegion);
        await host.prepare(threads, scenario.name, session.growRange);
      }
    } catch (error) {
      // No thread has run: the schedule is this one violation. The host is gone or not to be trusted,
      // so the next schedule starts a new session.
      await this.discard();
      return failed(error);
    }
    batch.header.fill(0);
    batch.header[BatchHeaderLayout.i32.owner] = Owner.coordinator;
    const epoch = ++session.epoch;
    for (const slot of slots) {
      // The epoch and report fields carry over; a worker waiting for the next epoch must not see one.
      slot.fill(0, 0, SlotLayout.i32.epoch);
      slot[SlotLayout.i32.turn] = Turn.running;
      Atomics.store(slot, SlotLayout.i32.epoch, epoch);
      Atomics.notify(slot, SlotLayout.i32.epoch);
    }

    const steps: Step[] = [];
    const schedule: number[] = [];
    const hashes: number[] = [];
    const violations: Violation[] = [];
    let violationStep = -1;
    let outcome: ScheduleResult['outcome'] = 'pass';
    let divergence: string | undefined;
    let preemptions = 0;
    const preemptedAt: number[] = [];
    spins.reset();
    const done = new Array<boolean>(threads).fill(false);
    const released = new Array<boolean>(threads).fill(false);
    const waits = new WaitModel(threads, views.allocatorBuffer);
    let barriers = 0;
    let previous = -1;
    /** Set when the allocator's code failed in the host: the session is not reused. */
    let hostFailed = false;

    const request = (t: number) => slots[t]![SlotLayout.i32.request]!;
    const pendingCall = (t: number) => {
      const s = slots[t]!;
      return { request: s[SlotLayout.i32.request]!, array: s[SlotLayout.i32.array]!, index: s[SlotLayout.i32.index]!, arg1: slots64[t]![SlotLayout.f64.arg1]!, arg2: slots64[t]![SlotLayout.f64.arg2]! };
    };
    const context: PickContext = {
      step: 0,
      previous: -1,
      pendingHash: (t) => {
        const c = pendingCall(t);
        return callHash(c.request, c.array, c.index, c.arg1, c.arg2);
      },
      pendingText: (t) => describeCall(pendingCall(t)),
      pendingAccess: (t) => {
        const s = slots[t]!;
        const r = s[SlotLayout.i32.request]!;
        if (!isAccess(r)) return undefined;
        const bytes = elementBytes[s[SlotLayout.i32.array]!] ?? 1;
        return { address: s[SlotLayout.i32.index]! * bytes, bytes, write: !isReadOnly(r) };
      },
    };
    const stop = (violation: Violation) => {
      violations.push(violation);
      violationStep = steps.length - 1;
      outcome = 'violation';
    };
    /** Adds a taken step to the trace; `enabled` is who could have run instead (for preemptions). */
    const record = (step: Step, enabled: readonly number[]) => {
      if (previous >= 0 && step.thread !== previous && enabled.includes(previous)) {
        preemptions++;
        preemptedAt.push(steps.length);
      }
      previous = step.thread;
      spins.observe(steps.length, step);
      steps.push(step);
      schedule.push(step.thread);
      hashes.push(callHash(step.request, step.array, step.index, step.arg1, step.arg2));
    };
    const history = (t: number) => {
      const block = views.thread(t);
      const inFlight = readCurrentOp(block);
      return { thread: t, ops: readLog(block), ...(inFlight ? { inFlight } : {}) };
    };

    // Every thread starts running and parks before its first step. The first schedule of a session
    // also waits for the workers to start (tsx and the module graph): that is not a hang.
    // The grace grows with the pool, and each thread that parks restarts the clock for the next.
    const startLimit = this.config.watchdogMs + (epoch === 1 ? startGraceMs(threads) : 0);
    for (let t = 0; t < threads && outcome === 'pass'; t++) {
      const parked = await this.waitParked(slots[t]!, failures, t, startLimit);
      if (parked !== true) stop(this.stuck(t, parked, history));
    }

    const enabled: number[] = [];
    const blocked: number[] = [];
    const spinning: number[] = [];
    let batchSize = MIN_BATCH;
    // Progress: operations completed, phases ended, streams finished. The window counts from the last
    // step at which the coordinator saw it move (at most a batch late: a livelock is called late, never early).
    let progress = -1;
    let progressStep = 0;
    while (outcome === 'pass') {
      // One pass over the threads per step: who has finished, who reported a violation, who waits at
      // a barrier or on a slot, and who may run.
      enabled.length = 0;
      blocked.length = 0;
      let live = 0;
      let violator = -1;
      let allAtBarrier = true;
      for (let t = 0; t < threads; t++) {
        if (done[t]) continue;
        live++;
        const r = slots[t]![SlotLayout.i32.request];
        if (r === Request.violation) violator = t;
        const atBarrier = (r === Request.start || r === Request.barrier) && !released[t];
        if (!atBarrier) allAtBarrier = false;
        if (waits.isBlocked(t)) blocked.push(t);
        else if (!atBarrier) enabled.push(t);
      }
      if (live === 0) break;
      let now = barriers;
      for (let t = 0; t < threads; t++) now += blocks[t]![ThreadBlockLayout.i32.ops]! + (done[t] ? 1 : 0);
      if (now !== progress) {
        progress = now;
        progressStep = steps.length;
      }
      if (violator >= 0) {
        outcome = 'violation';
        violationStep = steps.length - 1;
        break;
      }
      if (allAtBarrier) {
        // Quiescence: audit what the phase that just ended left, as stress mode does at a barrier.
        if (barriers > 0 && host && scenario) {
          const phase = scenario.workload.phases[barriers - 1];
          let found: Violation[];
          try {
            found = await host.audit(true, phase);
          } catch (error) {
            if (!(error instanceof UserCodeFailure)) throw error;
            found = [error.violation(phase)];
            hostFailed = true;
          }
          if (found.length > 0) {
            for (const v of found) stop(v);
            break;
          }
        }
        barriers++;
        for (let t = 0; t < threads; t++) if (!done[t]) released[t] = true;
        continue;
      }
      if (enabled.length === 0) {
        // Only a timeout can move things on now: a timed wait returns timed-out.
        if (waits.timeOutOne(blocked)) continue;
        const others = live > blocked.length ? '; the others are at a barrier' : '';
        stop({
          kind: 'deadlock',
          message: `every live thread is blocked: ${blocked.map((t) => `thread ${t} waits on ${waits.slotOf(t)}`).join(', ')}${others}`,
          pages: [],
          threads: [...blocked],
          history: blocked.map(history),
        });
        break;
      }
      // Spinners are switched out while anyone else can run; when no one else can, they run on alone
      // (a bounded spin ends by itself) until each has spun SPIN_LIVELOCK times: then it is a livelock.
      spinning.length = 0;
      for (const t of enabled) if (spins.isSpinning(t, context.pendingAccess(t))) spinning.push(t);
      let switchedOut = false;
      if (spinning.length > 0) {
        if (spinning.length < enabled.length) {
          for (const t of spinning) enabled.splice(enabled.indexOf(t), 1);
          switchedOut = true;
        } else if (spinning.every((t) => spins.count[t]! >= SPIN_LIVELOCK)) {
          const where = (t: number) => spins.spinsOn(t).map((l) => `${arrayTypes[l.array]}[${l.index}]`).join(', ');
          const others = blocked.length > 0 ? `; ${blocked.map((t) => `thread ${t} waits on ${waits.slotOf(t)}`).join(', ')}` : '';
          const atBarrier = live - blocked.length - spinning.length > 0 ? '; the others wait at a barrier' : '';
          stop({
            kind: 'livelock',
            message: `every live thread spins or waits: ${spinning.map((t) => `thread ${t} re-read ${where(t)} ${spins.count[t]} times with no write to it in between`).join(', ')}${others}${atBarrier}`,
            pages: [],
            threads: [...spinning],
            history: spinning.map(history),
          });
          break;
        } else {
          for (const t of spinning) if (spins.count[t]! >= SPIN_LIVELOCK) enabled.splice(enabled.indexOf(t), 1);
          switchedOut = enabled.length < spinning.length;
        }
      }
      if (steps.length - progressStep >= window || steps.length >= cap) {
        const running = enabled.concat(blocked).sort((a, b) => a - b);
        // The window's reason first: a replay, whose cap is the recorded length, then says the same.
        const why =
          steps.length - progressStep >= window
            ? `no thread completed an operation in ${window} steps (steps ${progressStep}..${steps.length - 1}): ${running.length === 1 ? `thread ${running[0]} keeps` : `threads ${running.join(', ')} keep`} making calls without finishing one`
            : this.config.stepBudget !== undefined || !scenario
              ? `no end after ${cap} steps`
              : `no end after ${cap} steps, the most a run of ${threads} threads x ${scenario.ops} ops on ${scenario.pages} pages may take, though operations kept completing`;
        stop({ kind: 'livelock', message: why, pages: [], threads: running, history: running.map(history) });
        break;
      }
      context.step = steps.length;
      context.previous = previous;
      let t: number;
      try {
        t = scheduler.pick(enabled, context);
      } catch (error) {
        if (!(error instanceof ScheduleDiverged)) throw error;
        outcome = 'diverged';
        divergence = error.message;
        break;
      }
      const first = steps.length;
      const slot = slots[t]!;
      const slot64 = slots64[t]!;
      const request0 = slot[SlotLayout.i32.request]!;
      if (request0 === Request.start || request0 === Request.barrier) {
        released[t] = false;
      } else if (request0 === Request.wait) {
        const array = slot[SlotLayout.i32.array]!;
        const index = slot[SlotLayout.i32.index]!;
        const result = waits.wait(t, array, index, slot64[SlotLayout.f64.arg1]!, slot64[SlotLayout.f64.arg2]!);
        if (result < 0) {
          // The wait blocks: a step of its own, and the thread leaves the schedule until notified.
          record({ thread: t, request: request0, array, index, arg1: slot64[SlotLayout.f64.arg1]!, arg2: slot64[SlotLayout.f64.arg2]!, observed: 'blocks' }, enabled);
          continue;
        }
        slot[SlotLayout.i32.result] = result;
      } else if (request0 === Request.notify) {
        slot[SlotLayout.i32.result] = waits.notify(slot[SlotLayout.i32.array]!, slot[SlotLayout.i32.index]!, slot[SlotLayout.i32.count]!);
      }
      // Decide ahead while the calls stay plain: which threads may run cannot change until a thread
      // parks before a wait, a notify, a barrier or its end, and then the batch hands back here.
      const { header } = batch;
      // While a spinner is switched out, every step is decided here: the write that ends its spin must
      // make it runnable at the very next step, as it would be without switching, not a batch later.
      const limit = isPlainCall(request0) && !switchedOut ? Math.min(batchSize, cap - first, progressStep + window - first, scheduler.batchLimit?.(first) ?? BATCH) : 1;
      const end = decideAhead(batch, scheduler, enabled, first, t, limit);
      header[BatchHeaderLayout.i32.end] = end;
      header[BatchHeaderLayout.i32.next] = first + 1;
      batch.logCall(first, t, slot, slot64);
      header[BatchHeaderLayout.i32.owner] = Owner.workers;
      slot[SlotLayout.i32.step] = first;
      Atomics.store(slot, SlotLayout.i32.turn, Turn.running);
      Atomics.notify(slot, SlotLayout.i32.turn);
      // The common case, a batch that comes back within a few µs, stays synchronous: an await per
      // batch would cost a microtask turn each time.
      const back = spinUntilBack(header) || (await this.waitBack(header, slots, failures));
      for (let k = first; k < header[BatchHeaderLayout.i32.next]!; k++) record(batch.stepAt(k), enabled);
      // Deciding ahead costs a pick per step whether the batch gets there or not: grow the batch while
      // batches run to their end, start small again when one comes back early.
      batchSize = header[BatchHeaderLayout.i32.next] === end && end - first === batchSize ? Math.min(BATCH, batchSize * 2) : MIN_BATCH;
      if (back !== true) {
        stop(this.stuck(back.thread, back, history));
        break;
      }
      for (let u = 0; u < threads; u++) if (request(u) === Request.done) done[u] = true;
    }

    // A schedule that will be reported asks for details: every thread's operations, and from thread 0
    // what the locations its trace shows are (listed in its report area, which it reads before writing).
    // A program's check may still fail it, so its locations are always asked for (its runs are short).
    if (outcome !== 'pass' || !scenario) {
      const listed = new Int32Array(session.reports, 0, ReportAreaLayout.bytes >> 2);
      const seen = new Set<string>();
      let n = 0;
      for (const i of shownSteps(steps)) {
        const s = steps[i]!;
        const key = `${s.array}:${s.index}`;
        if (!isAccess(s.request) || seen.has(key) || 2 * n + 2 > listed.length) continue;
        seen.add(key);
        listed[2 * n] = s.array;
        listed[2 * n + 1] = s.index;
        n++;
      }
      for (const [t, slot] of slots.entries()) slot[SlotLayout.i32.details] = 1 + (t === 0 ? n : 0);
    }
    // A program that ran to its end is checked, by thread 0, once every thread has returned.
    slots[0]![SlotLayout.i32.check] = !scenario && outcome === 'pass' ? 1 : 0;
    // End the schedule: every thread still parked unwinds (a finished one just returns), then writes
    // its report. A thread that never gets there is stuck in plain code: its workers are replaced.
    for (const slot of slots) {
      Atomics.store(slot, SlotLayout.i32.turn, Turn.abort);
      Atomics.notify(slot, SlotLayout.i32.turn);
    }
    const reports = await this.collectReports(session, epoch);
    if (!reports || hostFailed) await this.discard();
    // The violation the workers recorded (the ledger's, the allocator's errors) comes first.
    const found = (reports ?? []).flatMap((r) => r?.violations ?? []);
    if (outcome === 'violation' && found.length > 0) violations.unshift(...found);
    else if (outcome === 'pass' && found.length > 0 && !scenario) {
      // What a program's check found in the memory its threads left.
      violations.push(...found);
      outcome = 'violation';
      violationStep = steps.length - 1;
    }
    const ops = (reports ?? []).flatMap((r) => r?.ops ?? []);
    const locations = Object.assign({}, ...(reports ?? []).map((r) => r?.locations ?? {})) as Record<string, string>;
    // What a deadlock or livelock names (`thread 0 waits on i32[1]`) reads as what the subject says it is.
    for (const v of violations) {
      if (v.kind !== 'deadlock' && v.kind !== 'livelock') continue;
      v.message = v.message.replace(/\b([a-z]\d{1,2}c?)\[(\d+)\]/g, (whole, type: string, index: string) => {
        const text = locations[locationKey(arrayTypes.indexOf(type as (typeof arrayTypes)[number]), Number(index))];
        return text ? `${whole} (${text})` : whole;
      });
    }
    return {
      outcome,
      violations,
      steps,
      violationStep,
      schedule,
      hashes: Uint8Array.from(hashes),
      digest: digestOf(steps),
      preemptions,
      preemptedAt,
      ops,
      locations,
      ...(divergence ? { divergence } : {}),
    };
  }

  /** Every thread's report for `epoch`, or undefined if one has not written it within 2 s. */
  private async collectReports(session: Session, epoch: number): Promise<(ControlledReport | undefined)[] | undefined> {
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

  /**
   * Waits for a running thread to park. Polls first (a step is usually a few hundred ns), then sleeps
   * in short slices, yielding to the event loop between them so a worker that died is noticed.
   * Returns true, or why the thread is stuck.
   */
  private async waitParked(slot: Int32Array, failures: (string | undefined)[], t: number, limitMs = this.config.watchdogMs): Promise<true | { crashed: string } | { hung: number }> {
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
  private async waitBack(header: Int32Array, slots: Int32Array[], failures: (string | undefined)[]): Promise<true | { thread: number; crashed: string } | { thread: number; hung: number }> {
    let step = header[BatchHeaderLayout.i32.next]!;
    let since = performance.now();
    for (;;) {
      // Only the owner field says the batch is back, never the wake-up itself: the worker that handed
      // the last batch back notifies after its store, and on a loaded machine that notify can arrive
      // after the coordinator, having seen the store by polling, granted the next batch and begun to
      // wait. Trusting it read the log before the running thread had taken its step (a schedule that
      // ran twice differed, and a replay diverged).
      Atomics.wait(header, BatchHeaderLayout.i32.owner, Owner.workers, 20);
      if (Atomics.load(header, BatchHeaderLayout.i32.owner) !== Owner.workers) return true;
      await new Promise((resolve) => setImmediate(resolve));
      if (Atomics.load(header, BatchHeaderLayout.i32.owner) !== Owner.workers) return true;
      const running = Math.max(0, slots.findIndex((slot) => Atomics.load(slot, SlotLayout.i32.turn) === Turn.running));
      const failed = failures.findIndex((f) => f !== undefined);
      if (failed >= 0) return { thread: failed, crashed: failures[failed]! };
      if (header[BatchHeaderLayout.i32.next] !== step) {
        step = header[BatchHeaderLayout.i32.next]!;
        since = performance.now();
      } else if (performance.now() - since > this.config.watchdogMs) return { thread: running, hung: this.config.watchdogMs };
    }
  }

  private stuck(t: number, why: { crashed: string } | { hung: number }, history: (t: number) => Violation['history'][number]): Violation {
    if ('crashed' in why) {
      return { kind: 'crash', message: `thread ${t} failed: ${why.crashed}`, pages: [], threads: [t], history: [history(t)] };
    }
    const h = history(t);
    const where = h.inFlight ? ` inside ${h.inFlight.op}(${h.inFlight.op === 'alloc' ? h.inFlight.count : `${h.inFlight.first}, ${h.inFlight.count}`})` : '';
    return {
      kind: 'hang',
      message: `thread ${t} ran for ${why.hung} ms without reaching another Atomics call${where}: a loop on plain memory, or real blocking`,
      pages: [],
      threads: [t],
      history: [h],
    };
  }
}

/**
 * Writes the batch: `first` (already picked: `t`) and up to `limit - 1` more steps decided ahead with
 * the strategy, assuming `enabled` stays as it is. Returns the step after the last decided one.
 */
function decideAhead(batch: BatchViews, scheduler: Scheduler, enabled: readonly number[], first: number, t: number, limit: number): number {
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
function spinUntilBack(header: Int32Array): boolean {
  for (let i = 0; i < SPIN; i++) if (Atomics.load(header, BatchHeaderLayout.i32.owner) !== Owner.workers) return true;
  return false;
}

/** Polls a running thread's turn for a few µs; true once it has parked. */
function spinUntilParked(slot: Int32Array): boolean {
  for (let i = 0; i < SPIN; i++) if (Atomics.load(slot, SlotLayout.i32.turn) !== Turn.running) return true;
  return false;
}
