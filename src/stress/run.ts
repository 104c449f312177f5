/**
 * The main thread's side of one stress run: lay out the shared buffer, start one task per thread,
 * release them together, audit at every phase barrier, watch for hangs, and gather what they found.
 *
 * The main thread runs no allocator code: sizing, formatting, the view audits use and memory taken
 * offline before the run are the user host's (harness/user-host.ts), whose calls have a deadline, so
 * that an allocator that throws, loops or exhausts memory there is a violation of this run like any
 * other, and the sweep keeps what it gathered.
 */
import { guaranteedRun, offlineRange } from '../subjects/allocator/run-setup.ts';
import { GlobalLock } from '../alloc/global-lock.ts';
import { type AllocatorInfo, type AllocatorRef, refName } from '../alloc/load-allocator.ts';
import type { ThreadHistory, Violation } from '../check/violation.ts';
import { START_GRACE_TEXT, startGraceMs } from '../harness/start-grace.ts';
import { UserCodeFailure, UserHost } from '../harness/user-host.ts';
import { outOfMemoryText } from '../harness/worker-limits.ts';
import type { Phase, Scenario } from '../scenario/schema.ts';
import { BUCKETS, mergeInto, toJson } from '../metrics/histogram.ts';
import { allArrived, awaitArrivals, release, stopAll } from '../harness/barrier.ts';
import {
  HarnessControlLayout,
  LATENCY_SAMPLE_EVERY,
  RunViews,
  ThreadBlockLayout,
  ThreadState,
  computeLayout,
} from '../subjects/allocator/layout.ts';
import { describeOp, readCurrentOp, readLog } from '../subjects/allocator/op-log.ts';
import type { StressPool } from './pool.ts';
import { meetsExpectation } from '../check/grade.ts';
import { type RunCounters, type RunResult } from './result.ts';
import type { StressTask, WorkerReport } from '../subjects/allocator/task.ts';

export interface RunOptions {
  scenario: Scenario;
  definition: AllocatorInfo;
  allocator: AllocatorRef;
  threads: number;
  checks: boolean;
  lock: boolean;
  pool: StressPool;
  /** Aborted on Ctrl-C: the run stops and keeps what it gathered. */
  signal?: AbortSignal;
  /** Called a few times a second while the run goes on. */
  onProgress?: (progress: { phase: string; ops: number; violations: number; elapsedMs: number }) => void;
  /** Builds the command that re-runs this allocator at this thread count. */
  reproduce: (allocator: string, threads: number) => string;
  /**
   * A user host lent for many runs of this allocator (a test's seeds): the run binds its buffers to it
   * and neither starts nor closes it. Without one, each run starts its own (about 300 ms on two cores).
   */
  host?: UserHost;
}

/** The run stops early once this many violations are counted: the first ones say what is wrong. */
const MAX_VIOLATIONS = 50;
/** How long the main thread sleeps between looks at the threads when nothing happens. */
const POLL_MS = 20;
/** How long threads get to stop on their own before their workers are terminated. */
const STOP_GRACE_MS = 1000;

export async function runStress(options: RunOptions): Promise<RunResult> {
  const { scenario, threads } = options;
  const name = refName(options.allocator);
  const growRange = offlineRange(scenario, options.definition, name);
  if (options.host) return runWithHost(options, options.host, name, growRange);
  // The host starts while the pool's workers do; it counts as one more worker for their memory share.
  let host: UserHost;
  try {
    host = await UserHost.start(options.allocator, name, { timeoutMs: scenario.watchdogMs, workers: threads + 1 });
  } catch (error) {
    if (!(error instanceof UserCodeFailure)) throw error;
    const layout = computeLayout(threads, scenario.pages, 0);
    return summarize(options, new RunViews(new SharedArrayBuffer(layout.totalBytes), layout), new Array(threads), [error.violation()], 1, error.kind, performance.now(), name);
  }
  try {
    return await runWithHost(options, host, name, growRange);
  } finally {
    await host.close();
  }
}

async function runWithHost(options: RunOptions, host: UserHost, name: string, growRange: { first: number; count: number } | undefined): Promise<RunResult> {
  const { scenario, definition, threads } = options;
  const pages = scenario.pages;
  const started = performance.now();
  const layout = computeLayout(threads, pages, ((await host.sharedBytes(pages)) + 7) & ~7);
  const buffer = new SharedArrayBuffer(layout.totalBytes);
  const views = new RunViews(buffer, layout);
  GlobalLock.init(views.lockRegion);
  await host.bind(buffer, layout);
  try {
    await host.prepare(threads, scenario.name, growRange);
  } catch (error) {
    // Nothing has started: the run is this one violation, and the sweep goes on to write its file.
    if (!(error instanceof UserCodeFailure)) throw error;
    return summarize(options, views, new Array(threads), [error.violation()], 1, error.kind, started, name);
  }
  const task: Omit<StressTask, 'thread'> = {
    buffer,
    layout,
    scenario,
    allocator: options.allocator,
    checks: options.checks,
    lock: options.lock,
    guaranteedRun: options.checks && (options.lock || definition.locking === 'lock-free') ? guaranteedRun(scenario, definition, threads, growRange?.count ?? 0) : 0,
    ...(growRange ? { growRange } : {}),
  };

  /** Violations the main thread found (audits, hangs, workers that died); the threads' come later. */
  const violations: Violation[] = [];
  const reports: (WorkerReport | undefined)[] = new Array(threads);
  let terminating = false;
  let settled = 0;
  let stopped: RunResult['stopped'];
  const tasks = Array.from({ length: threads }, (_, thread) =>
    options.pool.run({ ...task, thread }).then(
      (report) => {
        reports[thread] = report;
        settled++;
      },
      (error: unknown) => {
        settled++;
        // Workers the run terminates itself (after a hang) reject their tasks: that is not news.
        if (terminating) return;
        // The worker itself failed (its module would not load, it ran out of memory, or it died): not
        // always the allocator's doing alone, but the run cannot go on, and it is a crash of that thread.
        const oom = outOfMemoryText(error, options.pool.heapMb);
        const message = `thread ${thread} ${oom ?? `failed: ${String((error as Error)?.message ?? error).split('\n')[0]}`}`;
        violations.push({ kind: 'crash', message, pages: [], threads: [thread], history: [] });
        stopped ??= 'crash';
        stopAll(views.control);
      },
    ),
  );

  const control = views.control;
  const phases = scenario.workload.phases;
  let barrier = 0; // barriers passed: 0 is the start, k is the end of phase k - 1
  const lastOps = new Array<number>(threads).fill(-1);
  const lastProgress = new Array<number>(threads).fill(performance.now());
  const start: StartWatch = { started: 0, since: performance.now() };
  /** Audits in the host; a failure of the allocator's code there stops the run as a violation. */
  const audit = async (phase: Phase | undefined): Promise<boolean> => {
    try {
      violations.push(...(await host.audit(options.checks, phase)));
      return true;
    } catch (error) {
      if (!(error instanceof UserCodeFailure)) throw error;
      violations.push(error.violation(phase));
      stopped ??= error.kind;
      stopAll(control);
      return false;
    }
  };
  let churnDeadline = Infinity;
  let lastReport = 0;
  const onAbort = () => {
    stopped ??= 'interrupted';
    stopAll(control);
  };
  options.signal?.addEventListener('abort', onAbort);
  if (options.signal?.aborted) onAbort();

  while (settled < threads) {
    await awaitArrivals(control, POLL_MS);
    const now = performance.now();
    if (Atomics.load(control, HarnessControlLayout.i32.stop) === 0 && allArrived(control, threads)) {
      // Quiescence: every thread is parked. Audit what the phase that just ended left behind.
      if (barrier > 0 && !(await audit(phases[barrier - 1]))) continue;
      if (phases[barrier] === 'churn' && scenario.durationMs !== undefined) churnDeadline = now + scenario.durationMs;
      barrier++;
      lastProgress.fill(performance.now());
      release(control);
      continue;
    }
    if (now >= churnDeadline) Atomics.store(control, HarnessControlLayout.i32.churnEnd, 1);
    if (!stopped && Atomics.load(control, HarnessControlLayout.i32.violations) >= MAX_VIOLATIONS) {
      stopped = 'violations';
      stopAll(control);
    }
    if (!stopped && Atomics.load(control, HarnessControlLayout.i32.stop) !== 0) stopped = 'crash';
    const hung = stopped ? [] : findHung(views, threads, lastOps, lastProgress, start, now, scenario.watchdogMs);
    if (hung.length > 0) {
      violations.push(hangViolation(views, hung, scenario.watchdogMs, phases, options.lock ? GlobalLock.owner(views.lockRegion) : -1, start, now));
      stopped = 'hang';
      stopAll(control);
    }
    if (options.onProgress && now - lastReport >= 100) {
      lastReport = now;
      let ops = 0;
      for (let t = 0; t < threads; t++) ops += views.thread(t)[ThreadBlockLayout.i32.ops]!;
      options.onProgress({ phase: phases[Math.max(0, barrier - 1)] ?? 'start', ops, violations: Atomics.load(control, HarnessControlLayout.i32.violations), elapsedMs: now - started });
    }
    if (stopped) {
      // Give every thread a moment to notice the stop flag and return what it found; then terminate
      // whatever is left (a thread stuck inside an allocator call never will notice).
      await Promise.race([Promise.all(tasks), sleep(STOP_GRACE_MS)]);
      if (settled < threads) {
        terminating = true;
        await options.pool.destroy();
      }
      break;
    }
  }
  options.signal?.removeEventListener('abort', onAbort);

  // A run that ended normally was audited at its last barrier. One stopped early between operations
  // (Ctrl-C, too many violations) is quiescent too, and worth auditing; after a crash or a hang a
  // thread may have died inside a call, so an audit would report its half-done work as damage.
  if ((stopped === 'interrupted' || stopped === 'violations') && settled === threads) await audit(undefined);
  const all = [...violations, ...reports.flatMap((report) => report?.violations ?? [])];
  return summarize(options, views, reports, all, violations.length, stopped, started, name);
}

function summarize(
  options: RunOptions,
  views: RunViews,
  reports: (WorkerReport | undefined)[],
  violations: Violation[],
  /** Violations the main thread found; the threads counted theirs in the control block. */
  mainFound: number,
  stopped: RunResult['stopped'],
  started: number,
  name: string,
): RunResult {
  const { threads, scenario } = options;
  const counters: RunCounters = { allocs: 0, frees: 0, oom: 0, casFailures: 0, bytesScanned: 0, lockAcquisitions: 0, lockContended: 0, lockWaitedNs: 0, handoffs: 0, memoryChanges: 0 };
  let totalOps = 0;
  const allocCounts = new Array<number>(BUCKETS).fill(0);
  const freeCounts = new Array<number>(BUCKETS).fill(0);
  const floors: number[] = [];
  let measuredStart = Infinity;
  let measuredEnd = 0;
  for (let t = 0; t < threads; t++) {
    const block = views.thread(t);
    const block64 = views.thread64(t);
    totalOps += block[ThreadBlockLayout.i32.ops]!;
    counters.allocs += block[ThreadBlockLayout.i32.allocs]!;
    counters.frees += block[ThreadBlockLayout.i32.frees]!;
    counters.oom += block[ThreadBlockLayout.i32.oom]!;
    counters.casFailures += block[ThreadBlockLayout.i32.casFailures]!;
    counters.bytesScanned += block[ThreadBlockLayout.i32.bytesScanned]!;
    counters.lockAcquisitions += block[ThreadBlockLayout.i32.lockAcquisitions]!;
    counters.lockContended += block[ThreadBlockLayout.i32.lockContended]!;
    counters.lockWaitedNs += block64[ThreadBlockLayout.f64.lockWaitedNs]!;
    counters.handoffs += block[ThreadBlockLayout.i32.handoffs]!;
    counters.memoryChanges += block[ThreadBlockLayout.i32.memoryChanges]!;
    mergeInto(allocCounts, views.latency(t, 'alloc'));
    mergeInto(freeCounts, views.latency(t, 'free'));
    if (block64[ThreadBlockLayout.f64.timerFloorNs]! > 0) floors.push(block64[ThreadBlockLayout.f64.timerFloorNs]!);
    if (block64[ThreadBlockLayout.f64.measuredStart]! > 0) measuredStart = Math.min(measuredStart, block64[ThreadBlockLayout.f64.measuredStart]!);
    measuredEnd = Math.max(measuredEnd, block64[ThreadBlockLayout.f64.measuredEnd]!);
  }
  // The measured phase runs from the first thread in to the last thread out; a run stopped before any
  // thread finished it falls back to the whole run.
  const measured = measuredStart < Infinity && measuredEnd > measuredStart;
  const ops = measured ? reports.reduce((sum, r) => sum + (r?.measuredOps ?? 0), 0) : totalOps;
  const seconds = measured ? (measuredEnd - measuredStart) / 1000 : (performance.now() - started) / 1000;
  const expected = scenario.expect;
  return {
    allocator: name,
    threads,
    ops,
    seconds,
    opsPerSec: seconds > 0 ? ops / seconds : 0,
    totalOps,
    expected,
    ok: meetsExpectation(expected, violations) && (stopped !== 'interrupted'),
    violations,
    violationCount: Atomics.load(views.control, HarnessControlLayout.i32.violations) + mainFound,
    counters,
    ...(options.checks
      ? { latency: { sampleEvery: LATENCY_SAMPLE_EVERY, timerFloorNs: median(floors), alloc: toJson(allocCounts), free: toJson(freeCounts) } }
      : {}),
    checks: options.checks,
    lock: options.lock,
    ...(stopped ? { stopped } : {}),
    reproduce: options.reproduce(name, threads),
  };
}

/** How the pool's start goes: threads that have left ThreadState.starting, and since when that count stands. */
export interface StartWatch {
  started: number;
  since: number;
}

/**
 * The threads that are running (or starting) but have made no progress for too long. Once one has, the
 * others stuck for at least half as long are named too: a thread blocked behind a hung lock holder is
 * part of the same story. Threads still starting are judged together, by the pool's progress: they are
 * hung only when no thread of the pool has finished starting for the pool's start grace.
 */
function findHung(views: RunViews, threads: number, lastOps: number[], lastProgress: number[], start: StartWatch, now: number, watchdogMs: number): number[] {
  let started = 0;
  for (let t = 0; t < threads; t++) if (views.thread(t)[ThreadBlockLayout.i32.state] !== ThreadState.starting) started++;
  if (started !== start.started) {
    start.started = started;
    start.since = now;
  }
  const startLimit = watchdogMs + startGraceMs(threads);
  const stuckFor: number[] = [];
  const limits: number[] = [];
  for (let t = 0; t < threads; t++) {
    const block = views.thread(t);
    const ops = block[ThreadBlockLayout.i32.ops]!;
    const state = block[ThreadBlockLayout.i32.state];
    if (ops !== lastOps[t] || (state !== ThreadState.running && state !== ThreadState.starting)) {
      lastOps[t] = ops;
      lastProgress[t] = now;
    }
    stuckFor.push(state === ThreadState.starting ? now - Math.max(lastProgress[t]!, start.since) : now - lastProgress[t]!);
    limits.push(state === ThreadState.starting ? startLimit : watchdogMs);
  }
  const stuck = (t: number, share: number) => stuckFor[t]! > limits[t]! * share;
  if (!stuckFor.some((_, t) => stuck(t, 1))) return [];
  return stuckFor.map((_, t) => t).filter((t) => stuck(t, 0.5));
}

export function hangViolation(views: RunViews, hung: number[], watchdogMs: number, phases: readonly Phase[], lockOwner: number, start: StartWatch, now: number): Violation {
  // The lock holder first: the others are most likely waiting for it.
  const ordered = [...hung].sort((a, b) => Number(b === lockOwner) - Number(a === lockOwner));
  const history: ThreadHistory[] = [];
  const starting = (thread: number) => views.thread(thread)[ThreadBlockLayout.i32.state] === ThreadState.starting;
  for (const thread of ordered) {
    const inFlight = readCurrentOp(views.thread(thread));
    history.push({ thread, ops: readLog(views.thread(thread)), ...(inFlight ? { inFlight } : {}) });
  }
  const parts = ordered.filter((thread) => !starting(thread)).map((thread) => {
    const inFlight = readCurrentOp(views.thread(thread));
    const where = inFlight ? `inside ${describeOp(inFlight)}` : 'outside any allocator call';
    return `thread ${thread} ${where}${thread === lockOwner ? ', holding the global lock' : ''}`;
  });
  const first = views.thread(ordered[0]!);
  const inFlight = readCurrentOp(first);
  const phase = phases[first[ThreadBlockLayout.i32.phase]!];
  const who = (threads: number[]) => (threads.length === 1 ? `thread ${threads[0]}` : `threads ${threads.join(', ')}`);
  // A thread that never started is judged by the pool's start, and only by that: not "made no
  // progress for 5000 ms" followed by "did not start within 35000 ms".
  const running = ordered.filter((thread) => !starting(thread));
  const unstarted = ordered.filter(starting);
  const threads = views.layout.threads;
  const sentences = [
    ...(running.length > 0 ? [`${who(running)} made no progress for ${watchdogMs} ms: ${parts.join('; ')}`] : []),
    ...(unstarted.length > 0
      ? [`${who(unstarted)} did not start: no thread of the pool finished starting for ${Math.round((now - start.since) / 1000)} s (${start.started} of ${threads} started; a pool of ${threads} gets ${watchdogMs / 1000} s + ${START_GRACE_TEXT})`]
      : []),
  ];
  return {
    kind: 'hang',
    message: sentences.join('; '),
    pages: inFlight && inFlight.op !== 'alloc' ? [inFlight.first] : [],
    threads: ordered,
    history,
    ...(phase ? { phase } : {}),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
