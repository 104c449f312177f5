/**
 * The queue through which a share of frees crosses threads: one thread allocates a run, another frees
 * it, as a kernel frees a page on a different CPU than the one that allocated it. A fixed ring in the
 * shared buffer, under the harness's own mutex (not the allocator's lock, so it never serializes a
 * lock-free allocator's calls). Its pages are bounded, so the spurious-OOM guarantee can count them.
 */
import { GlobalLock } from '../../alloc/global-lock.ts';
import {
  HarnessControlLayout,
  QUEUE_CAPACITY,
  QueueEntryLayout,
  type RunViews,
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
    return this.control[HarnessControlLayout.i32.queuePages]! > 0;
  }

  /** Puts a run in the queue; false (and nothing changes) when the queue is full. */
  push(first: number, count: number, from: number): boolean {
    const c = this.control;
    this.lock.lock();
    try {
      if (c[HarnessControlLayout.i32.queueLength]! >= QUEUE_CAPACITY || c[HarnessControlLayout.i32.queuePages]! + count > this.maxPages) return false;
      const at = ((c[HarnessControlLayout.i32.queueHead]! + c[HarnessControlLayout.i32.queueLength]!) % QUEUE_CAPACITY) * (QueueEntryLayout.bytes >> 2);
      this.entries[at + QueueEntryLayout.i32.first] = first;
      this.entries[at + QueueEntryLayout.i32.count] = count;
      this.entries[at + QueueEntryLayout.i32.from] = from;
      c[HarnessControlLayout.i32.queueLength]!++;
      Atomics.add(c, HarnessControlLayout.i32.queuePages, count);
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
      if (c[HarnessControlLayout.i32.queueLength] === 0) return undefined;
      const at = c[HarnessControlLayout.i32.queueHead]! * (QueueEntryLayout.bytes >> 2);
      const run = { first: this.entries[at + QueueEntryLayout.i32.first]!, count: this.entries[at + QueueEntryLayout.i32.count]!, from: this.entries[at + QueueEntryLayout.i32.from]! };
      c[HarnessControlLayout.i32.queueHead] = (c[HarnessControlLayout.i32.queueHead]! + 1) % QUEUE_CAPACITY;
      c[HarnessControlLayout.i32.queueLength]!--;
      Atomics.sub(c, HarnessControlLayout.i32.queuePages, run.count);
      return run;
    } finally {
      this.lock.unlock();
    }
  }
}
