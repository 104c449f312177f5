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
 *
 * The pieces: run-config.ts says what a run is and its step budgets; session.ts opens the buffers and
 * tasks all of a coordinator's schedules share; step-loop.ts takes one schedule's steps; handoff.ts
 * passes the batch between the coordinator and the workers. This file starts a schedule, ends it, and
 * puts its result together from the steps and the workers' reports.
 */
import { GlobalLock } from '../alloc/global-lock.ts';
import { ControlledWorkers } from './controlled-workers.ts';
import { locationKey } from './describe-location.ts';
import type { Violation } from '../check/violation.ts';
import { UserCodeFailure } from '../harness/user-host.ts';
import { BatchHeaderLayout, isAccess, Owner, ReportAreaLayout, SlotLayout, Turn } from './protocol.ts';
import { arrayTypes } from '../harness/array-types.ts';
import type { ControlledConfig } from './run-config.ts';
import type { Scheduler } from './scheduler.ts';
import { DEFAULT_POINTS } from './plain-access-mode.ts';
import { CANNOT_FOLLOW, EngineCannotFollow, engineOf } from './engine.ts';
import { ringDoorbell } from './handoff.ts';
import { collectReports, endSession, openSession, type Session } from './session.ts';
import { takeSteps } from './step-loop.ts';
import { digestOf, type OpSpan, shownSteps, type Step } from './trace.ts';

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
    this.workers = workers ?? new ControlledWorkers(config.kind === 'program' ? undefined : config.allocator, config.points ?? DEFAULT_POINTS, config.watchdogMs, config.threads, engineOf(config));
    if (this.workers.points !== (config.points ?? DEFAULT_POINTS)) throw new Error('a coordinator must run on workers that make the same scheduling points');
    if (this.workers.engine !== engineOf(config)) throw new Error('a coordinator must run on workers of its engine');
  }

  /**
   * Ends the session's tasks. Workers lent by an exploration stay for its next coordinator, unless a
   * task did not end (a thread stuck in plain code): then they are replaced.
   */
  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    const ended = session ? await endSession(session) : true;
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
      session = this.session ??= await openSession(this.config, this.workers);
    } catch (error) {
      return failed(error);
    }
    const { views, slots, batch, host } = session;
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

    const taken = await takeSteps(this.config, session, scheduler, epoch);
    const { violations, divergence, steps, schedule, hashes, preemptions, preemptedAt, hostFailed } = taken;
    // A program's check, run after the steps, may still turn a pass into a violation.
    let { outcome, violationStep } = taken;

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
    if (session.coroutines) ringDoorbell(batch.header);
    const reports = await collectReports(session, epoch);
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
    // Not a finding about the subject: the coroutine engine could not follow the schedule.
    const unfollowed = violations.find((v) => v.kind === 'crash' && v.message.includes(CANNOT_FOLLOW));
    if (unfollowed) throw new EngineCannotFollow(unfollowed.message.replace(/^thread \d+ failed: /, ''));
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
}
