/**
 * One schedule's steps, from every thread's start to the end of the run: at each step the coordinator
 * looks over the threads (who finished, who reported a violation, who waits at a barrier or on a slot,
 * who spins), audits at quiescence, tells deadlocks and livelocks, asks the strategy who goes next,
 * models `Atomics.wait` and `notify`, and hands a batch of decisions to the workers (handoff.ts).
 * What it returns is the raw run: the coordinator asks the workers for their reports and assembles
 * the ScheduleResult.
 */
import type { Violation } from '../check/violation.ts';
import { startGraceMs } from '../harness/start-grace.ts';
import { UserCodeFailure } from '../harness/user-host.ts';
import { ThreadBlockLayout } from '../subjects/allocator/layout.ts';
import { readCurrentOp, readLog } from '../subjects/allocator/op-log.ts';
import { decideAhead, ringDoorbell, spinUntilBack, waitBack, waitParked } from './handoff.ts';
import {
  BATCH,
  BatchHeaderLayout,
  isAccess,
  isPlainCall,
  isReadOnly,
  Owner,
  Request,
  SlotLayout,
  Turn,
} from './protocol.ts';
import { arrayTypes, elementBytes } from '../harness/array-types.ts';
import { type ControlledConfig, stepLimits } from './run-config.ts';
import { type PickContext, ScheduleDiverged, type Scheduler } from './scheduler.ts';
import type { Session } from './session.ts';
import { SPIN_LIVELOCK } from './spin-detector.ts';
import { callHash, describeCall, type Step } from './trace.ts';
import { WaitModel } from './wait-model.ts';

/** The first batch of a run of plain calls decides this many steps ahead; it doubles while used up. */
const MIN_BATCH = 32;

/** What a schedule's steps came to, before the workers' reports are read. */
export interface StepsTaken {
  outcome: 'pass' | 'violation' | 'diverged';
  violations: Violation[];
  /** Index of the step after which the violation was seen, or -1. */
  violationStep: number;
  divergence: string | undefined;
  steps: Step[];
  schedule: number[];
  hashes: number[];
  preemptions: number;
  preemptedAt: number[];
  /** The allocator's code failed in the host: the session is not to be reused. */
  hostFailed: boolean;
}

/** Runs the schedule `epoch` of `session` under `scheduler` until it passes, fails or departs. */
export async function takeSteps(config: ControlledConfig, session: Session, scheduler: Scheduler, epoch: number): Promise<StepsTaken> {
  const { threads } = config;
  const scenario = config.kind === 'program' ? undefined : config.scenario;
  const { views, slots, slots64, failures, batch, host, blocks, spins, polls } = session;
  const { window, cap } = stepLimits(config);
  const steps: Step[] = [];
  const schedule: number[] = [];
  const hashes: number[] = [];
  const violations: Violation[] = [];
  let violationStep = -1;
  let outcome: StepsTaken['outcome'] = 'pass';
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
  const startLimit = config.watchdogMs + (epoch === 1 ? startGraceMs(threads) : 0);
  for (let t = 0; t < threads && outcome === 'pass'; t++) {
    const parked = await waitParked(slots[t]!, failures, t, startLimit, polls);
    if (parked !== true) stop(stuck(t, parked, history));
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
          : config.stepBudget !== undefined || !scenario
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
    if (session.coroutines) ringDoorbell(header);
    // The common case, a batch that comes back within a few µs, stays synchronous: an await per
    // batch would cost a microtask turn each time.
    const back = spinUntilBack(header, polls) || (await waitBack(header, slots, failures, config.watchdogMs, polls));
    for (let k = first; k < header[BatchHeaderLayout.i32.next]!; k++) record(batch.stepAt(k), enabled);
    // Deciding ahead costs a pick per step whether the batch gets there or not: grow the batch while
    // batches run to their end, start small again when one comes back early.
    batchSize = header[BatchHeaderLayout.i32.next] === end && end - first === batchSize ? Math.min(BATCH, batchSize * 2) : MIN_BATCH;
    if (back !== true) {
      stop(stuck(back.thread, back, history));
      break;
    }
    for (let u = 0; u < threads; u++) if (request(u) === Request.done) done[u] = true;
  }
  return { outcome, violations, violationStep, divergence, steps, schedule, hashes, preemptions, preemptedAt, hostFailed };
}

function stuck(t: number, why: { crashed: string } | { hung: number }, history: (t: number) => Violation['history'][number]): Violation {
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
