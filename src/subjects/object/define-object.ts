/**
 * A concurrent object under test, Lincheck style, on the program harness: `defineObject` turns the
 * object, its operations and a sequential model into a program (src/subjects/program/contract.ts), so
 * both modes run it as they run any program. Each thread calls a few operations drawn from a seeded
 * stream (the same for every round and schedule: one scenario, many interleavings); every call and
 * return takes a tick of a shared clock, and the results go to the program's scratch buffer (neither is
 * a scheduling point: only the object's memory is under test). When every thread has ended, `check`
 * rebuilds the history and searches for a linearization the model accepts (linearizability.ts); a
 * history with none is a violation that prints the history as columns per thread and the shortest
 * prefix that cannot be linearized.
 */
import seedrandom from 'seedrandom';
import type { SharedRegion } from '../../alloc/contract.ts';
import type { SharedLayout } from '../../harness/shared-layout.ts';
import { formatHistory } from './format-history.ts';
import { type Operation, type SequentialModel } from './history.ts';
import { checkLinearizable } from './linearizability.ts';
import type { ObjectProgram, TimedProgram } from './object-hooks.ts';
import { record as recordLatency } from '../../metrics/histogram.ts';

export interface OperationSpec {
  name: string;
  /** The arguments of one call, drawn from `random` (a seeded stream in [0, 1)); default: none. */
  args?(random: () => number): unknown[];
  /**
   * The threads that may call it (a single-producer queue's push: [0]); default: every thread. A
   * function of the thread and the thread count says it for every count in `threadCounts` (a queue's
   * consumer is the last thread: `(t, n) => t === n - 1`).
   */
  threads?: readonly number[] | ((thread: number, threads: number) => boolean);
}

export interface ObjectDefinition<State> {
  name: string;
  threads: number;
  /**
   * The thread counts the object also works at, for stress's `--threads 1,2,4`: its contention curve.
   * Default `[threads]`, a count the definition fixes. Operations' `threads` must make sense at each.
   */
  threadCounts?: readonly number[];
  /** The object's shared memory: a buffer of its own, exactly this long. */
  sharedBytes: number;
  /** Formats the object's memory once per round, before any thread starts. */
  init?(memory: SharedRegion): void;
  /** Thread `thread`'s handle on the object: its methods, by operation name. */
  attach(memory: SharedRegion, thread: number): Record<string, (...args: never[]) => unknown>;
  operations: readonly OperationSpec[];
  /** Operations each thread calls in a round (default 3: small rounds, as Lincheck's). */
  opsPerThread?: number;
  /** Seeds the operations each thread draws (default: the name). */
  seed?: string;
  model: SequentialModel<State>;
  describe?(byteOffset: number): string | undefined;
  description?: string;
}

/**
 * The head of the scratch buffer; operation records follow it. Scratch accesses are not scheduling
 * points (program/contract.ts), so recording the history adds no steps for the explorer to interleave.
 */
export const ObjectScratchLayout = {
  bytes: 8,
  /** The logical clock every call and return ticks with one Atomics.add, so ticks order operations across threads. */
  i32: { clock: 0 },
} as const satisfies SharedLayout;
/**
 * One operation's record (thread t's i-th at `(t * opsPerThread + i) * bytes` after the head). Only its
 * thread writes it, with Atomics stores; `check` reads it after every thread has ended.
 */
export const ObjectRecordLayout = {
  bytes: 512,
  i32: {
    /** The clock's tick just before the call. */
    call: 0,
    /** The tick just after it returned: one op precedes another when it returned before the other was called. */
    ret: 1,
    /** Bytes of the result's JSON; stored last, so the JSON before it is complete. */
    length: 2,
  },
  u8: { json: { index: 12, length: 512 - 12 } },
} as const satisfies SharedLayout;
const RECORD_BYTES = ObjectRecordLayout.bytes;
const { call: kCall, ret: kRet, length: kLength } = ObjectRecordLayout.i32;
const { json: jsonField } = ObjectRecordLayout.u8;

interface Drawn {
  name: string;
  /** Its index in the definition's operations: which latency histogram its calls go to. */
  index: number;
  args: unknown[];
}

/** The operations thread `t` calls, drawn again the same way wherever they are needed. */
function draw<State>(def: ObjectDefinition<State>, t: number, threads: number): Drawn[] {
  const random = seedrandom.alea(`${def.seed ?? def.name}/${t}`);
  const mine = def.operations.flatMap((op, index) => (mayCall(op, t, threads) ? [{ op, index }] : []));
  const count = mine.length === 0 ? 0 : (def.opsPerThread ?? 3);
  return Array.from({ length: count }, () => {
    const { op, index } = mine[Math.floor(random() * mine.length)]!;
    return { name: op.name, index, args: op.args?.(random) ?? [] };
  });
}

function mayCall(op: OperationSpec, t: number, threads: number): boolean {
  if (op.threads === undefined) return true;
  return typeof op.threads === 'function' ? op.threads(t, threads) === true : op.threads.includes(t);
}

export function defineObject<State>(def: ObjectDefinition<State>): ObjectProgram {
  const threadCounts = [...new Set([def.threads, ...(def.threadCounts ?? [])])].sort((a, b) => a - b);
  return {
    ...objectAt(def, def.threads),
    object: { operations: def.operations.map((op) => op.name), threadCounts, at: (threads) => objectAt(def, threads) },
  };
}

/** The object as a program of `threads` threads. */
function objectAt<State>(def: ObjectDefinition<State>, threads: number): TimedProgram {
  const perThread = def.opsPerThread ?? 3;
  // One Int32 tick counter, then each thread's records.
  const scratchBytes = ObjectScratchLayout.bytes + threads * perThread * RECORD_BYTES;
  const record = (scratch: SharedRegion, t: number, i: number) => new Int32Array(scratch.buffer, scratch.byteOffset + ObjectScratchLayout.bytes + (t * perThread + i) * RECORD_BYTES, RECORD_BYTES >> 2);
  const bytesOf = (scratch: SharedRegion, t: number, i: number) => new Uint8Array(scratch.buffer, scratch.byteOffset + ObjectScratchLayout.bytes + (t * perThread + i) * RECORD_BYTES + jsonField.index, jsonField.length);
  const run = (memory: SharedRegion, t: number, scratch: SharedRegion, latency?: readonly Int32Array[]) => {
    const methods = def.attach(memory, t);
    const clock = new Int32Array(scratch.buffer, scratch.byteOffset, ObjectScratchLayout.bytes >> 2);
    const encoder = new TextEncoder();
    draw(def, t, threads).forEach((op, i) => {
      const method = methods[op.name];
      if (typeof method !== 'function') throw new Error(`attach() gave thread ${t} no method ${op.name}`);
      const r = record(scratch, t, i);
      // A tick before the call and one after its return: one op precedes another when it returned before the other was called.
      Atomics.store(r, kCall, Atomics.add(clock, ObjectScratchLayout.i32.clock, 1) + 1);
      // Timed inside the ticks: a call's latency is the method's, not the bookkeeping's.
      const start = latency ? performance.now() : 0;
      const result = (method as (...args: unknown[]) => unknown)(...op.args);
      if (latency) recordLatency(latency[op.index]!, (performance.now() - start) * 1e6);
      Atomics.store(r, kRet, Atomics.add(clock, ObjectScratchLayout.i32.clock, 1) + 1);
      const json = encoder.encode(JSON.stringify(result === undefined ? null : result) ?? 'null');
      if (json.length > jsonField.length) throw new Error(`${op.name}'s result is longer than ${jsonField.length} bytes of JSON`);
      bytesOf(scratch, t, i).set(json);
      Atomics.store(r, kLength, json.length);
    });
  };
  return {
    name: def.name,
    threads,
    sharedBytes: def.sharedBytes,
    scratchBytes,
    ...(def.description !== undefined ? { description: def.description } : {}),
    ...(def.init ? { init: (memory: SharedRegion) => def.init!(memory) } : {}),
    ...(def.describe ? { describe: def.describe } : {}),
    thread: (memory, t, scratch) => run(memory, t, scratch),
    timedThread: run,
    check(_memory, scratch) {
      const decoder = new TextDecoder();
      const history: Operation[] = [];
      for (let t = 0; t < threads; t++) {
        draw(def, t, threads).forEach((op, i) => {
          const r = record(scratch, t, i);
          const json = decoder.decode(bytesOf(scratch, t, i).slice(0, Atomics.load(r, kLength)));
          const result = JSON.parse(json) as unknown;
          history.push({ thread: t, name: op.name, args: op.args, result: result === null ? undefined : result, call: Atomics.load(r, kCall), ret: Atomics.load(r, kRet) });
        });
      }
      const verdict = checkLinearizable(history, def.model);
      if (verdict.ok === true) return [];
      if (verdict.ok === 'unknown') return [`linearizability unknown: ${verdict.reason}`];
      return [
        `not linearizable: no order of the operations agrees with the model; the shortest prefix that cannot be linearized ends when thread ${verdict.culprit.thread}'s ${verdict.culprit.name} returns:\n${formatHistory(history, { culprit: verdict.culprit, until: verdict.culprit.ret })}`,
      ];
    },
  };
}
