/**
 * A controlled worker's life: one long task that runs schedule after schedule. The coordinator resets
 * the buffers between them and bumps the epoch to start the next; after each, the worker writes its
 * report into its area of the report buffer (a task's result would come only when it ends). Shared by
 * every kind of subject a controlled worker runs (worker.ts: allocators; subjects/program: programs).
 */
import { MAX_PAGES_LISTED } from '../check/violation.ts';
import type { WorkerReport } from '../subjects/allocator/task.ts';
import { QUIT, ReportAreaLayout, SlotLayout } from './protocol.ts';
import type { OpSpan } from './trace.ts';

/** What a controlled worker sends back at the end of a schedule. */
export interface ControlledReport extends WorkerReport {
  /** When the coordinator asked for details (a schedule it reports): this thread's last operations. */
  ops?: OpSpan[];
  /** When asked: what the locations the coordinator listed are, by `locationKey`. */
  locations?: Record<string, string>;
}

export interface ScheduleLoopTask {
  control: SharedArrayBuffer;
  reports: SharedArrayBuffer;
  thread: number;
}

/** What says what a location the coordinator listed is (for a trace), by its array type and index. */
export type DescribeLocation = (array: number, index: number) => { key: string; text: string | undefined };

/**
 * Runs `runSchedule` once per epoch until the coordinator says QUIT. `describe(array, index)` says what
 * a location the coordinator listed is, when it asks for details.
 */
export async function serveSchedules(task: ScheduleLoopTask, runSchedule: () => { report: WorkerReport; ops: OpSpan[] }, describe: DescribeLocation): Promise<void> {
  const slot = slotOf(task);
  let epoch = 0;
  for (;;) {
    epoch = nextEpoch(slot, epoch);
    if (epoch === QUIT) return;
    const { report, ops } = runSchedule();
    sendReport(task, epoch, report, ops, describe);
  }
}

/** Thread `task.thread`'s slot of the control buffer. */
export function slotOf(task: ScheduleLoopTask): Int32Array {
  return new Int32Array(task.control, task.thread * SlotLayout.bytes, SlotLayout.bytes >> 2);
}

/** Waits until the coordinator starts a schedule after `epoch` (or says QUIT) and returns its epoch. */
export function nextEpoch(slot: Int32Array, epoch: number): number {
  while (Atomics.load(slot, SlotLayout.i32.epoch) === epoch) Atomics.wait(slot, SlotLayout.i32.epoch, epoch);
  return Atomics.load(slot, SlotLayout.i32.epoch);
}

const encoder = new TextEncoder();

/** Writes thread `task.thread`'s report of schedule `epoch` into its area, cut to fit, and says it is there. */
export function sendReport(task: ScheduleLoopTask, epoch: number, summary: WorkerReport, ops: OpSpan[], describe: DescribeLocation): void {
  const slot = slotOf(task);
  const area = new Uint8Array(task.reports, task.thread * ReportAreaLayout.bytes, ReportAreaLayout.bytes);
  const report: ControlledReport = summary;
  // Set before the coordinator ended the run (its abort is what this thread returned on).
  const details = slot[SlotLayout.i32.details]!;
  if (details > 0) {
    report.ops = ops;
    report.locations = {};
    const listed = new Int32Array(task.reports, task.thread * ReportAreaLayout.bytes, (details - 1) * 2);
    for (let i = 0; i + 1 < listed.length; i += 2) {
      const { key, text } = describe(listed[i]!, listed[i + 1]!);
      if (text !== undefined) report.locations[key] = text;
    }
  }
  let bytes = encoder.encode(JSON.stringify(report));
  while (bytes.length > ReportAreaLayout.bytes && (report.ops?.length ?? 0) > 16) {
    report.ops = report.ops!.slice(report.ops!.length >> 1);
    bytes = encoder.encode(JSON.stringify(report));
  }
  while (bytes.length > ReportAreaLayout.bytes && report.violations.length > 1) {
    report.violations.length = Math.max(1, report.violations.length >> 1);
    bytes = encoder.encode(JSON.stringify(report));
  }
  if (bytes.length > ReportAreaLayout.bytes) bytes = encoder.encode(JSON.stringify({ ...report, violations: report.violations.map((v) => ({ ...v, history: [], pages: v.pages.slice(0, MAX_PAGES_LISTED) })) }));
  area.set(bytes.subarray(0, ReportAreaLayout.bytes));
  slot[SlotLayout.i32.reportLength] = Math.min(bytes.length, ReportAreaLayout.bytes);
  Atomics.store(slot, SlotLayout.i32.reportEpoch, epoch);
  Atomics.notify(slot, SlotLayout.i32.reportEpoch);
}
