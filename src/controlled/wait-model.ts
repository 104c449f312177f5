/**
 * `Atomics.wait` and `Atomics.notify` as the coordinator models them. No controlled worker ever blocks
 * for real: a wait whose slot still holds the expected value takes the thread off the schedule; a
 * notify on that slot puts waiters back, oldest first; a thread put back resumes its wait with `ok`
 * (or `timed-out`, when only a timeout could move the run on). Every live thread waiting is a deadlock.
 */
import { WaitResult } from './protocol.ts';
import { arrayTypes } from '../harness/array-types.ts';

const arrayViews = [Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array] as const;

export class WaitModel {
  /** The slot a thread waits on (`i32[5]`), or '' when it is not blocked. */
  private readonly blockedOn: string[];
  private readonly timeout: number[];
  /** The result a thread put back on the schedule gets when it next runs, or -1. */
  private readonly wakeResult: number[];
  /** Waiters per slot, oldest first. */
  private readonly queues = new Map<string, number[]>();
  /** Views of the allocator's buffer by array type, for reading the value a wait compares. */
  private readonly memory: ArrayLike<number | bigint>[];

  constructor(threads: number, buffer: SharedArrayBuffer) {
    this.blockedOn = new Array<string>(threads).fill('');
    this.timeout = new Array<number>(threads).fill(Infinity);
    this.wakeResult = new Array<number>(threads).fill(-1);
    // A program's buffer is exactly as long as it asked: each view covers the whole elements that fit.
    this.memory = arrayViews.map((View) => new (View as Int32ArrayConstructor)(buffer, 0, Math.floor(buffer.byteLength / View.BYTES_PER_ELEMENT)));
  }

  isBlocked(t: number): boolean {
    return this.blockedOn[t] !== '';
  }

  /** What thread `t` waits on, in words. */
  slotOf(t: number): string {
    return this.blockedOn[t]!;
  }

  /**
   * Thread `t` is about to run its `Atomics.wait(array[index], expected, timeout)`. Returns the result
   * to hand it (a wait woken earlier, or one that does not match), or -1 when it blocks.
   */
  wait(t: number, array: number, index: number, expected: number, timeout: number): number {
    const woken = this.wakeResult[t]!;
    if (woken >= 0) {
      this.wakeResult[t] = -1;
      return woken;
    }
    if (Number(this.memory[array]![index]!) !== coerce(array, expected)) return WaitResult.notEqual;
    const key = slotName(array, index);
    this.blockedOn[t] = key;
    this.timeout[t] = timeout;
    if (!this.queues.has(key)) this.queues.set(key, []);
    this.queues.get(key)!.push(t);
    return -1;
  }

  /** A notify on `array[index]` for up to `count` waiters (already clamped to 0 and up); returns how many it woke. */
  notify(array: number, index: number, count: number): number {
    const queue = this.queues.get(slotName(array, index)) ?? [];
    const woken = queue.slice(0, Math.min(count, queue.length));
    for (const t of woken) this.unblock(t, WaitResult.ok);
    return woken.length;
  }

  /** When every live thread is blocked: the first of `blocked` whose wait can time out, if any, times out. */
  timeOutOne(blocked: readonly number[]): boolean {
    const t = blocked.find((u) => this.timeout[u]! < Infinity);
    if (t === undefined) return false;
    this.unblock(t, WaitResult.timedOut);
    return true;
  }

  private unblock(t: number, result: number): void {
    const queue = this.queues.get(this.blockedOn[t]!);
    if (queue) queue.splice(queue.indexOf(t), 1);
    this.blockedOn[t] = '';
    this.wakeResult[t] = result;
  }
}

/** What a value becomes stored in an element of that type, as Atomics.wait compares it. */
function coerce(array: number, value: number): number {
  const View = arrayViews[array]!;
  return array >= 6 ? Number(new (View as BigInt64ArrayConstructor)([BigInt(Math.trunc(value))])[0]) : new (View as Int32ArrayConstructor)([value])[0]!;
}

function slotName(array: number, index: number): string {
  return `${arrayTypes[array]}[${index}]`;
}
