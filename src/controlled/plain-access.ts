/**
 * The runtime the source transform's rewrites call (transform.ts): each does the access as written,
 * unless the object is a typed array over the subject's buffer and the key is one of its elements; then
 * the access parks at a scheduling point first (Interceptor.read / write), exactly as an Atomics call
 * does. Between runs, and in `--points atomics` mode, there is no subject and every call is the plain
 * access.
 *
 * The fast path is one comparison when no run is on, and `ArrayBuffer.isView` plus a `buffer` read (both
 * inlined by V8) when one is: ordinary arrays, objects and other buffers pay only that.
 *
 * Racy plain accesses in JS are not sequentially consistent (a racing read may see any write, bytes
 * may tear across element sizes); scheduling them one at a time explores their SC interleavings only.
 */
import type { Interceptor, TypedArray } from './intercept.ts';
import { LogicalOp, RUNTIME_KEY } from './transform.ts';

let subject: SharedArrayBuffer | null = null;
let interceptor: Interceptor | null = null;

/** The subject's buffer for the length of a run, or null. */
export function plainAccessSubject(): SharedArrayBuffer | null {
  return subject;
}

/** Plain accesses on `buffer` become scheduling points through `by` until {@link stopPlainAccess}. */
export function startPlainAccess(by: Interceptor, buffer: SharedArrayBuffer): void {
  interceptor = by;
  subject = buffer;
  // A compound assignment that threw between its read and its write left its place behind.
  depth = 0;
}

export function stopPlainAccess(): void {
  subject = null;
  interceptor = null;
  objects.fill(undefined, 0, depth);
  depth = 0;
}

type Indexable = Record<PropertyKey, unknown>;

/** Whether `a` is a typed array over the subject's buffer (a DataView has no elements). */
function onSubject(a: unknown): a is TypedArray {
  return subject !== null && ArrayBuffer.isView(a) && a.buffer === subject && !(a instanceof DataView);
}

/** The element `key` names, or -1 when it names none (out of range, not an integer, not a number). */
function elementIndex(a: TypedArray, key: unknown): number {
  let k: number;
  if (typeof key === 'number') k = key;
  else if (typeof key === 'string' && String(Number(key)) === key) k = Number(key);
  else return -1;
  return Number.isInteger(k) && k >= 0 && k < a.length ? k : -1;
}

/** `a[key]` */
export function read(a: unknown, key: unknown): unknown {
  if (subject !== null && onSubject(a)) {
    const k = elementIndex(a, key);
    if (k >= 0) return interceptor!.read(a, k);
  }
  return (a as Indexable)[key as PropertyKey];
}

/** `a[key] = value` */
export function write(a: unknown, key: unknown, value: unknown): unknown {
  if (subject !== null && onSubject(a)) {
    const k = elementIndex(a, key);
    if (k >= 0) {
      interceptor!.write(a, k, value);
      return value;
    }
  }
  (a as Indexable)[key as PropertyKey] = value;
  return value;
}

// The places of the compound assignments under way: pushed by the read, popped by the write. Nested
// compound assignments in a right side push and pop in between, so the stack stays balanced.
const objects: unknown[] = [];
const keys: unknown[] = [];
const olds: unknown[] = [];
let depth = 0;

/** The read of `a[key] op= v`: reads and remembers the place for {@link store}. */
export function compoundRead(a: unknown, key: unknown): unknown {
  objects[depth] = a;
  keys[depth] = key;
  depth++;
  return read(a, key);
}

/** The write of a compound or logical assignment, to the place its read remembered. */
export function store(value: unknown): unknown {
  depth--;
  const a = objects[depth];
  objects[depth] = undefined;
  return write(a, keys[depth], value);
}

/** The read of `a[key] ||= v` (&&=, ??=): remembers the place and says whether to assign. */
export function logicalRead(a: unknown, key: unknown, op: number): boolean {
  const old = compoundRead(a, key);
  olds[depth - 1] = old;
  return op === LogicalOp.or ? !old : op === LogicalOp.and ? !!old : old === null || old === undefined;
}

/** A logical assignment that does not assign: forgets the place; its value is what was read. */
export function keepOld(): unknown {
  depth--;
  objects[depth] = undefined;
  return olds[depth];
}

/** `a[key]++` and the like: `delta` is 1 or -1, `prefix` 1 for `++a[key]`. */
export function update(a: unknown, key: unknown, delta: number, prefix: number): unknown {
  if (subject !== null && onSubject(a)) {
    const k = elementIndex(a, key);
    if (k >= 0) {
      const old = interceptor!.read(a, k);
      const next = typeof old === 'bigint' ? old + BigInt(delta) : old + delta;
      interceptor!.write(a, k, next);
      return prefix ? next : old;
    }
  }
  const o = a as Record<PropertyKey, number>;
  const p = key as PropertyKey;
  return delta > 0 ? (prefix ? ++o[p]! : o[p]!++) : prefix ? --o[p]! : o[p]!--;
}

/** Makes the runtime reachable by transformed code, under the names transform.ts binds. */
export function publishRuntime(): void {
  (globalThis as Record<symbol, unknown>)[Symbol.for(RUNTIME_KEY)] = {
    R: read,
    W: write,
    C: compoundRead,
    S: store,
    G: logicalRead,
    O: keepOld,
    U: update,
  } satisfies Record<string, (...args: never[]) => unknown>;
}
