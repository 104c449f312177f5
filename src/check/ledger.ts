/**
 * The ownership ledger: one Int32 slot per page, `thread + 1` while that thread holds the page, 0 while
 * nobody does, LEDGER_QUEUED while it waits in the handoff queue.
 *
 * A thread claims a run after `alloc` returns it and releases it before calling `free`. The ledger's
 * window of ownership therefore sits inside the allocator's: if two claims on one slot collide, the
 * allocator really did hand the page to both threads at once. It can never report a false double
 * allocation, only miss one that closes before the second claim.
 */
export class Ledger {
  /** The slot's value when the last claim, release or transfer failed. */
  lastSeen = 0;

  constructor(
    private readonly slots: Int32Array,
    private readonly thread: number,
  ) {}

  /**
   * Claims every page of the run for this thread. On a collision it gives back the pages it took and
   * returns the page it could not claim (its holder is in `lastSeen`); returns -1 on success.
   */
  claim(first: number, count: number): number {
    return this.move(first, count, 0, this.thread + 1);
  }

  /** Releases the run before it is freed; returns the first page this thread did not hold, or -1. */
  release(first: number, count: number): number {
    return this.move(first, count, this.thread + 1, 0);
  }

  /** Moves the run from one holder value to another, all or nothing. */
  move(first: number, count: number, from: number, to: number): number {
    const slots = this.slots;
    for (let p = first, end = first + count; p < end; p++) {
      const seen = Atomics.compareExchange(slots, p, from, to);
      if (seen !== from) {
        this.lastSeen = seen;
        for (let q = first; q < p; q++) Atomics.compareExchange(slots, q, to, from);
        return p;
      }
    }
    return -1;
  }
}

/** Who a ledger value names, in words. */
export function describeHolder(value: number): string {
  if (value === 0) return 'nobody';
  if (value < 0) return 'the handoff queue';
  return `thread ${value - 1}`;
}
