/**
 * Each thread's last operations, kept in its block of the shared buffer so that a report can show what
 * every involved thread did just before a violation, and what a hung thread was in the middle of, even
 * when that thread can no longer answer.
 */
import {
  LOG_ENTRY_SLOTS,
  LOG_SIZE,
  OpCode,
  kCurrentCountField,
  kCurrentFirstField,
  kCurrentOpField,
  kLogBase,
  kLogCountField,
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
  block[kCurrentOpField] = op;
  block[kCurrentFirstField] = first;
  block[kCurrentCountField] = count;
}

/** Appends a finished call to the ring and clears the call in flight. */
export function endOp(block: Int32Array, op: OpCode, first: number, count: number, result: number): void {
  const n = block[kLogCountField]!;
  const at = kLogBase + (n % LOG_SIZE) * LOG_ENTRY_SLOTS;
  block[at] = op;
  block[at + 1] = first;
  block[at + 2] = count;
  block[at + 3] = Number.isInteger(result) && result > kNotAnInt32 && result <= 0x7fffffff ? result : kNotAnInt32;
  block[kLogCountField] = n + 1;
  block[kCurrentOpField] = OpCode.none;
}

/** The thread's last operations, oldest first. A snapshot: another thread's log may move while read. */
export function readLog(block: Int32Array): OpRecord[] {
  const n = block[kLogCountField]!;
  const records: OpRecord[] = [];
  for (let i = Math.max(0, n - LOG_SIZE); i < n; i++) {
    const at = kLogBase + (i % LOG_SIZE) * LOG_ENTRY_SLOTS;
    const op = names[block[at]!];
    if (op && op !== 'none') records.push({ op, first: block[at + 1]!, count: block[at + 2]!, result: block[at + 3] === kNotAnInt32 ? NaN : block[at + 3]! });
  }
  return records;
}

/** The call in flight, if any. */
export function readCurrentOp(block: Int32Array): Omit<OpRecord, 'result'> | undefined {
  const op = names[block[kCurrentOpField]!];
  if (!op || op === 'none') return undefined;
  return { op, first: block[kCurrentFirstField]!, count: block[kCurrentCountField]! };
}

export function describeOp(record: Omit<OpRecord, 'result'> & { result?: number }): string {
  const call =
    record.op === 'alloc' ? `alloc(${record.count})` : `${record.op}(${record.first}, ${record.count})`;
  if (record.result === undefined) return call;
  if (record.op === 'alloc') return `${call} -> ${Number.isNaN(record.result) ? 'not a page number' : record.result}`;
  if (record.op === 'removeMemory') return `${call} -> ${record.result === 1}`;
  return call;
}
