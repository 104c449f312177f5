/**
 * The seam of controlled mode, in the worker: for the length of a run, the global `Atomics` functions
 * are wrapped so that a call on the scenario's buffer parks at a scheduling point first, and makes the
 * call only when the coordinator grants this thread the turn. Calls on any other buffer (the harness's
 * ledger and queue, piscina's own) pass straight through. The allocator code is plain `Atomics` code and
 * needs no change: a user's module, or a library it uses, is scheduled the same way.
 *
 * JS `Atomics` operations are sequentially consistent, so interleaving whole calls is an exact model of
 * code that shares memory only through them. Plain typed-array reads and writes are not scheduling
 * points: they run, unseen, between two of them.
 *
 * `Atomics.wait` never blocks for real here: the coordinator decides whether the value matches, keeps
 * the thread off the schedule until a `notify` on the same slot picks it, and hands back the result.
 */
import { RunAborted } from '../stress/run-aborted.ts';
import {
  Request,
  SLOT_BYTES,
  Turn,
  WaitResult,
  arrayTypeOf,
  kArg1F64,
  kArg2F64,
  kArrayField,
  kCountField,
  kIndexField,
  kObservedF64,
  kObservedKindField,
  kRequestField,
  kResultField,
  kTurnField,
  waitResultNames,
} from './protocol.ts';

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

/** How long a parked worker polls its turn before sleeping in a real `Atomics.wait`. */
const SPIN = 2000;

export class Interceptor {
  private readonly slot: Int32Array;
  private readonly slot64: Float64Array;
  private installed = false;

  constructor(
    control: SharedArrayBuffer,
    thread: number,
    private readonly buffer: SharedArrayBuffer,
  ) {
    this.slot = new Int32Array(control, thread * SLOT_BYTES, SLOT_BYTES >> 2);
    this.slot64 = new Float64Array(control, thread * SLOT_BYTES, SLOT_BYTES >> 3);
  }

  /**
   * Parks before `request` and returns when granted the turn. The worker flips its turn from running
   * to parked with a CAS, not a store: a coordinator that already wrote `abort` must not be overwritten.
   */
  park(request: Request, array?: ArrayBufferView & { length: number }, index = 0, arg1 = 0, arg2 = 0): void {
    const slot = this.slot;
    // Every field is written, call or not: a schedule must not see what the last one left here.
    slot[kRequestField] = request;
    slot[kArrayField] = array ? arrayTypeOf(array) : 0;
    slot[kIndexField] = array ? array.byteOffset / (array as Int32Array).BYTES_PER_ELEMENT + index : 0;
    this.slot64[kArg1F64] = arg1;
    this.slot64[kArg2F64] = arg2;
    if (real.compareExchange(slot, kTurnField, Turn.running, Turn.parked) !== Turn.running) throw new ControlledAbort();
    real.notify(slot, kTurnField);
    let turn: number = Turn.parked;
    for (let i = 0; i < SPIN && turn === Turn.parked; i++) turn = real.load(slot, kTurnField);
    while (turn === Turn.parked) {
      real.wait(slot, kTurnField, Turn.parked);
      turn = real.load(slot, kTurnField);
    }
    if (turn === Turn.abort && request !== Request.done) throw new ControlledAbort();
  }

  private observe(value: number | bigint | string): void {
    if (typeof value === 'string') {
      this.slot[kObservedKindField] = 2;
    } else {
      this.slot64[kObservedF64] = Number(value);
      this.slot[kObservedKindField] = 1;
    }
  }

  /** Wraps the global Atomics functions; calls on other buffers go to the real ones unchanged. */
  install(): void {
    if (this.installed) return;
    this.installed = true;
    const buffer = this.buffer;
    const self = this;
    type Int = Int32Array;
    const rmw = (request: Request, fn: (a: Int, i: number, v: number) => number) =>
      function (array: Int, index: number, value: number): number {
        if (array.buffer !== buffer) return fn(array, index, value);
        self.park(request, array, index, Number(value));
        const result = fn(array, index, value);
        self.observe(result);
        return result;
      };
    const table: AtomicsTable = {
      load(array: Int, index: number): number {
        if (array.buffer !== buffer) return real.load(array, index);
        self.park(Request.load, array, index);
        const result = real.load(array, index);
        self.observe(result);
        return result;
      },
      store: rmw(Request.store, real.store),
      add: rmw(Request.add, real.add),
      sub: rmw(Request.sub, real.sub),
      and: rmw(Request.and, real.and),
      or: rmw(Request.or, real.or),
      xor: rmw(Request.xor, real.xor),
      exchange: rmw(Request.exchange, real.exchange),
      compareExchange(array: Int, index: number, expected: number, replacement: number): number {
        if (array.buffer !== buffer) return real.compareExchange(array, index, expected, replacement);
        self.park(Request.compareExchange, array, index, Number(expected), Number(replacement));
        const result = real.compareExchange(array, index, expected, replacement);
        self.observe(result);
        return result;
      },
      wait(array: Int, index: number, value: number, timeout?: number) {
        if (array.buffer !== buffer) return real.wait(array, index, value, timeout);
        self.park(Request.wait, array, index, Number(value), timeout ?? Infinity);
        const result = waitResultNames[self.slot[kResultField]! as (typeof WaitResult)[keyof typeof WaitResult]];
        self.observe(result);
        return result;
      },
      notify(array: Int, index: number, count?: number): number {
        if (array.buffer !== buffer) return real.notify(array, index, count);
        self.slot[kCountField] = count === undefined || count === Infinity ? -1 : count;
        self.park(Request.notify, array, index, count ?? Infinity);
        const woken = self.slot[kResultField]!;
        self.observe(woken);
        return woken;
      },
    } as AtomicsTable;
    Object.assign(Atomics, table);
  }

  uninstall(): void {
    if (!this.installed) return;
    this.installed = false;
    Object.assign(Atomics, real);
  }
}
