/**
 * One stress thread: runs its seeded workload against the allocator, phase by phase, and checks every
 * allocation and free against the ownership ledger as it goes.
 */
import { timerFloorNs } from '../../metrics/timer-floor.ts';
import type { AllocatorCounters, PageAllocator } from '../../alloc/contract.ts';
import { allocResultProblem } from '../../alloc/guard.ts';
import type { LockCounters } from '../../alloc/global-lock.ts';
import { Ledger, describeHolder } from '../../check/ledger.ts';
import { MAX_PAGES_LISTED, type ThreadHistory, type Violation } from '../../check/violation.ts';
import type { Phase } from '../../scenario/schema.ts';
import type { ViolationKind } from '../../scenario/violation-kind.ts';
import { record } from '../../metrics/histogram.ts';
import { RunAborted } from '../../harness/run-aborted.ts';
import { arriveAndWait } from '../../harness/barrier.ts';
import { HandoffQueue } from './handoff-queue.ts';
import {
  HarnessControlLayout,
  LATENCY_SAMPLE_EVERY,
  LEDGER_QUEUED,
  OpCode,
  RunViews,
  ThreadBlockLayout,
  ThreadState,
} from './layout.ts';
import { type OpRecord, beginOp, endOp, readCurrentOp, readLog } from './op-log.ts';
import type { StressTask, WorkerReport } from './task.ts';
import { ThreadWorkload } from './workload.ts';

/** A thread records at most this many violations; past it, the first ones say enough. */
const MAX_VIOLATIONS_PER_THREAD = 20;

/** Thrown out of the op loop when the allocator itself throws where it must not. */
class AllocatorCrash extends Error {}

/** How the thread meets the mode it runs in; stress mode's defaults when omitted. */
export interface ThreadHooks {
  /** Waits at a phase barrier; false when the run was stopped instead. */
  barrier?: () => boolean;
  /** Called right after a violation is recorded (controlled mode stops the run there). */
  onViolation?: () => void;
  /** Whether to time calls for the latency histograms (default: when checks are on). */
  timed?: boolean;
  /**
   * Called as each operation begins and as it returns (`result`: the page an alloc returned, or -1;
   * removeMemory 1 if it took effect; 0 otherwise). Controlled mode nests a trace's steps under them.
   */
  onOp?: (phase: 'begin' | 'end', op: OpRecord['op'], first: number, count: number, result: number) => void;
}

export class StressThread {
  private readonly views: RunViews;
  private readonly block: Int32Array;
  private readonly block64: Float64Array;
  private readonly control: Int32Array;
  private readonly ledger: Ledger;
  private readonly queue: HandoffQueue;
  private readonly workload: ThreadWorkload;
  private readonly violations: Violation[] = [];
  private readonly thread: number;
  private readonly checks: boolean;
  /** invariant: heldFirst[i], heldCount[i] for i < heldRuns are the runs this thread holds in the ledger. */
  private readonly heldFirst: number[] = [];
  private readonly heldCount: number[] = [];
  private heldPages = 0;
  private readonly allocLatency: Int32Array;
  private readonly freeLatency: Int32Array;
  /** Counts calls, to time one in LATENCY_SAMPLE_EVERY. */
  private calls = 0;
  private phase: Phase = 'fill';
  /** The operation of the current phase the thread is on, from 1; what a violation reports as `op`. */
  private phaseOp = 0;
  /** The phase whose throughput a run reports: churn when the scenario has one, else its first phase. */
  private readonly measured: Phase;
  private measuredOps = 0;

  private readonly barrier: () => boolean;
  private readonly timed: boolean;
  private readonly onOp: ThreadHooks['onOp'];

  constructor(
    private readonly task: StressTask,
    private readonly allocator: PageAllocator,
    private readonly lockCounters: LockCounters | undefined,
    private readonly hooks: ThreadHooks = {},
  ) {
    this.thread = task.thread;
    this.checks = task.checks;
    this.views = new RunViews(task.buffer, task.layout, task.allocatorBuffer);
    this.block = this.views.thread(task.thread);
    this.block64 = this.views.thread64(task.thread);
    this.control = this.views.control;
    this.ledger = new Ledger(this.views.ledger, task.thread);
    this.allocLatency = this.views.latency(task.thread, 'alloc');
    this.freeLatency = this.views.latency(task.thread, 'free');
    this.queue = new HandoffQueue(this.views, task.scenario.workload.maxHeldPages);
    this.workload = new ThreadWorkload(task.scenario.workload, task.scenario.seed, task.thread);
    const phases = task.scenario.workload.phases;
    this.measured = phases.includes('churn') ? 'churn' : phases[0]!;
    this.barrier = hooks.barrier ?? (() => arriveAndWait(this.control, this.block));
    this.timed = hooks.timed ?? task.checks;
    this.onOp = hooks.onOp;
  }

  run(): WorkerReport {
    const block = this.block;
    try {
      if (this.timed) this.block64[ThreadBlockLayout.f64.timerFloorNs] = timerFloorNs();
      if (this.barrier()) {
        const phases = this.task.scenario.workload.phases;
        for (let i = 0; i < phases.length; i++) {
          this.phase = phases[i]!;
          this.phaseOp = 0;
          block[ThreadBlockLayout.i32.phase] = i;
          const measured = this.phase === this.measured;
          const opsBefore = block[ThreadBlockLayout.i32.ops]!;
          if (measured) this.block64[ThreadBlockLayout.f64.measuredStart] = performance.timeOrigin + performance.now();
          if (this.phase === 'fill') this.fill();
          else if (this.phase === 'churn') this.churn();
          else this.drain();
          if (measured) {
            this.block64[ThreadBlockLayout.f64.measuredEnd] = performance.timeOrigin + performance.now();
            this.measuredOps = block[ThreadBlockLayout.i32.ops]! - opsBefore;
          }
          if (this.stopped() || !this.barrier()) break;
        }
      }
      block[ThreadBlockLayout.i32.state] = ThreadState.done;
    } catch (error) {
      if (!(error instanceof AllocatorCrash)) throw error;
      block[ThreadBlockLayout.i32.state] = ThreadState.failed;
    } finally {
      this.publishCounters();
    }
    return this.summary();
  }

  /** What the thread found and did; also what a controlled run collects after cutting a thread short. */
  summary(): WorkerReport {
    return { thread: this.thread, violations: this.violations, measuredOps: this.measuredOps };
  }

  private stopped(): boolean {
    return Atomics.load(this.control, HarnessControlLayout.i32.stop) !== 0;
  }

  private fill(): void {
    const max = this.task.scenario.workload.maxHeldPages;
    while (!this.stopped()) {
      this.phaseOp++;
      const length = this.workload.runLength();
      if (this.heldPages + length > max || !this.alloc(length)) return;
    }
  }

  private churn(): void {
    const scenario = this.task.scenario;
    const control = this.control;
    const timed = scenario.durationMs !== undefined;
    const ops = scenario.ops ?? Infinity;
    const grow = this.thread === 0 ? this.task.growRange : undefined;
    const started = performance.now();
    let op = 0;
    for (; op < ops; op++) {
      this.phaseOp = op + 1;
      // Control flags are checked every 64 ops: often enough to stop within microseconds, rarely
      // enough that the checks cost nothing next to the allocator calls being measured.
      if ((op & 63) === 0) {
        if (Atomics.load(control, HarnessControlLayout.i32.stop) !== 0 || (timed && Atomics.load(control, HarnessControlLayout.i32.churnEnd) !== 0)) break;
        if (grow) this.changeMemory(grow, timed ? (performance.now() - started) / scenario.durationMs! : op / ops);
      }
      if (this.queue.mayHaveRuns() && this.takeHandoff()) continue;
      const length = this.workload.runLength();
      if (this.workload.allocates(this.heldFirst.length, this.heldPages, length)) this.alloc(length);
      else {
        const i = this.workload.pick(this.heldFirst.length);
        if (this.workload.handsOff()) this.handOff(i);
        else this.freeHeld(i);
      }
    }
  }

  private drain(): void {
    for (;;) {
      this.phaseOp++;
      if (this.takeHandoff()) continue;
      this.phaseOp--; // the queue was empty: no operation
      break;
    }
    while (this.heldFirst.length > 0 && !this.stopped()) {
      this.phaseOp++;
      this.freeHeld(this.heldFirst.length - 1);
    }
  }

  /** Allocates a run and claims it in the ledger. Returns false when the allocator had none. */
  private alloc(count: number): boolean {
    const block = this.block;
    const checks = this.checks;
    if (checks) beginOp(block, OpCode.alloc, 0, count);
    this.onOp?.('begin', 'alloc', 0, count, 0);
    const timed = this.timed && (this.calls++ & (LATENCY_SAMPLE_EVERY - 1)) === 0;
    const start = timed ? performance.now() : 0;
    let first: number;
    try {
      first = this.allocator.alloc(count);
    } catch (error) {
      if (error instanceof RunAborted) throw error;
      this.crash(`alloc(${count}) threw ${describeError(error)}`);
    }
    if (timed) record(this.allocLatency, (performance.now() - start) * 1e6);
    block[ThreadBlockLayout.i32.ops]!++;
    block[ThreadBlockLayout.i32.allocs]!++;
    // Only -1 means "none free": -5 or NaN counted as out of memory would hide a broken allocator. The
    // test is two compares on the common path; it runs before the op log, whose Int32 slot would show
    // NaN as 0.
    if (!(first >= 0 && first + count <= this.task.layout.pages && Number.isInteger(first)) && first !== -1) {
      this.crash(allocResultProblem(first, count, this.task.layout.pages) ?? `alloc(${count}) returned ${first}`);
    }
    if (checks) endOp(block, OpCode.alloc, 0, count, first);
    this.onOp?.('end', 'alloc', 0, count, first);
    if (first === -1) {
      block[ThreadBlockLayout.i32.oom]!++;
      if (checks && count <= this.task.guaranteedRun) {
        this.violation('spurious-oom', `alloc(${count}) returned -1 on thread ${this.thread}, but the scenario guarantees a free run of ${count} (at most ${this.task.guaranteedRun})`, [], [this.thread]);
      }
      return false;
    }
    if (checks) {
      const clash = this.ledger.claim(first, count);
      if (clash >= 0) {
        const holder = this.ledger.lastSeen;
        const other = holder > 0 ? [holder - 1] : [];
        this.violation(
          'double-allocation',
          `alloc(${count}) gave thread ${this.thread} ${pagesText(first, count)}, but page ${clash} is held by ${describeHolder(holder)}`,
          [clash],
          [this.thread, ...other],
        );
        // Two threads think they own the page; this one lets go of the run without freeing it, so the
        // other holder's accounting stays true. The allocator will count the rest of the run as leaked.
        return true;
      }
    }
    this.heldFirst.push(first);
    this.heldCount.push(count);
    this.heldPages += count;
    return true;
  }

  /** Forgets held run `i` (the last one takes its place: order does not matter, speed does). */
  private dropHeld(i: number): void {
    const last = this.heldFirst.length - 1;
    this.heldPages -= this.heldCount[i]!;
    this.heldFirst[i] = this.heldFirst[last]!;
    this.heldCount[i] = this.heldCount[last]!;
    this.heldFirst.pop();
    this.heldCount.pop();
  }

  /** Releases held run `i` in the ledger, then frees it. */
  private freeHeld(i: number): void {
    const first = this.heldFirst[i]!;
    const count = this.heldCount[i]!;
    this.dropHeld(i);
    if (this.checks) {
      const bad = this.ledger.release(first, count);
      if (bad >= 0) {
        this.violation('bad-free', `thread ${this.thread} was about to free ${pagesText(first, count)}, but page ${bad} is held by ${describeHolder(this.ledger.lastSeen)}`, [bad], [this.thread]);
        return;
      }
    }
    this.free(first, count);
  }

  private free(first: number, count: number): void {
    const block = this.block;
    if (this.checks) beginOp(block, OpCode.free, first, count);
    this.onOp?.('begin', 'free', first, count, 0);
    const timed = this.timed && (this.calls++ & (LATENCY_SAMPLE_EVERY - 1)) === 0;
    const start = timed ? performance.now() : 0;
    try {
      this.allocator.free(first, count);
      if (timed) record(this.freeLatency, (performance.now() - start) * 1e6);
    } catch (error) {
      if (error instanceof RunAborted) throw error;
      if (!(error instanceof RangeError)) this.crash(`free(${first}, ${count}) threw ${describeError(error)}`);
      // The ledger says this thread held the run, so the allocator refusing it means the allocator
      // had lost track of the pages: someone else's write cleared or repainted them.
      this.violation('lost-page', `thread ${this.thread} held ${pagesText(first, count)}, but the allocator refused to free ${count === 1 ? 'it' : 'them'}: ${(error as Error).message}`, range(first, count), [this.thread]);
    }
    block[ThreadBlockLayout.i32.ops]!++;
    block[ThreadBlockLayout.i32.frees]!++;
    if (this.checks) endOp(block, OpCode.free, first, count, 0);
    this.onOp?.('end', 'free', first, count, 0);
  }

  /** Gives held run `i` to whichever thread takes it from the queue; frees it here if the queue is full. */
  private handOff(i: number): void {
    const first = this.heldFirst[i]!;
    const count = this.heldCount[i]!;
    if (this.checks && this.ledger.move(first, count, this.thread + 1, LEDGER_QUEUED) >= 0) {
      this.freeHeld(i); // reports the bad free
      return;
    }
    if (!this.queue.push(first, count, this.thread)) {
      if (this.checks) this.ledger.move(first, count, LEDGER_QUEUED, this.thread + 1);
      this.freeHeld(i);
      return;
    }
    this.dropHeld(i);
    this.block[ThreadBlockLayout.i32.ops]!++;
    this.block[ThreadBlockLayout.i32.handoffs]!++;
    if (this.checks) endOp(this.block, OpCode.handoff, first, count, 0);
    this.onOp?.('begin', 'handoff', first, count, 0);
    this.onOp?.('end', 'handoff', first, count, 0);
  }

  /** Frees a run another thread allocated. Returns false when the queue was empty. */
  private takeHandoff(): boolean {
    const run = this.queue.pop();
    if (!run) return false;
    if (this.checks) {
      const bad = this.ledger.move(run.first, run.count, LEDGER_QUEUED, 0);
      if (bad >= 0) {
        this.violation('bad-free', `thread ${this.thread} took ${pagesText(run.first, run.count)} from thread ${run.from} through the queue, but page ${bad} is held by ${describeHolder(this.ledger.lastSeen)}`, [bad], [this.thread, run.from]);
        return true;
      }
    }
    this.free(run.first, run.count);
    return true;
  }

  private memoryStep = 0;

  /** Thread 0's memory changes: add the offline range a third of the way in, remove it at two thirds. */
  private changeMemory(range: { first: number; count: number }, progress: number): void {
    const allocator = this.allocator;
    if (this.memoryStep === 0 && progress >= 1 / 3) {
      this.memoryStep = 1;
      this.callMemory(OpCode.addMemory, range, () => (allocator.addMemory!(range.first, range.count), 1));
    } else if (this.memoryStep === 1 && progress >= 2 / 3 && this.task.scenario.memoryChanges?.removeWhileRunning) {
      this.memoryStep = 2;
      this.callMemory(OpCode.removeMemory, range, () => (allocator.removeMemory!(range.first, range.count) ? 1 : 0));
    }
  }

  private callMemory(op: OpCode, range: { first: number; count: number }, call: () => number): void {
    if (this.checks) beginOp(this.block, op, range.first, range.count);
    const name = op === OpCode.addMemory ? 'addMemory' : 'removeMemory';
    this.onOp?.('begin', name, range.first, range.count, 0);
    let result: number;
    try {
      result = call();
    } catch (error) {
      if (error instanceof RunAborted) throw error;
      this.crash(`${name}(${range.first}, ${range.count}) threw ${describeError(error)}`);
    }
    if (result === 1) this.block[ThreadBlockLayout.i32.memoryChanges]!++;
    if (this.checks) endOp(this.block, op, range.first, range.count, result);
    this.onOp?.('end', name, range.first, range.count, result);
  }

  private violation(kind: ViolationKind, message: string, pages: number[], threads: number[]): void {
    Atomics.add(this.control, HarnessControlLayout.i32.violations, 1);
    if (this.violations.length >= MAX_VIOLATIONS_PER_THREAD) return;
    const history: ThreadHistory[] = [...new Set(threads)].map((t) => {
      const block = this.views.thread(t);
      const inFlight = t === this.thread ? undefined : readCurrentOp(block);
      return { thread: t, ops: readLog(block), ...(inFlight ? { inFlight } : {}) };
    });
    this.violations.push({ kind, message, pages: pages.slice(0, MAX_PAGES_LISTED), threads: [...new Set(threads)], history, phase: this.phase, op: this.phaseOp });
    this.hooks.onViolation?.();
  }

  private crash(message: string): never {
    this.violation('crash', `thread ${this.thread} stopped: ${message}`, [], [this.thread]);
    Atomics.store(this.control, HarnessControlLayout.i32.stop, 1);
    Atomics.notify(this.control, HarnessControlLayout.i32.stop);
    throw new AllocatorCrash(message);
  }

  private publishCounters(): void {
    const counters: AllocatorCounters | undefined = this.allocator.counters;
    const block = this.block;
    if (counters) {
      block[ThreadBlockLayout.i32.casFailures] = counters.casFailures;
      block[ThreadBlockLayout.i32.bytesScanned] = counters.bytesScanned;
    }
    if (this.lockCounters) {
      block[ThreadBlockLayout.i32.lockAcquisitions] = this.lockCounters.acquisitions;
      block[ThreadBlockLayout.i32.lockContended] = this.lockCounters.contended;
      this.block64[ThreadBlockLayout.f64.lockWaitedNs] = this.lockCounters.waitedNs;
    }
  }
}

/** `page 7` or `pages 8..15`. */
function pagesText(first: number, count: number): string {
  return count === 1 ? `page ${first}` : `pages ${first}..${first + count - 1}`;
}

function range(first: number, count: number): number[] {
  return Array.from({ length: Math.min(count, MAX_PAGES_LISTED) }, (_, i) => first + i);
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.split('\n')[0]}`;
  return String(error);
}
