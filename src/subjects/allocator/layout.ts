import { LockLayout } from '../../alloc/global-lock.ts';
import type { SharedLayout } from '../../harness/shared-layout.ts';
import { BUCKETS, HISTOGRAM_BYTES } from '../../metrics/histogram.ts';

/**
 * Where everything a stress run shares lives in its one SharedArrayBuffer. Every slot has a name; the
 * offsets are computed once on the main thread and sent to the workers as a plain object.
 *
 *   control | thread blocks (256 bytes each) | latency histograms | handoff queue | ledger | lock | allocator
 *
 * Each thread block is 256 bytes so that two threads' counters never share a cache line: a thread writes
 * its own block on every operation, and false sharing would tax exactly what is being measured.
 */

/**
 * The control block at the start of the run's buffer: what every thread and the main thread share
 * about the run as a whole. Flags are set with Atomics stores and polled with Atomics loads.
 */
export const HarnessControlLayout = {
  bytes: 64,
  i32: {
    /** Threads that reached the current barrier: each adds one and notifies; the main thread resets it. */
    arrived: 0,
    /** Barrier generation: bumped by the main thread to release a barrier; threads wait for it to change. */
    release: 1,
    /** Non-zero: stop now (Ctrl-C, a crash, a hang, too many violations); polled between operations. */
    stop: 2,
    /** Non-zero: a timed churn phase is over; threads finish the operation in hand and go on. */
    churnEnd: 3,
    /** Violations found so far, all threads (Atomics.add): the main thread stops the run past a limit. */
    violations: 4,
    /** The handoff queue's own mutex: a GlobalLock, LockLayout's two slots. */
    queueLock: { index: 5, length: 2 },
    /** invariant (under the queue lock): next entry to pop. */
    queueHead: 7,
    /** invariant (under the queue lock): entries in the queue. */
    queueLength: 8,
    /** Pages in the queue, kept with Atomics.add/sub under the lock and read without it as a hint. */
    queuePages: 9,
  },
} as const satisfies SharedLayout;

/** One run of the handoff queue's ring (QUEUE_CAPACITY of them, `bytes` apart); read and written under the queue lock. */
export const QueueEntryLayout = {
  bytes: 16,
  i32: { first: 0, count: 1, /** The thread that put it there, so a report can say who handed what to whom. */ from: 2 },
} as const satisfies SharedLayout;

/** An entry of a thread's op log ring (op-log.ts), written only by its thread, read by reports as a snapshot. */
export const OpLogEntryLayout = {
  bytes: 16,
  i32: {
    /** OpCode of the finished call. */
    op: 0,
    first: 1,
    count: 2,
    /** What it returned, or INT32_MIN for what an Int32 cannot hold. */
    result: 3,
  },
} as const satisfies SharedLayout;
/** Entries in a thread's op log ring. */
export const LOG_SIZE = 8;

/**
 * A thread's block (one per thread, `bytes` apart, so two threads' counters never share a cache line).
 * Only its thread writes it, with plain stores; the main thread reads it as a snapshot (progress, the
 * watchdog, hang reports) and for the totals once the thread is done.
 */
export const ThreadBlockLayout = {
  bytes: 256,
  i32: {
    /** Operations completed, every phase: the watchdog's sign of progress. */
    ops: 0,
    allocs: 1,
    frees: 2,
    /** Allocs that returned -1. */
    oom: 3,
    /** Index into the scenario's phases of the phase being run: a hang report names it. */
    phase: 4,
    /** One of ThreadState: the watchdog does not count a thread parked at a barrier as hung. */
    state: 5,
    /** OpCode of the allocator call in flight, or OpCode.none: what a hang report says the thread is stuck in. */
    currentOp: 6,
    currentFirst: 7,
    currentCount: 8,
    /** Runs this thread put in the queue. */
    handoffs: 9,
    /** addMemory/removeMemory calls that took effect. */
    memoryChanges: 10,
    /** Operations ever written to the log; the log holds the last LOG_SIZE. */
    logCount: 11,
    /** Copied from the allocator's counters when the thread finishes. */
    casFailures: 12,
    bytesScanned: 13,
    /** Copied from the lock's counters when the thread finishes. */
    lockAcquisitions: 14,
    lockContended: 15,
    /** LOG_SIZE OpLogEntryLayout entries, a ring indexed by `logCount`. */
    log: { index: 16, length: LOG_SIZE * (OpLogEntryLayout.bytes >> 2) },
  },
  /** Times, as Float64 after the log (bytes 192-223): milliseconds do not fit an Int32. */
  f64: {
    /** When this thread began the measured phase (ms since the epoch). */
    measuredStart: 24,
    /** When it finished it. */
    measuredEnd: 25,
    /** Copied from the lock's counters when the thread finishes. */
    lockWaitedNs: 26,
    /** Median cost of two back-to-back clock reads, measured before the start: subtracted from latencies. */
    timerFloorNs: 27,
  },
} as const satisfies SharedLayout;

/** Every this many operations one is timed: timing all of them would add two clock reads to each. */
export const LATENCY_SAMPLE_EVERY = 8;
/** Per thread: an alloc latency histogram, then a free latency histogram. */
export const LATENCY_BYTES = 2 * HISTOGRAM_BYTES;

export const ThreadState = { starting: 0, running: 1, atBarrier: 2, done: 3, failed: 4 } as const;

export const OpCode = { none: 0, alloc: 1, free: 2, handoff: 3, addMemory: 4, removeMemory: 5 } as const;
export type OpCode = (typeof OpCode)[keyof typeof OpCode];

export const QUEUE_CAPACITY = 1024;

/** Ledger value of a page sitting in the handoff queue: held, but by no thread. */
export const LEDGER_QUEUED = -1;

export interface Layout {
  threads: number;
  pages: number;
  controlOffset: number;
  threadsOffset: number;
  latencyOffset: number;
  queueOffset: number;
  ledgerOffset: number;
  /** Offsets of the lock and the allocator in the allocator's buffer (see `ownBuffer`). */
  lockOffset: number;
  allocatorOffset: number;
  allocatorBytes: number;
  /**
   * Whether the lock and the allocator live in a buffer of their own. Controlled mode needs that: every
   * Atomics call on the allocator's buffer is a scheduling point, and the harness's own bookkeeping
   * (ledger, queue, counters) must not be.
   */
  ownBuffer: boolean;
  /** Bytes of the run's main buffer. */
  totalBytes: number;
  /** Bytes of the allocator's own buffer when `ownBuffer`, else 0. */
  allocatorBufferBytes: number;
}

const align = (n: number, to = 64) => Math.ceil(n / to) * to;

export function computeLayout(threads: number, pages: number, allocatorBytes: number, ownBuffer = false): Layout {
  const controlOffset = 0;
  const threadsOffset = align(HarnessControlLayout.bytes);
  const latencyOffset = align(threadsOffset + threads * ThreadBlockLayout.bytes);
  const queueOffset = align(latencyOffset + threads * LATENCY_BYTES);
  const ledgerOffset = align(queueOffset + QUEUE_CAPACITY * QueueEntryLayout.bytes);
  const harnessEnd = align(ledgerOffset + pages * 4);
  const lockOffset = ownBuffer ? 0 : harnessEnd;
  const allocatorOffset = align(lockOffset + LockLayout.bytes);
  const allocatorEnd = align(allocatorOffset + allocatorBytes);
  return {
    threads, pages, controlOffset, threadsOffset, latencyOffset, queueOffset, ledgerOffset, lockOffset, allocatorOffset, allocatorBytes, ownBuffer,
    totalBytes: ownBuffer ? harnessEnd : allocatorEnd,
    allocatorBufferBytes: ownBuffer ? allocatorEnd : 0,
  };
}

/** Typed views over one run's buffer; built on the main thread and in every worker. */
export class RunViews {
  readonly control: Int32Array;
  readonly ledger: Int32Array;
  readonly queue: Int32Array;

  /** Where the lock and the allocator live: the main buffer, or their own (`layout.ownBuffer`). */
  readonly allocatorBuffer: SharedArrayBuffer;

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly layout: Layout,
    allocatorBuffer?: SharedArrayBuffer,
  ) {
    this.allocatorBuffer = allocatorBuffer ?? buffer;
    this.control = new Int32Array(buffer, layout.controlOffset, HarnessControlLayout.bytes >> 2);
    this.ledger = new Int32Array(buffer, layout.ledgerOffset, layout.pages);
    this.queue = new Int32Array(buffer, layout.queueOffset, QUEUE_CAPACITY * (QueueEntryLayout.bytes >> 2));
  }

  thread(t: number): Int32Array {
    return new Int32Array(this.buffer, this.layout.threadsOffset + t * ThreadBlockLayout.bytes, ThreadBlockLayout.bytes >> 2);
  }

  thread64(t: number): Float64Array {
    return new Float64Array(this.buffer, this.layout.threadsOffset + t * ThreadBlockLayout.bytes, ThreadBlockLayout.bytes >> 3);
  }

  /** Thread `t`'s latency histogram of `which` calls. */
  latency(t: number, which: 'alloc' | 'free'): Int32Array {
    const offset = this.layout.latencyOffset + t * LATENCY_BYTES + (which === 'free' ? HISTOGRAM_BYTES : 0);
    return new Int32Array(this.buffer, offset, BUCKETS);
  }

  get allocatorRegion() {
    return { buffer: this.allocatorBuffer, byteOffset: this.layout.allocatorOffset, byteLength: this.layout.allocatorBytes };
  }

  get lockRegion() {
    return { buffer: this.allocatorBuffer, byteOffset: this.layout.lockOffset, byteLength: LockLayout.bytes };
  }

  get queueLockRegion() {
    const { queueLock } = HarnessControlLayout.i32;
    return { buffer: this.buffer, byteOffset: this.layout.controlOffset + queueLock.index * 4, byteLength: queueLock.length * 4 };
  }
}
