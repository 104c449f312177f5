/**
 * A controlled worker's task: the same stress thread, the same allocator code, but every Atomics call
 * on the allocator's buffer, and with `--points all` every plain typed-array read and write of the code
 * under test there (plain-access.ts), waits for the coordinator's go (see intercept.ts). One task runs schedule
 * after schedule: the coordinator resets the buffers between them and bumps the epoch to start the
 * next. Loaded through `workers/controlled.mjs`.
 */
import type { AllocatorDefinition } from '../alloc/contract.ts';
import { GlobalLock } from '../alloc/global-lock.ts';
import { checkAttached, loadAllocator, refName } from '../alloc/load-allocator.ts';
import { withGlobalLock } from '../alloc/locked.ts';
import { MAX_PAGES_LISTED } from '../check/violation.ts';
import { RunViews } from '../stress/layout.ts';
import { StressThread } from '../stress/stress-thread.ts';
import type { StressTask, WorkerReport } from '../stress/task.ts';
import { describeOp } from '../stress/op-log.ts';
import { describeLocation, locationKey } from './describe-location.ts';
import { ControlledAbort, Interceptor } from './intercept.ts';
import { startPlainAccess, stopPlainAccess } from './plain-access.ts';
import { markSubjectRoot } from './plain-access-loader.ts';
import { patchTypedArrayMethods, unpatchTypedArrayMethods } from './plain-access-methods.ts';
import type { PointsMode } from './plain-access-mode.ts';
import { QUIT, REPORT_BYTES, Request, SLOT_BYTES, kDetailsField, kEpochField, kReportEpochField, kReportLengthField } from './protocol.ts';
import type { OpSpan } from './trace.ts';

export interface ControlledTask extends StressTask {
  allocatorBuffer: SharedArrayBuffer;
  /** The coordinator's handshake buffer (protocol.ts). */
  control: SharedArrayBuffer;
  /** The coordinator's batch of decisions and the step log (protocol.ts). */
  batch: SharedArrayBuffer;
  /** Polls of its turn a parked worker makes before it sleeps (see Interceptor). */
  spin: number;
  /** Where each thread writes its report at the end of a schedule. */
  reports: SharedArrayBuffer;
  /**
   * Which accesses are scheduling points; the pool's workerData says the same, since the loader must
   * know it before any module is imported (workers/controlled.mjs). Default: all.
   */
  points?: PointsMode;
}

/** What a controlled worker sends back at the end of a schedule. */
export interface ControlledReport extends WorkerReport {
  /** When the coordinator asked for details (a schedule it reports): this thread's last operations. */
  ops?: OpSpan[];
  /** When asked: what the locations the coordinator listed are, by `locationKey`. */
  locations?: Record<string, string>;
}

/** Operations a report carries at most per thread: a trace shows the last few dozen steps. */
const MAX_OPS_REPORTED = 256;

export default async function controlledWorker(task: ControlledTask): Promise<void> {
  if (task.points !== 'atomics' && 'module' in task.allocator) markSubjectRoot(task.allocator.module);
  const definition = await loadAllocator(task.allocator);
  const slot = new Int32Array(task.control, task.thread * SLOT_BYTES, SLOT_BYTES >> 2);
  const area = new Uint8Array(task.reports, task.thread * REPORT_BYTES, REPORT_BYTES);
  const encoder = new TextEncoder();
  // Descriptions are pure functions of the location: asked once per location for the whole task.
  const described = new Map<string, string | undefined>();
  let epoch = 0;
  for (;;) {
    while (Atomics.load(slot, kEpochField) === epoch) Atomics.wait(slot, kEpochField, epoch);
    epoch = Atomics.load(slot, kEpochField);
    if (epoch === QUIT) return;
    const { report: summary, ops } = runSchedule(task, definition);
    const report: ControlledReport = summary;
    // Set before the coordinator ended the run (its abort is what this thread returned on).
    const details = slot[kDetailsField]!;
    if (details > 0) {
      report.ops = ops;
      report.locations = {};
      const listed = new Int32Array(task.reports, task.thread * REPORT_BYTES, (details - 1) * 2);
      for (let i = 0; i + 1 < listed.length; i += 2) {
        const key = locationKey(listed[i]!, listed[i + 1]!);
        if (!described.has(key)) described.set(key, describeLocation(definition, task.layout, listed[i]!, listed[i + 1]!));
        const text = described.get(key);
        if (text !== undefined) report.locations[key] = text;
      }
    }
    // The report goes back through shared memory: a task's result would come only when it ends.
    let bytes = encoder.encode(JSON.stringify(report));
    while (bytes.length > REPORT_BYTES && (report.ops?.length ?? 0) > 16) {
      report.ops = report.ops!.slice(report.ops!.length >> 1);
      bytes = encoder.encode(JSON.stringify(report));
    }
    while (bytes.length > REPORT_BYTES && report.violations.length > 1) {
      report.violations.length = Math.max(1, report.violations.length >> 1);
      bytes = encoder.encode(JSON.stringify(report));
    }
    if (bytes.length > REPORT_BYTES) bytes = encoder.encode(JSON.stringify({ ...report, violations: report.violations.map((v) => ({ ...v, history: [], pages: v.pages.slice(0, MAX_PAGES_LISTED) })) }));
    area.set(bytes.subarray(0, REPORT_BYTES));
    slot[kReportLengthField] = Math.min(bytes.length, REPORT_BYTES);
    Atomics.store(slot, kReportEpochField, epoch);
    Atomics.notify(slot, kReportEpochField);
  }
}

function runSchedule(task: ControlledTask, definition: AllocatorDefinition): { report: WorkerReport; ops: OpSpan[] } {
  const views = new RunViews(task.buffer, task.layout, task.allocatorBuffer);
  // Attached before the Atomics functions are wrapped: setting up a view is not part of the race.
  let allocator = checkAttached(
    definition.attach(views.allocatorRegion, task.layout.pages, task.thread),
    refName(task.allocator),
  );
  let lock: GlobalLock | undefined;
  if (definition.locking === 'global-lock' && task.lock) {
    lock = new GlobalLock(views.lockRegion, task.thread);
    allocator = withGlobalLock(allocator, lock);
  }
  const interceptor = new Interceptor(task.control, task.batch, task.layout.threads, task.thread, task.allocatorBuffer, task.spin);
  let barriers = 0;
  // Each operation with the steps it took (OpSpan): the step granted last as it began and as it ended.
  const ops: OpSpan[] = [];
  let current: OpSpan | undefined;
  const thread = new StressThread(task, allocator, lock?.counters, {
    onOp: (phase, op, first, count, result) => {
      if (phase === 'begin') {
        current = { thread: task.thread, call: describeOp({ op, first, count }), returned: false, after: interceptor.grantedStep, last: interceptor.grantedStep };
        return;
      }
      if (!current) return;
      current.returned = true;
      current.last = interceptor.grantedStep;
      if (op === 'alloc') current.result = String(result);
      else if (op === 'removeMemory') current.result = String(result === 1);
      ops.push(current);
      current = undefined;
      if (ops.length >= 2 * MAX_OPS_REPORTED) ops.splice(0, MAX_OPS_REPORTED);
    },
    barrier: () => {
      interceptor.park(barriers++ === 0 ? Request.start : Request.barrier);
      return true;
    },
    onViolation: () => interceptor.park(Request.violation),
    timed: false,
  });
  const plain = task.points !== 'atomics';
  interceptor.install();
  if (plain) {
    startPlainAccess(interceptor, task.allocatorBuffer);
    patchTypedArrayMethods(interceptor, task.allocatorBuffer);
  }
  try {
    thread.run();
    interceptor.park(Request.done);
  } catch (error) {
    if (!(error instanceof ControlledAbort)) throw error;
  } finally {
    if (plain) {
      unpatchTypedArrayMethods();
      stopPlainAccess();
    }
    interceptor.uninstall();
  }
  // An operation the run stopped in the middle of: its steps so far.
  if (current) ops.push({ ...current, last: interceptor.grantedStep });
  return { report: thread.summary(), ops: ops.slice(-MAX_OPS_REPORTED) };
}
