/**
 * Spin loops, seen from the step log: a thread that re-reads the same locations while nobody changes
 * them is waiting for another thread, and running it further only burns steps. The coordinator switches
 * such a thread out (it is not offered to the strategy) until a location it re-read changes; when every
 * live thread spins or is blocked, nothing can change those locations, and that is a livelock.
 *
 * A read here is any access that left memory as it was: a load, a compareExchange that failed, an
 * exchange or add that wrote the value already there. A thread's spin is the run of its re-reads in a
 * row: reads of a location it read before, seeing the same value, with no change to any of its bytes
 * since by anyone. Any other step of the thread (a read of a fresh location or of a changed one, a
 * write, a wait) ends the spin.
 */
import { Request, isAccess } from './protocol.ts';
import { elementBytes } from '../harness/array-types.ts';
import type { PendingAccess } from './scheduler.ts';
import type { Step } from './trace.ts';

/**
 * Times a loop of re-reads goes around (re-reads in a row per location re-read, each seeing the same
 * value) after which a thread is switched out. Memory alone cannot tell a spin from code that reads
 * the pages of one bitmap word one at a time: that reads a 32-bit word 32 times while nobody writes
 * (colored-region reads a byte up to 7 times for its four pages and their neighbours), so a spin must go
 * around more often than any such scan. A retry loop re-reads once or twice after it lost a race (and
 * then the location did change: that is no re-read). A spinner switched out wastes at most this many
 * steps per location; a thread switched out wrongly is offered again as soon as no other thread can
 * run, or a location it re-read changes, but until then that is a switch the strategy did not choose.
 */
export const SPIN_SWITCH = 32;
/**
 * Re-reads in a row after which a spin that nothing else can end is a livelock. A thread that is the only
 * one left may be in a bounded spin (spin a hundred times, then fall back to a wait or give up, as
 * adaptive mutexes do: glibc's spins 100 times), so it runs on alone until this many, a few ms of steps.
 */
export const SPIN_LIVELOCK = 1000;

/** Buffers up to this many bytes get a typed array per table; larger ones a map of the bytes touched. */
const DENSE_BYTES = 1 << 20;

/** A number per byte of the subject's buffer, 0 until set: dense while small, sparse past DENSE_BYTES. */
class ByteTable {
  private readonly dense: Float64Array | undefined;
  private readonly sparse = new Map<number, number>();

  constructor(readonly length: number) {
    this.dense = length <= DENSE_BYTES ? new Float64Array(length) : undefined;
  }

  get(i: number): number {
    return this.dense ? this.dense[i]! : (this.sparse.get(i) ?? 0);
  }

  set(i: number, value: number): void {
    if (this.dense) this.dense[i] = value;
    else this.sparse.set(i, value);
  }
}

/** A spun location: byte address, bytes, array type, element index. */
const SPUN_FIELDS = 4;

export class SpinDetector {
  /**
   * Per byte of the subject's buffer: the stamp of the last step that changed it. Stamps run on across
   * schedules (each schedule starts above the last one's), so nothing is cleared between them: a stamp
   * below `base` is from an earlier schedule and means "never".
   */
  private readonly changed: ByteTable;
  /** Per thread and byte: the stamp of the thread's last read starting at that byte, and what it saw. */
  private readonly read: ByteTable[];
  private readonly seen: ByteTable[];
  /** Per thread: re-reads in a row (the length of its spin), and the locations it re-read (SPUN_FIELDS each). */
  readonly count: number[];
  private readonly spun: number[][];
  private base = 1;
  private next = 1;

  constructor(
    private readonly threads: number,
    bytes: number,
  ) {
    this.changed = new ByteTable(bytes);
    this.read = Array.from({ length: threads }, () => new ByteTable(bytes));
    this.seen = Array.from({ length: threads }, () => new ByteTable(bytes));
    this.count = new Array<number>(threads).fill(0);
    this.spun = Array.from({ length: threads }, () => []);
  }

  /** Starts a schedule: what the last one saw is forgotten. */
  reset(): void {
    this.base = this.next;
    this.count.fill(0);
    for (const s of this.spun) s.length = 0;
  }

  /** Takes in step `i`, as logged with what it observed. */
  observe(i: number, step: Step): void {
    const stamp = this.base + i;
    if (stamp >= this.next) this.next = stamp + 1;
    const t = step.thread;
    if (!isAccess(step.request)) {
      this.endSpin(t);
      return;
    }
    const bytes = elementBytes[step.array] ?? 1;
    const address = step.index * bytes;
    if (address < 0 || address + bytes > this.changed.length) return;
    if (changesMemory(step)) {
      for (let b = address; b < address + bytes; b++) this.changed.set(b, stamp);
      this.endSpin(t);
      return;
    }
    const last = this.read[t]!.get(address);
    const before = this.seen[t]!.get(address);
    const value = typeof step.observed === 'number' ? step.observed : NaN;
    this.read[t]!.set(address, stamp);
    this.seen[t]!.set(address, value);
    // The same value too: a plain write (unseen, between two scheduling points) still shows in what
    // the next read returns, so a thread reading back what it wrote plainly is not taken for a spinner.
    if (last >= this.base && this.lastChange(address, bytes) < last && value === before) {
      if (this.count[t]!++ === 0) this.spun[t]!.length = 0;
      const spun = this.spun[t]!;
      let known = false;
      for (let k = 0; k < spun.length; k += SPUN_FIELDS) if (spun[k] === address) known = true;
      if (!known) spun.push(address, bytes, step.array, step.index);
    } else this.endSpin(t);
  }

  /**
   * Whether thread `t`, parked before `pending`, is spinning: its loop went around SPIN_SWITCH times
   * with nothing changed (SPIN_SWITCH re-reads in a row per location it re-read: code that reads ten
   * words over and over while it scans, as a first-fit search under a lock does, is not a loop of two),
   * no location it re-read has changed since, and its next access is to one of them again.
   */
  isSpinning(t: number, pending: PendingAccess | undefined): boolean {
    const spun = this.spun[t]!;
    if (!pending || this.count[t]! < SPIN_SWITCH * Math.max(1, spun.length / SPUN_FIELDS)) return false;
    let again = false;
    for (let k = 0; k < spun.length; k += SPUN_FIELDS) {
      const address = spun[k]!;
      const bytes = spun[k + 1]!;
      if (this.lastChange(address, bytes) >= this.read[t]!.get(address)) return false;
      if (pending.address < address + bytes && address < pending.address + pending.bytes) again = true;
    }
    return again;
  }

  /** The locations thread `t` spins on, as a step names them (array type, element index). */
  spinsOn(t: number): { array: number; index: number }[] {
    const spun = this.spun[t]!;
    return Array.from({ length: spun.length / SPUN_FIELDS }, (_, k) => ({ array: spun[k * SPUN_FIELDS + 2]!, index: spun[k * SPUN_FIELDS + 3]! }));
  }

  private lastChange(address: number, bytes: number): number {
    let latest = 0;
    for (let b = address; b < address + bytes; b++) latest = Math.max(latest, this.changed.get(b));
    return latest;
  }

  private endSpin(t: number): void {
    if (t < 0 || t >= this.threads || this.count[t] === 0) return;
    this.count[t] = 0;
    this.spun[t]!.length = 0;
  }
}

/**
 * Whether a logged access left memory other than it was. Without its observed value a step is taken
 * to have changed memory: that can only end a spin early, never report one that is not.
 */
export function changesMemory(step: Step): boolean {
  if (step.request === Request.load || step.request === Request.read) return false;
  if (step.request === Request.store || step.request === Request.write) return true;
  const old = step.observed;
  if (typeof old !== 'number') return true;
  const v = step.arg1;
  switch (step.request) {
    case Request.add:
    case Request.sub:
    case Request.xor:
      return v !== 0;
    case Request.and:
      return (old & v) !== old;
    case Request.or:
      return (old | v) !== old;
    case Request.exchange:
      return old !== v;
    case Request.compareExchange: {
      // As the trace reads a byte CAS: the expected value is coerced to the element's type.
      const won = old === v || (step.array <= 1 && (old & 0xff) === (v & 0xff));
      return won && old !== step.arg2 && !(step.array <= 1 && (old & 0xff) === (step.arg2 & 0xff));
    }
    default:
      return true;
  }
}
