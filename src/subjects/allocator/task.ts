/**
 * What the main thread sends each stress worker, and what the worker sends back. Everything in a task
 * survives structured cloning; the SharedArrayBuffer is shared, not copied.
 */
import type { AllocatorRef } from '../../alloc/load-allocator.ts';
import type { Violation } from '../../check/violation.ts';
import type { Scenario } from '../../scenario/schema.ts';
import type { Layout } from './layout.ts';

export interface StressTask {
  buffer: SharedArrayBuffer;
  /** The lock's and the allocator's buffer when `layout.ownBuffer` (controlled mode). */
  allocatorBuffer?: SharedArrayBuffer;
  layout: Layout;
  scenario: Scenario;
  allocator: AllocatorRef;
  thread: number;
  /** false: no ledger, no op log: the allocator's raw speed (`--checks none`). */
  checks: boolean;
  /** false: a global-lock allocator runs without its lock (`--no-lock`, the negative control). */
  lock: boolean;
  /** Runs of up to this many pages must always find room: a -1 for them is a spurious OOM (0: none). */
  guaranteedRun: number;
  /** The range that starts offline and that thread 0 adds (and may remove) while threads run. */
  growRange?: { first: number; count: number };
}

export interface WorkerReport {
  thread: number;
  violations: Violation[];
  /** Operations in the measured phase: churn, or the first phase when there is no churn. */
  measuredOps: number;
}
