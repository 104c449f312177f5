/**
 * The seam of controlled mode, in the worker: for the length of a run, the global `Atomics` functions
 * are wrapped so that a call on the scenario's buffer parks at a scheduling point first, and makes the
 * call only when the coordinator grants this thread the turn. Calls on any other buffer (the harness's
 * ledger and queue, piscina's own) pass straight through. The allocator code is plain `Atomics` code and
 * needs no change: a user's module, or a library it uses, is scheduled the same way.
 *
 * JS `Atomics` operations are sequentially consistent, so interleaving whole calls is an exact model of
 * code that shares memory only through them. Plain typed-array reads and writes are scheduling points
 * too when the code was rewritten by the source transform (`--points all`, transform.ts): the
 * plain-access runtime calls {@link Interceptor.read} and {@link Interceptor.write}. Racy plain accesses
 * are not sequentially consistent in JS; interleaving them one at a time explores their SC outcomes only.
 *
 * `Atomics.wait` never blocks for real here: the coordinator decides whether the value matches, keeps
 * the thread off the schedule until a `notify` on the same slot picks it, and hands back the result.
 */
import { RunAborted } from '../harness/run-aborted.ts';
import {
  BatchHeaderLayout,
  BatchViews,
  isPlainCall,
  isReadOnly,
  NOTIFY_ALL,
  Owner,
  Request,
  SlotLayout,
  slotViews,
  StepLog64Layout,
  StepLogLayout,
  Turn,
  WaitResult,
  waitResultNames,
} from './protocol.ts';
import { arrayTypeOf } from '../harness/array-types.ts';
import { SPIN_SWITCH } from './spin-detector.ts';
import { callHash } from './trace.ts';
import { TWIN } from './coroutines/runtime.ts';

function hashOf(slot: Int32Array, slot64: Float64Array): number {
  return callHash(slot[SlotLayout.i32.request]!, slot[SlotLayout.i32.array]!, slot[SlotLayout.i32.index]!, slot64[SlotLayout.f64.arg1]!, slot64[SlotLayout.f64.arg2]!);
}

/** Thrown out of a parked call when the coordinator ends the run; the worker's task catches it. */
export class ControlledAbort extends RunAborted {
  override readonly name = 'ControlledAbort';
}

type AtomicsTable = Pick<
  typeof Atomics,
  'load' | 'store' | 'add' | 'sub' | 'and' | 'or' | 'xor' | 'exchange' | 'compareExchange' | 'wait' | 'notify'
>;

/** The real functions, captured once when this module loads, before anything wraps them. */
const real: AtomicsTable = {
  load: Atomics.load,
  store: Atomics.store,
  add: Atomics.add,
  sub: Atomics.sub,
  and: Atomics.and,
  or: Atomics.or,
  xor: Atomics.xor,
  exchange: Atomics.exchange,
  compareExchange: Atomics.compareExchange,
  wait: Atomics.wait,
  notify: Atomics.notify,
};


/** The fewest polls before sleeping: about a quarter of a µs, less than any wake-up costs. */
const MIN_SPIN = 64;
/** One park in this many polls longer than the limit, to notice that turns come sooner again. */
const PROBE_EVERY = 16;

/** How many polls of a turn field fit in a millisecond on this machine, measured once per worker. */
const pollsPerMs = (() => {
  const probe = new Int32Array(new SharedArrayBuffer(4));
  const polls = 20_000;
  const started = performance.now();
  let seen = 0;
  for (let i = 0; i < polls; i++) seen |= real.load(probe, 0);
  return (polls + seen) / Math.max(1e-3, performance.now() - started);
})();

/** Any typed array: what a plain-access point can be on. */
export type TypedArray = Exclude<ArrayBufferView, DataView> & { length: number; [index: number]: number | bigint };

/** The number a write's trace shows: the value as a number where it is one, else NaN. */
function shown(value: unknown): number {
  return typeof value === 'number' ? value : typeof value === 'bigint' || typeof value === 'boolean' ? Number(value) : NaN;
}

export class Interceptor {
  private readonly slots: Int32Array[];
  private readonly slots64: Float64Array[];
  private readonly slot: Int32Array;
  private readonly slot64: Float64Array;
  private readonly batch: BatchViews;
  /** The step this thread was granted last: its call's result goes in that step's log entry. */
  private step = 0;
  private installed = false;
  /** Polls of its turn this thread makes before it sleeps: adapted between MIN_SPIN and `spin`. */
  private spinLimit: number;
  private parks = 0;
  /**
   * The spin this thread may be in: the location (index * 16 + array type) and value of its last
   * read-like call (a load, or a compareExchange that failed), and how many calls before it read the
   * same value there. Any other call ends it. Only a hint for batching: the coordinator decides who spins.
   */
  private lastKey = -1;
  private lastValue = NaN;
  private repeats = 0;
  /** The parked call's location key, and whether it reads (1) or may (2: a compareExchange) or writes (0). */
  private pendingKey = -1;
  private pendingReads = 0;

  constructor(
    control: SharedArrayBuffer,
    batch: SharedArrayBuffer,
    threads: number,
    private readonly thread: number,
    private readonly buffer: SharedArrayBuffer,
    /**
     * The most a parked worker polls its turn before sleeping in a real `Atomics.wait`: long when every
     * worker has a core (a wake-up costs more than many steps), short when they outnumber the cores
     * (a spinning worker would take the core the running one needs). Within it the poll adapts.
     */
    private readonly spin: number,
    /**
     * For a thread that is a coroutine: what a park that cannot yield does instead of waiting for the
     * turn (the driver runs the other threads until this one has it again). Undefined: a worker.
     */
    private readonly waiter?: () => void,
  ) {
    this.spinLimit = Math.min(spin, MIN_SPIN * 4);
    ({ slots: this.slots, slots64: this.slots64 } = slotViews(control, threads));
    this.slot = this.slots[thread]!;
    this.slot64 = this.slots64[thread]!;
    this.batch = new BatchViews(batch);
  }

  /**
   * Parks before `request` and returns when this thread is to make the call. While the coordinator's
   * batch has decisions and the calls involved are plain, the turn goes straight to the thread the
   * batch names (or stays here, with no handoff at all); otherwise the coordinator decides.
   */
  park(request: Request, array?: ArrayBufferView & { length: number }, index = 0, arg1 = 0, arg2 = 0): void {
    if (this.prepare(request, array, index, arg1, arg2)) this.awaitTurn(request);
  }

  /**
   * {@link park} for a thread that is a coroutine (src/controlled/coroutines): where a worker would
   * wait for its turn, the thread's generator yields to the driver, which resumes it when it has the turn.
   */
  *parkCo(request: Request, array?: ArrayBufferView & { length: number }, index = 0, arg1 = 0, arg2 = 0): Generator<void, void, unknown> {
    if (this.prepare(request, array, index, arg1, arg2)) {
      yield;
      this.turnCame(request, real.load(this.slot, SlotLayout.i32.turn));
    }
  }

  /**
   * Writes the parked call into this thread's slot and passes the turn on: to this thread again (false:
   * make the call now), to the thread the batch names, or back to the coordinator (true: wait for it).
   */
  private prepare(request: Request, array: (ArrayBufferView & { length: number }) | undefined, index: number, arg1: number, arg2: number): boolean {
    const slot = this.slot;
    // Every field is written, call or not: a schedule must not see what the last one left here.
    slot[SlotLayout.i32.request] = request;
    slot[SlotLayout.i32.array] = array ? arrayTypeOf(array) : 0;
    slot[SlotLayout.i32.index] = array ? array.byteOffset / (array as Int32Array).BYTES_PER_ELEMENT + index : 0;
    this.slot64[SlotLayout.f64.arg1] = arg1;
    this.slot64[SlotLayout.f64.arg2] = arg2;
    this.pendingKey = array ? slot[SlotLayout.i32.index]! * 16 + slot[SlotLayout.i32.array]! : -1;
    this.pendingReads = isReadOnly(request) ? 1 : request === Request.compareExchange ? 2 : 0;
    slot[SlotLayout.i32.repeat] = this.pendingReads > 0 && this.pendingKey === this.lastKey ? this.repeats : 0;
    const { header, decisions, expected } = this.batch;
    if (isPlainCall(request)) {
      const step = header[BatchHeaderLayout.i32.next]!;
      if (step < header[BatchHeaderLayout.i32.end]!) {
        const at = step - header[BatchHeaderLayout.i32.base]!;
        const next = decisions[at]!;
        const to = this.slots[next]!;
        const check = expected[at]!;
        // A thread about to re-read what it has read SPIN_SWITCH times unchanged goes back to the
        // coordinator, which switches spinners out.
        if (isPlainCall(to[SlotLayout.i32.request]!) && to[SlotLayout.i32.repeat]! < SPIN_SWITCH && (check < 0 || check === hashOf(to, this.slots64[next]!))) {
          this.batch.logCall(step, next, to, this.slots64[next]!);
          header[BatchHeaderLayout.i32.next] = step + 1;
          if (next === this.thread) {
            this.step = step;
            return false;
          }
          to[SlotLayout.i32.step] = step;
          this.parkMyself();
          real.store(to, SlotLayout.i32.turn, Turn.running);
          // A coroutine's turn is seen by the driver on this same thread: nobody sleeps on it.
          if (!this.waiter) real.notify(to, SlotLayout.i32.turn);
          return true;
        }
      }
    }
    this.parkMyself();
    if (request === Request.start) {
      // Before its first step the coordinator waits for each thread's turn, not for a batch to come
      // back: a late write of the owner here would end the first batch the moment it began.
      real.notify(this.slot, SlotLayout.i32.turn);
    } else {
      // The coordinator decides: hand it the schedule back and wait to be granted.
      real.store(header, BatchHeaderLayout.i32.owner, Owner.coordinator);
      real.notify(header, BatchHeaderLayout.i32.owner);
    }
    return true;
  }

  /** Flips this thread's turn from running to parked; a coordinator that wrote `abort` wins. */
  private parkMyself(): void {
    if (real.compareExchange(this.slot, SlotLayout.i32.turn, Turn.running, Turn.parked) !== Turn.running) throw new ControlledAbort();
  }

  private awaitTurn(request: Request): void {
    if (this.waiter) {
      // A coroutine parked where its generator cannot yield: the driver runs the others on this stack.
      this.waiter();
      this.turnCame(request, real.load(this.slot, SlotLayout.i32.turn));
      return;
    }
    const slot = this.slot;
    let turn: number = Turn.parked;
    // Adaptive spinning, as adaptive mutexes do: poll about twice as long as a turn has recently taken
    // to come, at most `spin`. A turn that came only after a sleep still tells how long it took: when
    // that was within `spin` polls, polling would have caught it for less than the sleep cost (a
    // futex wake-up onto an idle core of this 2-core VM takes 60-85 us, about 6,000 polls), so the
    // limit grows to cover it; only a turn that took longer than `spin` halves the limit, as on a
    // machine so loaded that polling steals the core the running thread needs. One park in
    // PROBE_EVERY polls four times longer, to notice that turns come sooner again.
    const probe = (++this.parks & (PROBE_EVERY - 1)) === 0;
    const limit = probe ? Math.min(this.spin, this.spinLimit * 4) : this.spinLimit;
    let i = 0;
    while (i < limit && turn === Turn.parked) {
      turn = real.load(slot, SlotLayout.i32.turn);
      i++;
    }
    if (turn !== Turn.parked) {
      if (2 * i + MIN_SPIN > this.spinLimit) this.spinLimit = Math.min(this.spin, 2 * i + MIN_SPIN);
    } else {
      const slept = performance.now();
      while (turn === Turn.parked) {
        real.wait(slot, SlotLayout.i32.turn, Turn.parked);
        turn = real.load(slot, SlotLayout.i32.turn);
      }
      const polls = i + (performance.now() - slept) * pollsPerMs;
      if (polls <= this.spin) this.spinLimit = Math.min(this.spin, Math.max(this.spinLimit, 2 * polls));
      else if (!probe) this.spinLimit = Math.max(MIN_SPIN, this.spinLimit >> 1);
    }
    this.turnCame(request, turn);
  }

  /** The turn came (or the coordinator ended the run): the step this thread is to take. */
  private turnCame(request: Request, turn: number): void {
    if (turn === Turn.abort && request !== Request.done) throw new ControlledAbort();
    this.step = this.slot[SlotLayout.i32.step]!;
  }

  /** The step this thread was granted last: an operation's steps are those between two of these. */
  get grantedStep(): number {
    return this.step;
  }

  /** Logs what the call just made returned, and follows the spin it may be in. */
  observe(value: number | bigint | string): void {
    const seen = Number(value);
    if (this.pendingReads === 1 || (this.pendingReads === 2 && seen !== this.slot64[SlotLayout.f64.arg1])) {
      if (this.pendingKey === this.lastKey && seen === this.lastValue) this.repeats++;
      else {
        this.lastKey = this.pendingKey;
        this.lastValue = seen;
        this.repeats = 0;
      }
    } else this.lastKey = -1;
    const { log, log64, header } = this.batch;
    const at = this.step - header[BatchHeaderLayout.i32.base]!;
    if (typeof value === 'string') {
      log64[at * (StepLog64Layout.bytes >> 3) + StepLog64Layout.f64.value] = waitResultNames.indexOf(value as (typeof waitResultNames)[number]);
      log[at * (StepLogLayout.bytes >> 2) + StepLogLayout.i32.observed] = 2;
    } else {
      log64[at * (StepLog64Layout.bytes >> 3) + StepLog64Layout.f64.value] = Number(value);
      log[at * (StepLogLayout.bytes >> 2) + StepLogLayout.i32.observed] = 1;
    }
  }

  /**
   * A plain read of element `index` of a typed array over the subject's buffer: a scheduling point, then
   * the read itself, logged with what it saw. The caller has checked the buffer and the index.
   */
  read(array: TypedArray, index: number): number | bigint {
    this.park(Request.read, array, index);
    const value = array[index]!;
    this.observe(value);
    return value;
  }

  /** A plain write of element `index` (as for {@link read}); the value is converted as the array stores it. */
  write(array: TypedArray, index: number, value: unknown): void {
    this.park(Request.write, array, index, shown(value));
    (array as unknown as Record<number, unknown>)[index] = value;
  }

  /** {@link read} for a coroutine. */
  *readCo(array: TypedArray, index: number): Generator<void, number | bigint, unknown> {
    yield* this.parkCo(Request.read, array, index);
    const value = array[index]!;
    this.observe(value);
    return value;
  }

  /** {@link write} for a coroutine. */
  *writeCo(array: TypedArray, index: number, value: unknown): Generator<void, void, unknown> {
    yield* this.parkCo(Request.write, array, index, shown(value));
    (array as unknown as Record<number, unknown>)[index] = value;
  }

  /** Wraps the global Atomics functions; calls on other buffers go to the real ones unchanged. */
  install(): void {
    if (this.installed) return;
    this.installed = true;
    installAtomics(this.buffer, () => this, false);
  }

  /** What the coordinator handed back with the turn: a wait's result code, or how many a notify woke. */
  handedResult(): number {
    return this.slot[SlotLayout.i32.result]!;
  }

  /** A notify's count, as the coordinator reads it from the slot before the call. */
  setNotifyCount(count: number | undefined): void {
    // As Atomics.notify reads it: undefined or +Infinity is everyone, a negative count no one.
    const n = count === undefined ? Infinity : Math.max(0, Math.trunc(count));
    this.slot[SlotLayout.i32.count] = n === Infinity ? NOTIFY_ALL : Math.min(n, NOTIFY_ALL);
  }

  uninstall(): void {
    if (!this.installed) return;
    this.installed = false;
    uninstallAtomics();
  }
}

type Int = Int32Array;

/**
 * One wrapped Atomics function: the request it parks as, the operands the step records, and what it
 * does once it has the turn (the real call, or the result the coordinator modelled, and its log).
 */
interface AtomicCall {
  request: Request;
  /** The operands the step records (two functions, not a pair: a wrapper runs at every step). */
  arg1(x: number, y: number | undefined): number;
  arg2(x: number, y: number | undefined): number;
  /** What the slot must hold before the park (a notify's count). */
  before?(by: Interceptor, x: number): void;
  make(by: Interceptor, array: Int, index: number, x: number, y: number | undefined): number | string;
}

const made = (by: Interceptor, result: number | string) => {
  by.observe(result);
  return result;
};
const none = () => 0;
const first = (x: number) => Number(x);
const rmw = (request: Request, fn: (a: Int, i: number, v: number) => number): AtomicCall => ({
  request,
  arg1: first,
  arg2: none,
  make: (by, array, index, value) => made(by, fn(array, index, value)),
});
const atomicCalls: Record<keyof AtomicsTable, AtomicCall> = {
  load: { request: Request.load, arg1: none, arg2: none, make: (by, array, index) => made(by, real.load(array, index)) },
  store: rmw(Request.store, real.store),
  add: rmw(Request.add, real.add),
  sub: rmw(Request.sub, real.sub),
  and: rmw(Request.and, real.and),
  or: rmw(Request.or, real.or),
  xor: rmw(Request.xor, real.xor),
  exchange: rmw(Request.exchange, real.exchange),
  compareExchange: {
    request: Request.compareExchange,
    arg1: first,
    arg2: (_expected, replacement) => Number(replacement),
    make: (by, array, index, expected, replacement) => made(by, real.compareExchange(array, index, expected, replacement!)),
  },
  // Never blocks for real: the coordinator modelled the wait and handed back its result.
  wait: {
    request: Request.wait,
    arg1: first,
    arg2: (_value, timeout) => timeout ?? Infinity,
    make: (by) => made(by, waitResultNames[by.handedResult() as (typeof WaitResult)[keyof typeof WaitResult]]),
  },
  notify: {
    request: Request.notify,
    arg1: (count) => count ?? Infinity,
    arg2: none,
    before: (by, count) => by.setNotifyCount(count),
    make: (by) => made(by, by.handedResult()),
  },
};

/**
 * Wraps the global Atomics functions for the length of a run: a call on `buffer` parks through the
 * interceptor `by()` returns (the one thread of a worker, or the coroutine that is running); calls on
 * any other buffer go to the real functions. With `coroutines`, each wrapper also carries a generator
 * twin (coroutines/runtime.ts), through which a transformed caller suspends instead of blocking.
 */
export function installAtomics(buffer: SharedArrayBuffer, by: () => Interceptor, coroutines: boolean): void {
  const table: Record<string, unknown> = {};
  for (const [name, call] of Object.entries(atomicCalls) as [keyof AtomicsTable, AtomicCall][]) {
    const native = real[name] as (...args: unknown[]) => unknown;
    const plain = function (array: Int, index: number, x: number, y?: number) {
      if (array?.buffer !== buffer) return native.apply(Atomics, arguments as unknown as unknown[]);
      const me = by();
      call.before?.(me, x);
      me.park(call.request, array, index, call.arg1(x, y), call.arg2(x, y));
      return call.make(me, array, index, x, y);
    };
    if (coroutines) {
      (plain as unknown as Record<symbol, unknown>)[TWIN] = function* (array: Int, index: number, x: number, y?: number) {
        if (array?.buffer !== buffer) return native.apply(Atomics, arguments as unknown as unknown[]);
        const me = by();
        call.before?.(me, x);
        yield* me.parkCo(call.request, array, index, call.arg1(x, y), call.arg2(x, y));
        return call.make(me, array, index, x, y);
      };
    }
    table[name] = plain;
  }
  Object.assign(Atomics, table);
}

/** Puts the real Atomics functions back. */
export function uninstallAtomics(): void {
  Object.assign(Atomics, real);
}
