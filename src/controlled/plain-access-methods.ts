/**
 * TypedArray methods that read or write many elements (fill, set, copyWithin, indexOf, find, sort, ...)
 * are native code the source transform cannot see into. For the length of a controlled run with
 * `--points all`, they are wrapped on `%TypedArray%.prototype`: a call on a typed array over the
 * subject's buffer parks at one scheduling point first, a write (or a read, for a method that only
 * reads) of the first element it touches, and then runs whole, unseen, as one step. Calls on any other
 * array go straight to the native method. `subarray` touches no element and is not wrapped; iterators
 * (`values()`, `for ... of`, spread) and the constructors that copy (`new Uint8Array(view)`) are not
 * points either. Each wrapper has a generator twin, so that code the coroutine transform rewrote
 * suspends at the point instead of waiting on its stack (coroutines/runtime.ts).
 */
import type { TypedArray } from './intercept.ts';
import type { AccessPoints } from './plain-access.ts';
import { Request } from './protocol.ts';
import { TWIN } from './coroutines/runtime.ts';

type Method = (this: TypedArray, ...args: unknown[]) => unknown;
const prototype = Object.getPrototypeOf(Int8Array.prototype) as Record<string, Method>;

/** A relative index as the methods read it: negative counts from the end, clamped to 0..length. */
function relative(value: unknown, length: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Math.trunc(Number(value)) || 0;
  return n < 0 ? Math.max(0, length + n) : Math.min(n, length);
}

type First = (array: TypedArray, args: unknown[]) => number;
const fromStart: First = () => 0;
const fromEnd: First = (a) => a.length - 1;

/** What each wrapped method does first: which element, read or write. -1: it touches none. */
const methods: Record<string, { request: Request; first: First }> = {
  fill: { request: Request.write, first: (a, [, start, end]) => (relative(start, a.length, 0) < relative(end, a.length, a.length) ? relative(start, a.length, 0) : -1) },
  copyWithin: { request: Request.write, first: (a, [target, start, end]) => (relative(start, a.length, 0) < relative(end, a.length, a.length) && relative(target, a.length, 0) < a.length ? relative(target, a.length, 0) : -1) },
  sort: { request: Request.write, first: fromStart },
  reverse: { request: Request.write, first: fromStart },
  indexOf: { request: Request.read, first: (a, [, from]) => relative(from, a.length, 0) },
  lastIndexOf: { request: Request.read, first: (a, args) => (args.length > 1 ? Math.min(a.length - 1, relative(args[1], a.length, a.length - 1)) : a.length - 1) },
  includes: { request: Request.read, first: (a, [, from]) => relative(from, a.length, 0) },
  find: { request: Request.read, first: fromStart },
  findIndex: { request: Request.read, first: fromStart },
  findLast: { request: Request.read, first: fromEnd },
  findLastIndex: { request: Request.read, first: fromEnd },
  every: { request: Request.read, first: fromStart },
  some: { request: Request.read, first: fromStart },
  forEach: { request: Request.read, first: fromStart },
  map: { request: Request.read, first: fromStart },
  filter: { request: Request.read, first: fromStart },
  reduce: { request: Request.read, first: fromStart },
  reduceRight: { request: Request.read, first: fromEnd },
  join: { request: Request.read, first: fromStart },
  slice: { request: Request.read, first: (a, [start]) => relative(start, a.length, 0) },
  at: { request: Request.read, first: (a, [index]) => relative(index, a.length, 0) },
  toSorted: { request: Request.read, first: fromStart },
  toReversed: { request: Request.read, first: fromEnd },
  with: { request: Request.read, first: fromStart },
  toLocaleString: { request: Request.read, first: fromStart },
};

const natives: Record<string, Method> = Object.fromEntries(Object.keys(methods).filter((name) => typeof prototype[name] === 'function').map((name) => [name, prototype[name]!]));

const nativeSet = prototype.set!;

function isView(value: unknown, buffer: SharedArrayBuffer): value is TypedArray {
  return ArrayBuffer.isView(value) && value.buffer === buffer && !(value instanceof DataView);
}

/** Wraps the methods until {@link unpatchTypedArrayMethods}; calls on arrays over `buffer` park first. */
export function patchTypedArrayMethods(interceptor: AccessPoints, buffer: SharedArrayBuffer): void {
  // A read is logged with the value of the element it parks at; a write with the value it stores
  // where there is one (fill's), else with none (NaN: the trace shows no value).
  const park = (array: TypedArray, request: Request, index: number, value = NaN) => {
    if (index < 0 || index >= array.length) return;
    if (request === Request.read) interceptor.read(array, index);
    else interceptor.park(Request.write, array, index, value);
  };
  function* parkCo(array: TypedArray, request: Request, index: number, value = NaN): Generator<void, void, unknown> {
    if (index < 0 || index >= array.length) return;
    if (request === Request.read) yield* interceptor.readCo(array, index);
    else yield* interceptor.parkCo(Request.write, array, index, value);
  }
  const twin = (plain: Method, co: (this: TypedArray, ...args: unknown[]) => Generator<void, unknown, unknown>) => Object.assign(plain, { [TWIN]: co });
  for (const [name, native] of Object.entries(natives)) {
    const { request, first } = methods[name]!;
    const value = (args: unknown[]) => (name === 'fill' && typeof args[0] === 'number' ? args[0] : NaN);
    prototype[name] = twin(
      function (this: TypedArray, ...args: unknown[]) {
        if (isView(this, buffer)) park(this, request, first(this, args), value(args));
        return native.apply(this, args);
      },
      function* (this: TypedArray, ...args: unknown[]) {
        if (isView(this, buffer)) yield* parkCo(this, request, first(this, args), value(args));
        return native.apply(this, args);
      },
    );
  }
  // One point: the write of the first element, or the read of the source's when only it is the subject's.
  const setPoint = (target: TypedArray, args: unknown[]): [TypedArray, Request, number] | undefined => {
    const [source, offset] = args;
    const length = (source as ArrayLike<unknown> | null)?.length ?? 0;
    if (length > 0 && isView(target, buffer)) return [target, Request.write, Math.trunc(Number(offset ?? 0)) || 0];
    if (length > 0 && isView(source, buffer)) return [source, Request.read, 0];
    return undefined;
  };
  prototype.set = twin(
    function (this: TypedArray, ...args: unknown[]) {
      const at = setPoint(this, args);
      if (at) park(...at);
      return nativeSet.apply(this, args);
    },
    function* (this: TypedArray, ...args: unknown[]) {
      const at = setPoint(this, args);
      if (at) yield* parkCo(...at);
      return nativeSet.apply(this, args);
    },
  );
}

export function unpatchTypedArrayMethods(): void {
  for (const [name, native] of Object.entries(natives)) prototype[name] = native;
  prototype.set = nativeSet;
}
