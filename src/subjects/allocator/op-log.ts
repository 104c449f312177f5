/**
 * Each thread's last operations, kept in its block of the shared buffer so that a report can show what
 * every involved thread did just before a violation, and what a hung thread was in the middle of, even
 * when that thread can no longer answer.
 */
import {
  LOG_SIZE,
  OpCode,
  OpLogEntryLayout,
  ThreadBlockLayout,
} from './layout.ts';

export interface OpRecord {
  op: 'alloc' | 'free' | 'handoff' | 'addMemory' | 'removeMemory';
  first: number;
  count: number;
  /** alloc: the page returned or -1 (NaN: not an Int32); removeMemory: 1 if it took effect; otherwise 0. */
  result: number;
}

const names = ['none', 'alloc', 'free', 'handoff', 'addMemory', 'removeMemory'] as const;

/**
 * Logged in place of a result an Int32 slot cannot hold (NaN, 1.5, undefined, 2 ** 40): stored as it
 * is, NaN would read back as `-> 0`, a real page. INT32_MIN is no page either, so nothing is lost.
 */
const kNotAnInt32 = -0x80000000;

/** Marks the call about to be made, for the watchdog to name if it never returns. */
export function beginOp(block: Int32Array, op: OpCode, first: number, count: number): void {
  block[ThreadBlockLayout.i32.currentOp] = op;
  block[ThreadBlockLayout.i32.currentFirst] = first;
  block[ThreadBlockLayout.i32.currentCount] = count;
}

/** Appends a finished call to the ring and clears the call in flight. */
export function endOp(block: Int32Array, op: OpCode, first: number, count: number, result: number): void {
  const n = block[ThreadBlockLayout.i32.logCount]!;
  const at = ThreadBlockLayout.i32.log.index + (n % LOG_SIZE) * (OpLogEntryLayout.bytes >> 2);
  const e = OpLogEntryLayout.i32;
  block[at + e.op] = op;
  block[at + e.first] = first;
  block[at + e.count] = count;
  block[at + e.result] = Number.isInteger(result) && result > kNotAnInt32 && result <= 0x7fffffff ? result : kNotAnInt32;
  block[ThreadBlockLayout.i32.logCount] = n + 1;
  block[ThreadBlockLayout.i32.currentOp] = OpCode.none;
}

/** The thread's last operations, oldest first. A snapshot: another thread's log may move while read. */
export function readLog(block: Int32Array): OpRecord[] {
  const n = block[ThreadBlockLayout.i32.logCount]!;
  const records: OpRecord[] = [];
  const e = OpLogEntryLayout.i32;
  for (let i = Math.max(0, n - LOG_SIZE); i < n; i++) {
    const at = ThreadBlockLayout.i32.log.index + (i % LOG_SIZE) * (OpLogEntryLayout.bytes >> 2);
    const op = names[block[at + e.op]!];
    if (op && op !== 'none') records.push({ op, first: block[at + e.first]!, count: block[at + e.count]!, result: block[at + e.result] === kNotAnInt32 ? NaN : block[at + e.result]! });
  }
  return records;
}

/** The call in flight, if any. */
export function readCurrentOp(block: Int32Array): Omit<OpRecord, 'result'> | undefined {
  const op = names[block[ThreadBlockLayout.i32.currentOp]!];
  if (!op || op === 'none') return undefined;
  return { op, first: block[ThreadBlockLayout.i32.currentFirst]!, count: block[ThreadBlockLayout.i32.currentCount]! };
}

export function describeOp(record: Omit<OpRecord, 'result'> & { result?: number }): string {
  const call =
    record.op === 'alloc' ? `alloc(${record.count})` : `${record.op}(${record.first}, ${record.count})`;
  if (record.result === undefined) return call;
  if (record.op === 'alloc') return `${call} -> ${Number.isNaN(record.result) ? 'not a page number' : record.result}`;
  if (record.op === 'removeMemory') return `${call} -> ${record.result === 1}`;
  return call;
}
