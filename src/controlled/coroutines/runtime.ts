/**
 * What the coroutine transform's output calls (coroutine-transform.ts), bound once per module from a
 * global, so that ES modules and CommonJS alike reach it. A function the transform rewrote is two: a
 * generator that does the work, able to suspend at a scheduling point, and a plain function that drives
 * the generator to its end (what native code, a constructor or a getter calls). The plain one carries
 * the generator under {@link TWIN}; a transformed call site asks for the twin and delegates to it with
 * `yield*`, so a scheduling point deep in a call chain suspends the whole logical thread, as a worker
 * parked in `Atomics.wait` would be, but as a generator resume instead of a futex wake.
 *
 * A scheduling point reached where no generator can suspend (a getter, a constructor, a callback
 * native code calls) still yields, to {@link drive}: the plain function then hands the yield to the
 * driver's `syncYield`, which runs the other threads on top of this stack until the turn comes back.
 */

/** Where a plain function keeps its generator twin (and a twin itself, so that it is its own twin). */
export const TWIN: unique symbol = Symbol.for('pagerace.coroutine-twin') as never;

export const RUNTIME_KEY = 'pagerace.coroutines';

type Gen = (...args: unknown[]) => Generator<unknown, unknown, unknown>;
type Twinned = { [TWIN]?: Gen };

/** Outside a run no point parks, so no generator of the code under test yields: one that does is a bug here. */
const outsideRun = () => {
  throw new Error('a scheduling point suspended outside a coroutine run');
};

/** What a yield reaching a plain function does; set by the driver of a coroutine run. */
let syncYield: () => void = outsideRun;

/** Installs (or, with undefined, removes) what a scheduling point reached in plain code does. */
export function setSyncYield(handler: (() => void) | undefined): void {
  syncYield = handler ?? outsideRun;
}

/** Runs a generator to its end on this stack: each yield is a point that cannot suspend here. */
export function drive(gen: Generator<unknown, unknown, unknown>): unknown {
  let r = gen.next();
  while (!r.done) {
    syncYield();
    r = gen.next();
  }
  return r.value;
}

/** `new` on a plain function whose body is a generator: what [[Construct]] does for an ordinary function. */
function construct(g: Gen, args: unknown[], newTarget: { prototype?: unknown }): unknown {
  const proto = newTarget.prototype;
  const self = Object.create(proto !== null && typeof proto === 'object' ? proto : Object.prototype) as object;
  const result = drive(g.apply(self, args));
  return result !== null && (typeof result === 'object' || typeof result === 'function') ? result : self;
}

/** The twin of a callee, or undefined: a non-function, or a function the transform did not rewrite. */
function twinOf(f: unknown): Gen | undefined {
  return f === null || f === undefined ? undefined : (f as Twinned)[TWIN];
}

/** A call the twin could not take: the callee as the language calls it (its own TypeError if not a function). */
function apply(f: unknown, self: unknown, args: unknown[], text: string): unknown {
  if (typeof f !== 'function') throw new TypeError(`${text} is not a function`);
  return Reflect.apply(f, self, args);
}

function named<F extends object>(f: F, name: string, length: number): F {
  Object.defineProperty(f, 'name', { value: name, configurable: true });
  Object.defineProperty(f, 'length', { value: length, configurable: true });
  return f;
}

/** A function expression (or an object literal's method): the plain function, carrying its twin. */
function wrap(g: Gen, name?: string): (...args: unknown[]) => unknown {
  const f = function (this: unknown, ...args: unknown[]) {
    return new.target ? construct(g, args, new.target as { prototype?: unknown }) : drive(g.apply(this, args));
  };
  (f as Twinned)[TWIN] = g;
  (g as Twinned)[TWIN] = g;
  return named(f, name ?? g.name, g.length);
}

/** An arrow function: its `this` is where it was made, whatever a call site passes. */
function arrow(g: Gen, self: unknown): (...args: unknown[]) => unknown {
  const bound = g.bind(self) as Gen;
  const f = (...args: unknown[]) => drive(bound(...args));
  (f as Twinned)[TWIN] = bound;
  (bound as Twinned)[TWIN] = bound;
  return named(f, '', g.length);
}

/** The plain body of a function declaration: calls (or constructs with) its generator. */
function declared(g: Gen, self: unknown, args: unknown[], newTarget: { prototype?: unknown } | undefined): unknown {
  return newTarget ? construct(g, args, newTarget) : drive(g.apply(self, args));
}

/** Gives the plain function `f` its twin `g` (function declarations: at the top of their scope). */
function link(f: Twinned, g: Gen): void {
  f[TWIN] = g;
  (g as Twinned)[TWIN] = g;
}

/** A function declaration's link: its plain function takes `...args`, so it gets the generator's length too. */
function linkDeclared(f: Twinned & ((...args: unknown[]) => unknown), g: Gen): void {
  link(f, g);
  Object.defineProperty(f, 'length', { value: g.length, configurable: true });
}

/** Gives a class's plain method `name` its twin, the generator method under `key` (in a static block). */
function linkMethod(home: Record<PropertyKey, unknown>, name: string, key: symbol): void {
  const f = home[name] as Twinned;
  const g = home[key] as Gen;
  if (typeof f !== 'function' || typeof g !== 'function') return;
  link(f, g);
  // The plain method takes `...args`: it reports the generator's parameters, as the method did.
  Object.defineProperty(f, 'length', { value: g.length, configurable: true });
}

/** Gives a class's accessor `name` (its getter or setter, `kind`) its twin, the generator method under `key`. */
function linkAccessor(home: object, name: string, kind: 'get' | 'set', key: symbol): void {
  const d = Object.getOwnPropertyDescriptor(home, name);
  const f = d?.[kind] as Twinned | undefined;
  const g = (home as Record<symbol, unknown>)[key] as Gen;
  if (typeof f === 'function' && typeof g === 'function') link(f, g);
}

/** The twin of the getter (or setter) `name` that reading (or writing) it on `o` would run, if any. */
function accessorTwin(o: unknown, name: string, kind: 'get' | 'set'): Gen | undefined {
  for (let p = o; p !== null && p !== undefined; p = Object.getPrototypeOf(p)) {
    const d = Object.getOwnPropertyDescriptor(p, name);
    if (d) return (d[kind] as Twinned | undefined)?.[TWIN];
  }
  return undefined;
}

const getterTwin = (o: unknown, name: string) => accessorTwin(o, name, 'get');
const setterTwin = (o: unknown, name: string) => accessorTwin(o, name, 'set');

/** The keys of a module's generator methods: one symbol each, made once per module. */
function keys(count: number): symbol[] {
  return Array.from({ length: count }, (_, i) => Symbol(`coroutine ${i}`));
}

export const runtime = { T: twinOf, A: apply, W: wrap, F: arrow, D: declared, L: linkDeclared, M: linkMethod, N: linkAccessor, G: getterTwin, S: setterTwin, K: keys, R: drive } as const;

/**
 * Twins of the Array methods that call back, for a callback that has one: `xs.map(f)` in a rewritten
 * body then suspends inside `f`, where native `map` could not. Without a twin callback, the native
 * method runs. Holes and `thisArg` are as the language has them; subclass species are not.
 */
type Each = (g: Gen, self: unknown, o: ArrayLike<unknown>, len: number) => Generator<unknown, unknown, unknown>;
const arrayTwins: Record<string, Each> = {
  *forEach(g, self, o, len) {
    for (let i = 0; i < len; i++) if (i in o) yield* g.call(self, o[i], i, o);
    return undefined;
  },
  *map(g, self, o, len) {
    const out = new Array<unknown>(len);
    for (let i = 0; i < len; i++) if (i in o) out[i] = yield* g.call(self, o[i], i, o);
    return out;
  },
  *filter(g, self, o, len) {
    const out: unknown[] = [];
    for (let i = 0; i < len; i++) if (i in o && (yield* g.call(self, o[i], i, o))) out.push(o[i]);
    return out;
  },
  *some(g, self, o, len) {
    for (let i = 0; i < len; i++) if (i in o && (yield* g.call(self, o[i], i, o))) return true;
    return false;
  },
  *every(g, self, o, len) {
    for (let i = 0; i < len; i++) if (i in o && !(yield* g.call(self, o[i], i, o))) return false;
    return true;
  },
  *find(g, self, o, len) {
    for (let i = 0; i < len; i++) if (yield* g.call(self, o[i], i, o)) return o[i];
    return undefined;
  },
  *findIndex(g, self, o, len) {
    for (let i = 0; i < len; i++) if (yield* g.call(self, o[i], i, o)) return i;
    return -1;
  },
};

function installArrayTwins(): void {
  const proto = Array.prototype as unknown as Record<string, Twinned & ((...args: unknown[]) => unknown)>;
  for (const [name, each] of Object.entries(arrayTwins)) {
    const native = proto[name]!;
    if (native[TWIN]) continue;
    native[TWIN] = function* (this: unknown, callback: unknown, self?: unknown) {
      const g = twinOf(callback);
      if (!g || this === null || this === undefined) return native.call(this, callback, self);
      const o = Object(this) as ArrayLike<unknown>;
      return yield* each(g, self, o, o.length >>> 0);
    } as Gen;
  }
  // reduce: the accumulator goes through the callback.
  const reduce = proto.reduce!;
  if (!reduce[TWIN]) {
    reduce[TWIN] = function* (this: unknown, callback: unknown, ...initial: unknown[]) {
      const g = twinOf(callback);
      if (!g || this === null || this === undefined) return reduce.call(this, callback, ...initial);
      const o = Object(this) as ArrayLike<unknown>;
      const len = o.length >>> 0;
      let i = 0;
      let acc: unknown;
      if (initial.length > 0) acc = initial[0];
      else {
        while (i < len && !(i in o)) i++;
        if (i >= len) return reduce.call(this, callback);
        acc = o[i++];
      }
      for (; i < len; i++) if (i in o) acc = yield* g.call(undefined, acc, o[i], i, o);
      return acc;
    } as Gen;
  }
}

/**
 * Twins of `call`, `apply` and `bind`, so that `f.call(self, x)` in a rewritten body delegates to f's
 * twin as `f(x)` does, and a function bound there keeps one.
 */
function installFunctionTwins(): void {
  const proto = Function.prototype as unknown as Record<'call' | 'apply' | 'bind', Twinned & ((...args: unknown[]) => unknown)>;
  const { call, apply, bind } = proto;
  if (call[TWIN]) return;
  call[TWIN] = function* (this: unknown, self: unknown, ...args: unknown[]) {
    const g = twinOf(this);
    return g ? yield* g.apply(self, args) : Reflect.apply(this as () => unknown, self, args);
  } as Gen;
  apply[TWIN] = function* (this: unknown, self: unknown, args?: ArrayLike<unknown>) {
    const g = twinOf(this);
    return g ? yield* g.apply(self, Array.from(args ?? [])) : Reflect.apply(this as () => unknown, self, args ?? []);
  } as Gen;
  bind[TWIN] = function* (this: unknown, ...args: unknown[]) {
    const bound = Reflect.apply(bind, this, args) as Twinned;
    const g = twinOf(this);
    if (g) bound[TWIN] = Reflect.apply(bind, g, args) as Gen;
    return bound;
  } as Gen;
}

/** Makes the runtime reachable by transformed code, under the names coroutine-transform.ts binds. */
export function publishCoroutineRuntime(): void {
  (globalThis as Record<symbol, unknown>)[Symbol.for(RUNTIME_KEY)] = runtime;
  installArrayTwins();
  installFunctionTwins();
}
