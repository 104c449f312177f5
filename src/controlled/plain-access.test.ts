import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAllocators } from '../alloc/load-allocator.ts';
import { validateScenario } from '../scenario/load.ts';
import { repoRoot } from '../testing/cli.ts';
import { testDir } from '../testing/test-dir.ts';
import { type ExploreOptions, explore } from './explore.ts';
import type { Interceptor, TypedArray } from './intercept.ts';
import { compoundRead, read, startPlainAccess, stopPlainAccess, store, update, write } from './plain-access.ts';
import { patchTypedArrayMethods, unpatchTypedArrayMethods } from './plain-access-methods.ts';
import { followsSubject, isBuiltinSubject, isHarness, rootDirOf } from './plain-access-scope.ts';
import type { PointsMode } from './plain-access-mode.ts';
import { Request } from './protocol.ts';
import { decodeToken } from './token.ts';

/** Stands in for the worker's Interceptor: records every scheduling point, and makes the access. */
function recorder() {
  const points: string[] = [];
  const fake = {
    read(array: TypedArray, index: number) {
      points.push(`read ${index}`);
      return array[index]!;
    },
    write(array: TypedArray, index: number, value: unknown) {
      points.push(`write ${index} ${String(value)}`);
      (array as unknown as Record<number, unknown>)[index] = value;
    },
    park(request: number, _array: TypedArray, index: number) {
      points.push(`${request === Request.write ? 'write' : 'park'} ${index}`);
    },
  };
  return { points, interceptor: fake as unknown as Interceptor };
}

describe('the plain-access runtime', () => {
  afterEach(() => {
    unpatchTypedArrayMethods();
    stopPlainAccess();
  });

  it('parks at accesses of elements over the subject buffer only; other arrays and keys are untouched', () => {
    const subject = new SharedArrayBuffer(16);
    const other = new SharedArrayBuffer(16);
    const { points, interceptor } = recorder();
    startPlainAccess(interceptor, subject);
    const mine = new Uint8Array(subject, 4, 8);
    write(mine, 1, 7);
    expect(read(mine, 1)).toBe(7);
    expect(read(mine, '1')).toBe(7);
    store((compoundRead(mine, 1) as number) + 1);
    expect(update(mine, 1, 1, 0)).toBe(8);
    expect(points).toEqual(['write 1 7', 'read 1', 'read 1', 'read 1', 'write 1 8', 'read 1', 'write 1 9']);
    points.length = 0;
    // Not elements of the subject: another buffer, an ordinary array, a DataView, out of range, a name.
    const theirs = new Uint8Array(other);
    write(theirs, 0, 5);
    expect(read(theirs, 0)).toBe(5);
    const plain = [1, 2];
    write(plain, 0, 3);
    expect(update(plain, 1, -1, 1)).toBe(1);
    expect(plain).toEqual([3, 1]);
    expect(read(new DataView(subject), 0)).toBeUndefined();
    expect(read(mine, 8)).toBeUndefined();
    expect(read(mine, 'length')).toBe(8);
    expect(read(mine, 1.5)).toBeUndefined();
    expect(points).toEqual([]);
    // No run, no points: the subject's own arrays are plain between runs.
    stopPlainAccess();
    expect(read(mine, 1)).toBe(9);
    expect(points).toEqual([]);
  });

  it('makes one point of a TypedArray method on the subject, at the first element it touches', () => {
    const subject = new SharedArrayBuffer(16);
    const { points, interceptor } = recorder();
    patchTypedArrayMethods(interceptor, subject);
    const mine = new Uint8Array(subject);
    mine.fill(1, 4, 8);
    expect(mine.indexOf(0, 2)).toBe(2);
    mine.set([9, 9], 10);
    mine.fill(3, 5, 5); // touches nothing: no point
    new Uint8Array(16).fill(1); // not the subject's
    mine.subarray(2, 4); // no access
    expect(points).toEqual(['write 4', 'read 2', 'write 10']);
    unpatchTypedArrayMethods();
    mine.fill(0);
    expect(points).toHaveLength(3);
  });
});

describe('which modules the transform rewrites', () => {
  const inRepo = (p: string) => path.join(repoRoot, p);

  it('the built-in subjects, not the harness (the global lock is harness code: Atomics only)', () => {
    for (const p of ['src/alloc/byte-cas.ts', 'src/alloc/colored-region.ts', 'src/alloc/stack-bitmap.ts', 'src/alloc/variants/byte-cas-racy-rmw.ts']) expect(isBuiltinSubject(inRepo(p)), p).toBe(true);
    for (const p of ['src/alloc/global-lock.ts', 'src/alloc/guard.ts', 'src/alloc/variants/variants.test.ts', 'src/controlled/intercept.ts', 'workers/controlled.mjs']) {
      expect(isBuiltinSubject(inRepo(p)), p).toBe(false);
      expect(isHarness(inRepo(p)), p).toBe(true);
    }
  });

  it("what a subject imports: third-party code, and a user module's helpers beside it, never pagerace's harness", () => {
    const none = new Set<string>();
    expect(followsSubject('/home/user/project/node_modules/pkg/index.js', none)).toBe(true);
    expect(followsSubject(inRepo('node_modules/@thi.ng/malloc/pool.js'), none)).toBe(true);
    expect(followsSubject(inRepo('src/index.ts'), none)).toBe(false);
    expect(followsSubject('/home/user/project/data.json', none)).toBe(false);
    // User modules kept in pagerace's own tree (a test folder) take their helpers along, not the harness.
    const testFolder = new Set([rootDirOf(inRepo('src/testing/buggy/hint-bitmap.ts'))]);
    expect(followsSubject(inRepo('src/testing/buggy/common.ts'), testFolder)).toBe(true);
    expect(followsSubject(inRepo('src/index.ts'), testFolder)).toBe(false);
    // A module at the repository's top does not take in the harness below it.
    expect(followsSubject(inRepo('src/alloc/guard.ts'), new Set([rootDirOf(inRepo('byte-per-page.ts'))]))).toBe(false);
  });
});

const dir = testDir('plain-access');

/** README's byte-per-page allocator, plain typed-array code under a global lock: racy when run without it. */
const bytePerPage = `export default {
  name: 'byte-per-page',
  locking: 'global-lock',
  maxRun: 1,
  sharedBytes: (pages) => pages,
  init(memory, pages) {
    new Uint8Array(memory.buffer, memory.byteOffset, pages).fill(0);
  },
  attach(memory, pages) {
    const held = new Uint8Array(memory.buffer, memory.byteOffset, pages);
    return {
      alloc(count) {
        if (count !== 1) throw new RangeError('alloc(' + count + '): only single pages');
        const page = held.indexOf(0);
        if (page >= 0) held[page] = 1;
        return page;
      },
      free(first, count) {
        if (count !== 1 || held[first] !== 1) throw new RangeError('free(' + first + ', ' + count + '): not allocated');
        held[first] = 0;
      },
      isAllocated: (page) => held[page] === 1,
    };
  },
};`;

function exploreOptions(allocator: ExploreOptions['allocator'], points: PointsMode): ExploreOptions {
  const scenario = validateScenario(
    { description: 'plain points', memory: 32, threads: 2, ops: 6, seed: 'plain-1', lock: false, workload: { maxHeldPages: 4 }, expect: ['double-allocation'], explore: { threads: 2, ops: 6, memory: 32, maxHeldPages: 4 } },
    'plain-points.ts',
  );
  return {
    scenario,
    // Where a user's scenario would be, beside their module: a token names files that exist.
    scenarioFile: path.join(dir, 'plain-points.ts'),
    allocator,
    size: { threads: 2, ops: 6, pages: 32, maxHeldPages: 4 },
    strategy: 'random',
    depth: 2,
    runs: 40,
    timeBudgetMs: Infinity,
    seed: 'plain-1',
    shard: { index: 1, count: 1 },
    stepBudget: 20_000,
    points,
    checkDeterminism: false,
    shrink: false,
  };
}

describe('plain typed-array accesses as scheduling points', () => {
  it("finds a plain-typed-array allocator's race only with --points all", async () => {
    // Written where a user's module would be, outside pagerace: it loads as CommonJS.
    const file = path.join(dir, 'byte-per-page.ts');
    writeFileSync(file, bytePerPage);
    const [allocator] = await loadAllocators([file]);
    const atomicsOnly = await explore(exploreOptions(allocator!, 'atomics'));
    // No Atomics call in alloc or free: each thread runs its whole phase as one step, and nothing races.
    expect(atomicsOnly.finding).toBeUndefined();
    expect(atomicsOnly.schedules).toBe(40);
    const all = await explore(exploreOptions(allocator!, 'all'));
    expect(all.finding?.violation.kind).toBe('double-allocation');
    expect(all.finding!.trace).toMatch(/read u8\[\d+\] saw 0x00/);
    expect(all.finding!.trace).toMatch(/write u8\[\d+\] 0x01/);
    writeFileSync(path.join(dir, 'plain-points.ts'), 'export default {};\n');
    expect(decodeToken(all.finding!.replayToken, { projectRoot: process.cwd(), currentFolder: dir }).points).toBe('all');
  });

  it('rewrites third-party packages the code under test imports, ES module and CommonJS alike', async () => {
    // A project of a user's: an ES module package whose allocator keeps its bitmap in two packages of
    // its own node_modules, one ES module and one CommonJS, each with plain typed-array code.
    const project = path.join(dir, 'project');
    mkdirSync(path.join(project, 'node_modules', 'esm-bits'), { recursive: true });
    mkdirSync(path.join(project, 'node_modules', 'cjs-bits'), { recursive: true });
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(path.join(project, 'node_modules', 'esm-bits', 'package.json'), JSON.stringify({ name: 'esm-bits', type: 'module', main: 'index.js' }));
    writeFileSync(path.join(project, 'node_modules', 'esm-bits', 'index.js'), 'export function firstFree(bytes) { for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0) return i; return -1; }\n');
    writeFileSync(path.join(project, 'node_modules', 'cjs-bits', 'package.json'), JSON.stringify({ name: 'cjs-bits', main: 'index.js' }));
    writeFileSync(path.join(project, 'node_modules', 'cjs-bits', 'index.js'), 'exports.mark = function (bytes, i, v) { bytes[i] = v; };\n');
    const file = path.join(project, 'split.ts');
    writeFileSync(
      file,
      bytePerPage
        .replace("name: 'byte-per-page'", "name: 'split'")
        .replace('const page = held.indexOf(0);', 'const page = firstFree(held);')
        .replace('if (page >= 0) held[page] = 1;', 'if (page >= 0) bits.mark(held, page, 1);')
        .replace("export default {", "import { firstFree } from 'esm-bits';\nimport bits from 'cjs-bits';\nexport default {"),
    );
    const [allocator] = await loadAllocators([file]);
    const all = await explore(exploreOptions(allocator!, 'all'));
    expect(all.finding?.violation.kind).toBe('double-allocation');
    expect(all.finding!.trace).toMatch(/read u8\[\d+\] saw 0x00/);
    expect(all.finding!.trace).toMatch(/write u8\[\d+\] 0x01/);
  });
});
