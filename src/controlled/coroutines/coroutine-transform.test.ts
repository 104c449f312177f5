import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as acorn from 'acorn';
import { afterEach, describe, expect, it } from 'vitest';
import { testDir } from '../../testing/test-dir.ts';
import { transformCoroutines } from './coroutine-transform.ts';
import { publishCoroutineRuntime, setSyncYield, TWIN } from './runtime.ts';

publishCoroutineRuntime();

/**
 * `point(x)`: a scheduling point as the engine's are, a plain function whose generator twin yields once
 * and returns x; called plainly it returns x at once. Every rewritten call chain down to it must
 * suspend at the yield.
 */
const point = Object.assign((x: unknown) => {
  log.push(`plain ${String(x)}`);
  return x;
}, {
  [TWIN]: function* (x: unknown) {
    log.push(`yield ${String(x)}`);
    yield;
    return x;
  },
});
const log: string[] = [];
(globalThis as Record<string, unknown>).point = point;

/** `body` as a script that returns `main`, as written and as rewritten. */
function load(body: string): { original: () => unknown; rewritten: () => unknown; code: string } {
  const source = `"use strict"; ${body}\nreturn main;`;
  // A script may return at its top (a function body's rules): the transform's binding goes after "use strict".
  const { code } = transformCoroutines(source, { file: 'snippet.js', sourceType: 'script' });
  return { original: new Function(source)() as () => unknown, rewritten: new Function(code)() as () => unknown, code };
}

/** Runs the rewritten `main` as a coroutine: counts its yields, which must be the points it reached. */
function runAsCoroutine(main: () => unknown, ...args: unknown[]): { value: unknown; yields: number } {
  const twin = (main as unknown as Record<symbol, ((...args: unknown[]) => Generator) | undefined>)[TWIN];
  expect(twin, 'main has a generator twin').toBeDefined();
  const gen = twin!(...args);
  let yields = 0;
  for (let r = gen.next(); ; r = gen.next()) {
    if (r.done) return { value: r.value, yields };
    yields++;
  }
}

const program = `
  function leaf(x) { return point(x) + 1; }
  const arrow = (x) => leaf(x) * 2;
  const bare = x => arrow(x);
  function Legacy(v) { this.v = v; }
  Legacy.prototype.get = function () { return point(this.v); };
  class Base {
    constructor(k) { this.k = k; }
    m(x) { return bare(x) + this.k; }
    static s(x) { return new Base(100).m(x); }
    get twice() { return point(this.k) * 2; }
    set half(v) { this.k = point(v) / 2; }
  }
  class Derived extends Base { m(x) { return super.m(x) + 1000; } }
  const obj = { m(x) { return Derived.s(x); }, n: function (x) { return [1, 2].map((v) => v + x); } };
  function fact(n) { return n <= 1 ? point(1) : n * fact(n - 1); }
  function guarded(x) { try { if (x > 0) throw new Error('no'); return point(x); } catch (e) { return point(-1); } finally { point(0); } }
  function spread(...xs) { return Math.max(...xs.map((x) => point(x))); }
  function main() {
    const b = new Derived(7);
    const out = [b.m(1), obj.m(2), obj.n(3), (obj.m)(4), new Legacy(5).get(), b.twice];
    b.half = 40;
    out.push(b.k, fact(4), guarded(1), guarded(-2), spread(3, 9, 4));
    let f = null;
    out.push(f?.(1) ?? 'none', typeof leaf.call, this === undefined, leaf.length, Base.prototype.m.length, Base.s.name, arrow.length);
    out.push(leaf.call(null, 11), leaf.apply(null, [12]), leaf.bind(null, 13)(), b.m.call(b, 14));
    return out;
  }`;

describe('the coroutine transform', () => {
  afterEach(() => {
    log.length = 0;
    setSyncYield(undefined);
  });

  it('keeps what the program computes, called plainly or run as a coroutine', () => {
    const { original, rewritten } = load(program);
    const expected = original();
    const originalLog = [...log];
    log.length = 0;
    // Called plainly (as native code or an untransformed caller would), no point may suspend.
    let syncs = 0;
    setSyncYield(() => void syncs++);
    expect(rewritten()).toEqual(expected);
    expect(syncs).toBe(log.filter((l) => l.startsWith('yield')).length);
    log.length = 0;
    const { value, yields } = runAsCoroutine(rewritten);
    expect(value).toEqual(expected);
    // Every point the original reached, in its order, suspended the coroutine: through functions,
    // arrows, methods, super, static methods, getters and setters, recursion, try/finally, the
    // callbacks of Array methods, and call, apply and bind.
    expect(log).toEqual(originalLog.map((l) => l.replace('plain', 'yield')));
    expect(yields).toBe(originalLog.length);
    expect(syncs).toBe(originalLog.length);
  });

  it('leaves plain what cannot be a generator: a point there is reached by a plain call, or through the sync handler', () => {
    const { rewritten } = load(`
      class Box { constructor(x) { this.x = point(x); } }
      async function later(x) { return point(x); }
      const viaNative = (x) => point(x);
      function main() { const b = new Box(1); void later(2); return [3].flatMap(viaNative).length + b.x; }`);
    let syncs = 0;
    setSyncYield(() => void syncs++);
    const { value, yields } = runAsCoroutine(rewritten);
    expect(value).toBe(2);
    // The constructor's and the async function's calls are plain calls of the point; a callback that
    // native code without a twin (flatMap) calls runs its generator to the end, through the handler.
    expect(log).toEqual(['plain 1', 'plain 2', 'yield 3']);
    expect(yields).toBe(0);
    expect(syncs).toBe(1);
  });

  it('adds and removes no line, so stack traces keep their lines', () => {
    const source = program.replace('function main() {', 'function main() {\n    if (globalThis.boom) throw new Error("boom");');
    const { code } = transformCoroutines(source, { file: 'x.js', sourceType: 'script' });
    const body = code.replace(/\n\/\/# sourceMappingURL=.*\n$/, '');
    expect(body.split('\n').length).toBe(source.split('\n').length);
    const line = source.split('\n').findIndex((l) => l.includes('"boom"'));
    expect(body.split('\n')[line]).toContain('"boom"');
  });

  it('puts its declarations after a directive written without its semicolon, and the code parses', () => {
    const { rewritten } = load(`
      function main() {
        'use strict'
        function inner(x) { return point(x) }
        return inner(5)
      }`);
    const { value, yields } = runAsCoroutine(rewritten);
    expect([value, yields]).toEqual([5, 1]);
  });

  it('returns a module with no call as it was', () => {
    const code = 'export const pages = 64; export function size(n) { return n * 8; }';
    expect(transformCoroutines(code, { file: 'x.js', sourceType: 'module' })).toEqual({ code, functions: 0, calls: 0 });
  });
});

describe('the coroutine transform on a real library', () => {
  it('acorn, rewritten whole, parses a module into the same tree, called plainly and run as a coroutine', async () => {
    const require = createRequire(import.meta.url);
    const file = path.join(path.dirname(require.resolve('acorn')), 'acorn.mjs');
    const { code, functions, calls } = transformCoroutines(readFileSync(file, 'utf8'), { file, sourceType: 'module' });
    // Prototype methods assigned one by one, closures, classes, getters: hundreds of each.
    expect(functions).toBeGreaterThan(200);
    expect(calls).toBeGreaterThan(1000);
    const rewritten = path.join(testDir('coroutine-acorn'), 'acorn.mjs');
    writeFileSync(rewritten, code);
    const co = (await import(pathToFileURL(rewritten).href)) as typeof acorn;
    const input = readFileSync(require.resolve('magic-string'), 'utf8');
    const options = { ecmaVersion: 'latest', sourceType: 'module' } as const;
    const expected = JSON.stringify(acorn.parse(input, options));
    expect(JSON.stringify(co.parse(input, options))).toBe(expected);
    const { value, yields } = runAsCoroutine(co.parse as unknown as () => unknown, input, options);
    expect(JSON.stringify(value)).toBe(expected);
    expect(yields).toBe(0);
  });
});
