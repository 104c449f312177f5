/**
 * A program's stress run: many rounds on real threads, each on fresh (zeroed) memory with every thread
 * released at once, counting what each round ended in, as jcstress counts outcomes. The main thread
 * runs no program code; it watches: a round in which every unfinished thread has sat in an untimed
 * Atomics.wait for a while is a deadlock (ended, counted, and the run goes on); one in which a thread
 * runs without the round moving for the watchdog's time is a hang, and the run stops there, keeping
 * what it counted.
 */
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { arrayTypes } from '../../harness/array-types.ts';
import { heapLimitMb, outOfMemoryText, workerLimits } from '../../harness/worker-limits.ts';
import type { ProgramInfo } from './check-program.ts';
import { ProgramControl, ProgramThread, ThreadRunState, controlBytes, threadSlot } from './stress-layout.ts';
import type { ProgramFailure, ProgramMessage, ProgramStressTask } from './stress-program-worker.ts';
import { type HistogramJson, BUCKETS, HISTOGRAM_BYTES, mergeInto, toJson } from '../../metrics/histogram.ts';
import { timerFloorNs } from '../../metrics/timer-floor.ts';

const workerFile = new URL('../../../workers/program-stress.mjs', import.meta.url).href;
/** Every unfinished thread blocked this long, with nothing moving, is a deadlock. */
const DEADLOCK_MS = 100;
/** How often the main thread looks. */
const POLL_MS = 10;

export type RoundOutcome = 'pass' | 'assertion' | 'check' | 'deadlock' | 'crash';

export interface OutcomeCount {
  outcome: RoundOutcome;
  rounds: number;
  /** The first round that ended so, and what it said. */
  first?: { round: number; message: string; threads: number[] };
}

export interface ProgramStressResult {
  program: string;
  threads: number;
  /** Rounds asked for, and rounds run to their end (a hang or crash stops the run early). */
  rounds: number;
  completed: number;
  seconds: number;
  outcomes: OutcomeCount[];
  /** Why the run stopped before its rounds were done: a hang or a crash, in the round after `completed`. */
  stopped?: string;
  stoppedKind?: 'hang' | 'crash';
  /** Stopped by Ctrl-C or SIGTERM: the rounds counted are those that ended before. */
  interrupted: boolean;
  /** An object's operations called in the rounds counted, all threads (0 for a plain program). */
  ops: number;
  /** An object's call latencies, every thread merged, per operation name. */
  latency?: ProgramLatency;
}

export interface ProgramLatency {
  /** Every call is timed. */
  sampleEvery: 1;
  timerFloorNs: number;
  operations: Record<string, HistogramJson>;
}

export interface ProgramStressOptions {
  file: string;
  info: ProgramInfo;
  rounds: number;
  /** Stop after this long even if rounds are left (the rounds so far are counted). */
  timeBudgetMs: number;
  watchdogMs: number;
  /** Thread count of this run: the program's own, or for an object one of its `threadCounts`. */
  threads?: number;
  /** Aborted: no round after the current one; what was counted is kept. */
  signal?: AbortSignal;
}

/** After Ctrl-C, how long a round may still take to end before its threads are stopped. */
const STOP_GRACE_MS = 1000;

export async function stressProgram(options: ProgramStressOptions): Promise<ProgramStressResult> {
  const { info } = options;
  const threads = options.threads ?? info.threads;
  const operations = info.object?.operations ?? [];
  const floor = operations.length > 0 ? timerFloorNs() : 0;
  const latency = operations.length > 0 ? new SharedArrayBuffer(threads * operations.length * HISTOGRAM_BYTES) : undefined;
  const started = performance.now();
  const control = new SharedArrayBuffer(controlBytes(threads));
  const c = new Int32Array(control);
  const memory = new SharedArrayBuffer(info.sharedBytes);
  const scratch = new SharedArrayBuffer(info.scratchBytes);
  const failures = new Map<number, ProgramFailure[]>();
  const deadlocks = new Map<number, { waits: { thread: number; slot: string }[]; done: number }>();
  const described = new Map<string, string>();
  const crashes: { message: string; threads: number[] }[] = [];
  const pool = new Piscina<ProgramStressTask, void>({ filename: workerFile, minThreads: threads, maxThreads: threads, concurrentTasksPerWorker: 1, resourceLimits: workerLimits(threads) });
  pool.on('error', () => {});
  const heapMb = heapLimitMb(threads);
  let stopped: string | undefined;
  const ports = Array.from({ length: threads }, () => new MessageChannel());
  const ended = ports.map(({ port1 }) => {
    return new Promise<void>((resolve) => {
      port1.on('message', (m: ProgramMessage) => {
        if (m.kind === 'end') return resolve();
        if (m.kind === 'waited') return void described.set(`${m.round}/${m.thread}`, m.text);
        const list = failures.get(m.round) ?? [];
        list.push(m);
        failures.set(m.round, list);
      });
    });
  });
  let finished = 0;
  const tasks = ports.map(({ port2 }, thread) =>
    pool
      .run({ program: options.file, thread, threads, rounds: options.rounds, memory, sharedBytes: info.sharedBytes, scratch, control, port: port2, ...(latency ? { latency } : {}) }, { transferList: [port2] })
      .then(
        () => void finished++,
        (error: unknown) => {
          finished++;
          const text = outOfMemoryText(error, heapMb) ?? String((error as Error)?.message ?? error).split('\n')[0];
          crashes.push({ message: `thread ${thread} failed: ${text}`, threads: [thread] });
        },
      ),
  );
  const state = (t: number, field: number) => Atomics.load(c, threadSlot(t, field));
  let lastKey = '';
  let since = performance.now();
  let interrupted = false;
  let stoppedAt = 0;
  try {
    while (finished < threads) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (options.signal?.aborted && !interrupted) {
        interrupted = true;
        stoppedAt = performance.now();
        Atomics.store(c, ProgramControl.stop, 1);
      }
      if (interrupted && performance.now() - stoppedAt > STOP_GRACE_MS) {
        // A round that does not end within the grace is left uncounted: it is not what was gathered.
        stopped = 'interrupted';
        break;
      }
      if (crashes.length > 0) {
        stopped = crashes[0]!.message;
        break;
      }
      const round = Atomics.load(c, ProgramControl.go);
      const states = Array.from({ length: threads }, (_, t) => state(t, ProgramThread.state));
      const key = `${Atomics.load(c, ProgramControl.finished)}/${Atomics.load(c, ProgramControl.checked)}/${states.join(',')}`;
      const now = performance.now();
      if (key !== lastKey) {
        lastKey = key;
        since = now;
        if (now - started > options.timeBudgetMs && Atomics.load(c, ProgramControl.stop) === 0) Atomics.store(c, ProgramControl.stop, 1);
        continue;
      }
      const unfinished = states.map((s, t) => (s !== ThreadRunState.done && state(t, ProgramThread.round) === round ? t : -1)).filter((t) => t >= 0);
      const blocked = unfinished.filter((t) => states[t] === ThreadRunState.waiting && state(t, ProgramThread.waitTimed) === 0);
      if (blocked.length > 0 && Atomics.load(c, ProgramControl.abort) === round) {
        // An ended round whose waiters missed their wake-up (it came just before they began to wait).
        endRound(c, memory, blocked, round);
        continue;
      }
      if (unfinished.length > 0 && blocked.length === unfinished.length && now - since >= DEADLOCK_MS) {
        // The program names the slots once its threads are woken (stress-program-worker.ts): the message is made at the end.
        const slot = (t: number) => `${arrayTypes[state(t, ProgramThread.waitType)] ?? '?'}[${state(t, ProgramThread.waitIndex)}]`;
        deadlocks.set(round, { waits: blocked.map((t) => ({ thread: t, slot: slot(t) })), done: threads - unfinished.length });
        endRound(c, memory, blocked, round);
        continue;
      }
      if (now - since > options.watchdogMs) {
        const running = unfinished.filter((t) => states[t] === ThreadRunState.running);
        stopped = `round ${round}: ${running.length > 0 ? `thread${running.length === 1 ? '' : 's'} ${running.join(', ')} ran` : 'nothing moved'} for ${options.watchdogMs / 1000} s without ending the round: a loop, or real blocking (a hang)`;
        crashes.push({ message: stopped, threads: running });
        break;
      }
    }
  } finally {
    Atomics.store(c, ProgramControl.stop, 1);
    if (stopped) await pool.destroy();
    else await Promise.all(tasks).then(() => Promise.race([Promise.all(ended), new Promise((resolve) => setTimeout(resolve, 1000))])).then(() => pool.destroy());
    for (const { port1 } of ports) port1.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const completed = Atomics.load(c, ProgramControl.checked);
  const messages = new Map([...deadlocks].map(([round, d]) => [round, { message: deadlockMessage(round, d, described), threads: d.waits.map((w) => w.thread) }]));
  const crashed = stopped !== undefined && stopped !== 'interrupted' ? stopped : undefined;
  const merged = latency ? mergedLatency(latency, threads, operations, floor) : undefined;
  return {
    program: info.name,
    threads,
    rounds: options.rounds,
    completed,
    seconds,
    outcomes: countOutcomes(completed, failures, messages),
    ...(crashed ? { stopped: crashed, stoppedKind: crashed.endsWith('(a hang)') ? ('hang' as const) : ('crash' as const) } : {}),
    interrupted,
    // The calls that returned, as timed: a round cut short by a failure made fewer than its share.
    ops: merged ? Object.values(merged.operations).reduce((n, h) => n + h.count, 0) : 0,
    ...(merged ? { latency: merged } : {}),
  };
}

/** `thread 0 waits on i32[1] (lock B), ...`: the slot, and what the program calls it, as controlled mode says it. */
function deadlockMessage(round: number, d: { waits: { thread: number; slot: string }[]; done: number }, described: Map<string, string>): string {
  const on = ({ thread, slot }: { thread: number; slot: string }) => {
    const text = described.get(`${round}/${thread}`);
    return `thread ${thread} waits on ${slot}${text ? ` (${text})` : ''}`;
  };
  return `every unfinished thread is blocked: ${d.waits.map(on).join(', ')}${d.done > 0 ? `; ${d.done} finished` : ''}`;
}

/** Each operation's histograms, every thread's added up. */
function mergedLatency(buffer: SharedArrayBuffer, threads: number, operations: readonly string[], timerFloorNs: number): ProgramLatency {
  const result: Record<string, HistogramJson> = {};
  operations.forEach((name, i) => {
    const sum = new Array<number>(BUCKETS).fill(0);
    for (let t = 0; t < threads; t++) mergeInto(sum, new Int32Array(buffer, (t * operations.length + i) * HISTOGRAM_BYTES, BUCKETS));
    result[name] = toJson(sum);
  });
  return { sampleEvery: 1, timerFloorNs, operations: result };
}

/** Ends a deadlocked round: its waiters wake, see the abort, and give up. */
function endRound(c: Int32Array, memory: SharedArrayBuffer, blocked: number[], round: number): void {
  Atomics.store(c, ProgramControl.abort, round);
  const words = new Int32Array(memory, 0, memory.byteLength >> 2);
  const longs = new BigInt64Array(memory, 0, memory.byteLength >> 3);
  for (const t of blocked) {
    const type = Atomics.load(c, threadSlot(t, ProgramThread.waitType));
    const index = Atomics.load(c, threadSlot(t, ProgramThread.waitIndex));
    if (type === 6 || type === 7) Atomics.notify(longs, index);
    else Atomics.notify(words, index);
  }
}

/** Each round's outcome: the first failure posted for it (a deadlock, else an assertion, a crash, a check), else a pass. */
function countOutcomes(completed: number, failures: Map<number, ProgramFailure[]>, deadlocks: Map<number, { message: string; threads: number[] }>): OutcomeCount[] {
  const counts = new Map<RoundOutcome, OutcomeCount>();
  const count = (outcome: RoundOutcome, round: number, first?: { message: string; threads: number[] }) => {
    const entry = counts.get(outcome) ?? { outcome, rounds: 0 };
    entry.rounds++;
    if (first && !entry.first) entry.first = { round, ...first };
    counts.set(outcome, entry);
  };
  for (let round = 1; round <= completed; round++) {
    const list = failures.get(round) ?? [];
    const deadlock = deadlocks.get(round);
    const assertion = list.find((f) => f.kind === 'assertion');
    const crash = list.find((f) => f.kind === 'crash');
    const check = list.find((f) => f.kind === 'check');
    if (deadlock) count('deadlock', round, deadlock);
    else if (assertion) count('assertion', round, { message: assertion.message, threads: [assertion.thread] });
    else if (crash) count('crash', round, { message: crash.message, threads: [crash.thread] });
    else if (check) count('check', round, { message: check.message, threads: [] });
    else count('pass', round);
  }
  const order: RoundOutcome[] = ['pass', 'assertion', 'check', 'deadlock', 'crash'];
  return order.flatMap((o) => (counts.has(o) ? [counts.get(o)!] : []));
}
