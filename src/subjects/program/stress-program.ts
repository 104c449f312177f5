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
import { arrayTypes } from '../../controlled/protocol.ts';
import { heapLimitMb, outOfMemoryText, workerLimits } from '../../harness/worker-limits.ts';
import type { ProgramInfo } from './check-program.ts';
import { ProgramControl, ProgramThread, ThreadRunState, controlBytes, threadSlot } from './stress-layout.ts';
import type { ProgramFailure, ProgramStressTask } from './stress-program-worker.ts';

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
}

export interface ProgramStressOptions {
  file: string;
  info: ProgramInfo;
  rounds: number;
  /** Stop after this long even if rounds are left (the rounds so far are counted). */
  timeBudgetMs: number;
  watchdogMs: number;
}

export async function stressProgram(options: ProgramStressOptions): Promise<ProgramStressResult> {
  const { info } = options;
  const threads = info.threads;
  const started = performance.now();
  const control = new SharedArrayBuffer(controlBytes(threads));
  const c = new Int32Array(control);
  const memory = new SharedArrayBuffer(info.sharedBytes);
  const scratch = new SharedArrayBuffer(info.scratchBytes);
  const failures = new Map<number, ProgramFailure[]>();
  const deadlocks = new Map<number, { message: string; threads: number[] }>();
  const crashes: { message: string; threads: number[] }[] = [];
  const pool = new Piscina<ProgramStressTask, void>({ filename: workerFile, minThreads: threads, maxThreads: threads, concurrentTasksPerWorker: 1, resourceLimits: workerLimits(threads) });
  pool.on('error', () => {});
  const heapMb = heapLimitMb(threads);
  let stopped: string | undefined;
  const ports = Array.from({ length: threads }, () => new MessageChannel());
  for (const { port1 } of ports) {
    port1.on('message', (f: ProgramFailure) => {
      const list = failures.get(f.round) ?? [];
      list.push(f);
      failures.set(f.round, list);
    });
  }
  let finished = 0;
  const tasks = ports.map(({ port2 }, thread) =>
    pool
      .run({ program: options.file, thread, threads, rounds: options.rounds, memory, sharedBytes: info.sharedBytes, scratch, control, port: port2 }, { transferList: [port2] })
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
  try {
    while (finished < threads) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
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
        const on = (t: number) => `thread ${t} waits on ${arrayTypes[state(t, ProgramThread.waitType)] ?? '?'}[${state(t, ProgramThread.waitIndex)}]`;
        const done = threads - unfinished.length;
        deadlocks.set(round, { message: `every unfinished thread is blocked: ${blocked.map(on).join(', ')}${done > 0 ? `; ${done} finished` : ''}`, threads: blocked });
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
    else await Promise.all(tasks).then(() => pool.destroy());
    for (const { port1 } of ports) port1.close();
  }
  const completed = Atomics.load(c, ProgramControl.checked);
  return {
    program: info.name,
    threads,
    rounds: options.rounds,
    completed,
    seconds: (performance.now() - started) / 1000,
    outcomes: countOutcomes(completed, failures, deadlocks),
    ...(stopped ? { stopped, stoppedKind: stopped.endsWith('(a hang)') ? ('hang' as const) : ('crash' as const) } : {}),
  };
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
