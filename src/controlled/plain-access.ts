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
import { TWIN } from './coroutines/runtime.ts';
import { LogicalOp, RUNTIME_KEY } from './transform.ts';

/** What the runtime parks through: a worker's one interceptor, or the coroutine driver's current one. */
export type AccessPoints = Pick<Interceptor, 'read' | 'write' | 'readCo' | 'writeCo' | 'park' | 'parkCo'>;

let subject: SharedArrayBuffer | null = null;
let interceptor: AccessPoints | null = null;

/** The subject's buffer for the length of a run, or null. */
export function plainAccessSubject(): SharedArrayBuffer | null {
  return subject;
}

/** Plain accesses on `buffer` become scheduling points through `by` until {@link stopPlainAccess}. */
export function startPlainAccess(by: AccessPoints, buffer: SharedArrayBuffer): void {
  interceptor = by;
  subject = buffer;
  // A compound assignment that threw between its read and its write left its place behind.
  places = shared;
  places.depth = 0;
}

export function stopPlainAccess(): void {
  subject = null;
  interceptor = null;
  places = shared;
  places.objects.fill(undefined, 0, places.depth);
  places.depth = 0;
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
// compound assignments in a right side push and pop in between, so the stack stays balanced. Each
// coroutine has a stack of its own: another thread's assignment may run between a read and its write.
interface Places {
  objects: unknown[];
  keys: unknown[];
  olds: unknown[];
  depth: number;
}

/** A stack of places, for one coroutine. */
export function newPlaces(): Places {
  return { objects: [], keys: [], olds: [], depth: 0 };
}

const shared = newPlaces();
let places: Places = shared;

/** Makes `p` the stack the compound assignments use (the coroutine driver, at each resume). */
export function usePlaces(p: Places): void {
  places = p;
}

function push(a: unknown, key: unknown): void {
  const p = places;
  p.objects[p.depth] = a;
  p.keys[p.depth] = key;
  p.depth++;
}

/** The read of `a[key] op= v`: reads and remembers the place for {@link store}. */
export function compoundRead(a: unknown, key: unknown): unknown {
  push(a, key);
  return read(a, key);
}

/** The write of a compound or logical assignment, to the place its read remembered. */
export function store(value: unknown): unknown {
  const p = places;
  p.depth--;
  const a = p.objects[p.depth];
  p.objects[p.depth] = undefined;
  return write(a, p.keys[p.depth], value);
}

const logical = (op: number, old: unknown) => (op === LogicalOp.or ? !old : op === LogicalOp.and ? !!old : old === null || old === undefined);

/** The read of `a[key] ||= v` (&&=, ??=): remembers the place and says whether to assign. */
export function logicalRead(a: unknown, key: unknown, op: number): boolean {
  const old = compoundRead(a, key);
  places.olds[places.depth - 1] = old;
  return logical(op, old);
}

/** A logical assignment that does not assign: forgets the place; its value is what was read. */
export function keepOld(): unknown {
  const p = places;
  p.depth--;
  p.objects[p.depth] = undefined;
  return p.olds[p.depth];
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

// The generator twins of the same functions, for code the coroutine transform rewrote: a point in
// them suspends the coroutine instead of blocking (coroutines/runtime.ts).

function* readCo(a: unknown, key: unknown): Generator<void, unknown, unknown> {
  if (subject !== null && onSubject(a)) {
    const k = elementIndex(a, key);
    if (k >= 0) return yield* interceptor!.readCo(a, k);
  }
  return (a as Indexable)[key as PropertyKey];
}

function* writeCo(a: unknown, key: unknown, value: unknown): Generator<void, unknown, unknown> {
  if (subject !== null && onSubject(a)) {
    const k = elementIndex(a, key);
    if (k >= 0) {
      yield* interceptor!.writeCo(a, k, value);
      return value;
    }
  }
  (a as Indexable)[key as PropertyKey] = value;
  return value;
}

function* compoundReadCo(a: unknown, key: unknown): Generator<void, unknown, unknown> {
  push(a, key);
  return yield* readCo(a, key);
}

function* storeCo(value: unknown): Generator<void, unknown, unknown> {
  const p = places;
  p.depth--;
  const a = p.objects[p.depth];
  p.objects[p.depth] = undefined;
  return yield* writeCo(a, p.keys[p.depth], value);
}

function* logicalReadCo(a: unknown, key: unknown, op: number): Generator<void, boolean, unknown> {
  const old = yield* compoundReadCo(a, key);
  places.olds[places.depth - 1] = old;
  return logical(op, old);
}

function* updateCo(a: unknown, key: unknown, delta: number, prefix: number): Generator<void, unknown, unknown> {
  if (subject !== null && onSubject(a)) {
    const k = elementIndex(a, key);
    if (k >= 0) {
      const old = (yield* interceptor!.readCo(a, k)) as number | bigint;
      const next = typeof old === 'bigint' ? old + BigInt(delta) : old + delta;
      yield* interceptor!.writeCo(a, k, next);
      return prefix ? next : old;
    }
  }
  return update(a, key, delta, prefix);
}

const twins: [(...args: never[]) => unknown, (...args: never[]) => Generator<void, unknown, unknown>][] = [
  [read, readCo],
  [write, writeCo],
  [compoundRead, compoundReadCo],
  [store, storeCo],
  [logicalRead, logicalReadCo],
  [update, updateCo],
];
for (const [plain, twin] of twins) {
  (plain as unknown as Record<symbol, unknown>)[TWIN] = twin;
  (twin as unknown as Record<symbol, unknown>)[TWIN] = twin;
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
