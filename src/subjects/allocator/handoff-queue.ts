/**
 * The queue through which a share of frees crosses threads: one thread allocates a run, another frees
 * it, as a kernel frees a page on a different CPU than the one that allocated it. A fixed ring in the
 * shared buffer, under the harness's own mutex (not the allocator's lock, so it never serializes a
 * lock-free allocator's calls). Its pages are bounded, so the spurious-OOM guarantee can count them.
 */
import { GlobalLock } from '../../alloc/global-lock.ts';
import {
  ENTRY_SIZE,
  QUEUE_CAPACITY,
  type RunViews,
  kEntryCount,
  kEntryFirst,
  kEntryFrom,
  kQueueHeadField,
  kQueueLengthField,
  kQueuePagesField,
} from './layout.ts';

export interface QueuedRun {
  first: number;
  count: number;
  from: number;
}

export class HandoffQueue {
  private readonly lock: GlobalLock;
  private readonly control: Int32Array;
  private readonly entries: Int32Array;

  constructor(
    views: RunViews,
    /** invariant: pages in the queue never exceed this. */
    private readonly maxPages: number,
  ) {
    this.lock = new GlobalLock(views.queueLockRegion);
    this.control = views.control;
    this.entries = views.queue;
  }

  /** A cheap look, without the lock: worth taking the lock only when this says there is something. */
  mayHaveRuns(): boolean {
    return this.control[kQueuePagesField]! > 0;
  }

  /** Puts a run in the queue; false (and nothing changes) when the queue is full. */
  push(first: number, count: number, from: number): boolean {
    const c = this.control;
    this.lock.lock();
    try {
      if (c[kQueueLengthField]! >= QUEUE_CAPACITY || c[kQueuePagesField]! + count > this.maxPages) return false;
      const at = ((c[kQueueHeadField]! + c[kQueueLengthField]!) % QUEUE_CAPACITY) * ENTRY_SIZE;
      this.entries[at + kEntryFirst] = first;
      this.entries[at + kEntryCount] = count;
      this.entries[at + kEntryFrom] = from;
      c[kQueueLengthField]!++;
      Atomics.add(c, kQueuePagesField, count);
      return true;
    } finally {
      this.lock.unlock();
    }
  }

  /** Takes the oldest run, or returns undefined when the queue is empty. */
  pop(): QueuedRun | undefined {
    const c = this.control;
    this.lock.lock();
    try {
      if (c[kQueueLengthField] === 0) return undefined;
      const at = c[kQueueHeadField]! * ENTRY_SIZE;
      const run = { first: this.entries[at + kEntryFirst]!, count: this.entries[at + kEntryCount]!, from: this.entries[at + kEntryFrom]! };
      c[kQueueHeadField] = (c[kQueueHeadField]! + 1) % QUEUE_CAPACITY;
      c[kQueueLengthField]!--;
      Atomics.sub(c, kQueuePagesField, run.count);
      return run;
    } finally {
      this.lock.unlock();
    }
  }
}
