import { LOCK_BYTES } from '../../alloc/global-lock.ts';
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

/** Int32 slots of the control block. */
export const kArrivedField = 0; // threads that reached the current barrier; the main thread resets it
export const kReleaseField = 1; // barrier generation: bumped by the main thread to release a barrier
export const kStopField = 2; // non-zero: stop now (Ctrl-C, a crash, a hang, too many violations)
export const kChurnEndField = 3; // non-zero: a timed churn phase is over; finish it and go on
export const kViolationsField = 4; // violations found so far, all threads
export const kQueueLockField = 5; // the handoff queue's own mutex (a GlobalLock: this slot and the next)
export const kQueueHeadField = 7; // invariant (under the queue lock): next entry to pop
export const kQueueLengthField = 8; // invariant (under the queue lock): entries in the queue
export const kQueuePagesField = 9; // pages in the queue; read without the lock as a hint
const CONTROL_SLOTS = 16;

/** Int32 slots of a thread block. */
export const kOpsField = 0; // operations completed, every phase: the watchdog's sign of progress
export const kAllocsField = 1;
export const kFreesField = 2;
export const kOomField = 3; // allocs that returned -1
export const kPhaseField = 4; // index into the scenario's phases of the phase being run
export const kStateField = 5; // one of ThreadState
export const kCurrentOpField = 6; // OpCode of the allocator call in flight, or OpCode.none
export const kCurrentFirstField = 7;
export const kCurrentCountField = 8;
export const kHandoffsField = 9; // runs this thread put in the queue
export const kMemoryChangesField = 10; // addMemory/removeMemory calls that took effect
export const kLogCountField = 11; // operations ever written to the log; the log holds the last LOG_SIZE
export const kCasFailuresField = 12; // copied from the allocator's counters when the thread finishes
export const kBytesScannedField = 13;
export const kLockAcquisitionsField = 14;
export const kLockContendedField = 15;
export const kLogBase = 16; // LOG_SIZE entries of LOG_ENTRY_SLOTS: [OpCode, first, count, result]
export const LOG_SIZE = 8;
export const LOG_ENTRY_SLOTS = 4;
/** Float64 slots of a thread block (indices into a Float64Array over the same bytes). */
export const kMeasuredStartF64 = 24; // when this thread began the measured phase (ms since the epoch)
export const kMeasuredEndF64 = 25; // when it finished it
export const kLockWaitedNsF64 = 26; // copied from the lock's counters when the thread finishes
export const kTimerFloorNsF64 = 27; // median cost of two back-to-back clock reads, measured before the start
export const THREAD_BYTES = 256;

/** Every this many operations one is timed: timing all of them would add two clock reads to each. */
export const LATENCY_SAMPLE_EVERY = 8;
/** Per thread: an alloc latency histogram, then a free latency histogram. */
export const LATENCY_BYTES = 2 * HISTOGRAM_BYTES;

export const ThreadState = { starting: 0, running: 1, atBarrier: 2, done: 3, failed: 4 } as const;

export const OpCode = { none: 0, alloc: 1, free: 2, handoff: 3, addMemory: 4, removeMemory: 5 } as const;
export type OpCode = (typeof OpCode)[keyof typeof OpCode];

/** Int32 slots of one handoff queue entry. */
export const kEntryFirst = 0;
export const kEntryCount = 1;
export const kEntryFrom = 2;
const ENTRY_SLOTS = 4;
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
  const threadsOffset = align(CONTROL_SLOTS * 4);
  const latencyOffset = align(threadsOffset + threads * THREAD_BYTES);
  const queueOffset = align(latencyOffset + threads * LATENCY_BYTES);
  const ledgerOffset = align(queueOffset + QUEUE_CAPACITY * ENTRY_SLOTS * 4);
  const harnessEnd = align(ledgerOffset + pages * 4);
  const lockOffset = ownBuffer ? 0 : harnessEnd;
  const allocatorOffset = align(lockOffset + LOCK_BYTES);
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
    this.control = new Int32Array(buffer, layout.controlOffset, CONTROL_SLOTS);
    this.ledger = new Int32Array(buffer, layout.ledgerOffset, layout.pages);
    this.queue = new Int32Array(buffer, layout.queueOffset, QUEUE_CAPACITY * ENTRY_SLOTS);
  }

  thread(t: number): Int32Array {
    return new Int32Array(this.buffer, this.layout.threadsOffset + t * THREAD_BYTES, THREAD_BYTES >> 2);
  }

  thread64(t: number): Float64Array {
    return new Float64Array(this.buffer, this.layout.threadsOffset + t * THREAD_BYTES, THREAD_BYTES >> 3);
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
    return { buffer: this.allocatorBuffer, byteOffset: this.layout.lockOffset, byteLength: LOCK_BYTES };
  }

  get queueLockRegion() {
    return { buffer: this.buffer, byteOffset: this.layout.controlOffset + kQueueLockField * 4, byteLength: 8 };
  }
}

export const ENTRY_SIZE = ENTRY_SLOTS;
