import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LoadedAllocator, loadAllocators } from '../alloc/load-allocator.ts';
import { MEETING_PRESSURE, pressureOf } from '../scenario/explore-size.ts';
import { listScenarios, loadScenario, validateScenario } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import { junitXml } from '../report/junit.ts';
import { testDir } from '../testing/test-dir.ts';
import { type SizedExploreOptions, exploreSizes, fixedSize, growthLadder, opsLadder, sizeLabel } from './sizes.ts';

const dir = testDir('sizes');

/** The first `n` sizes growth would try. */
function ladder(scenario: Scenario, n: number) {
  const sizes = [];
  for (const size of growthLadder(scenario)) {
    sizes.push(size);
    if (sizes.length === n) break;
  }
  return sizes;
}

const wanted = (size: { threads: number; maxHeldPages: number }) => size.threads * size.maxHeldPages;

describe('every size keeps its scenario pressure', () => {
  it('grows 2, 3, 4 threads x 8 ops, then 32, then 128, ...', async () => {
    const { scenario } = await loadScenario('churn');
    expect(ladder(scenario, 9).map(sizeLabel)).toEqual(['2x8', '3x8', '4x8', '2x32', '3x32', '4x32', '2x128', '3x128', '4x128']);
  });

  it('near-oom stays near out of memory: the threads want twice the pages there are, at every size', async () => {
    const { scenario } = await loadScenario('near-oom');
    expect(pressureOf(scenario)).toBe(2);
    for (const size of ladder(scenario, 9)) {
      expect(size.pages).toBe(Math.ceil(wanted(size) / 2));
      expect(size.maxHeldPages).toBeLessThanOrEqual(scenario.workload.maxHeldPages);
    }
  });

  it('contention keeps every thread in one byte-cas block (31,744 pages)', async () => {
    const { scenario } = await loadScenario('contention');
    for (const size of ladder(scenario, 12)) expect(size.pages).toBeLessThanOrEqual(31_744);
  });

  it("in every shipped scenario, threads together may hold more pages than there are, so their areas overlap", async () => {
    for (const name of await listScenarios()) {
      const { scenario } = await loadScenario(name);
      if (fixedSize(scenario)) continue; // the file gives its own size, and gets it
      for (const size of ladder(scenario, 9)) {
        // Pages are rounded up, so the pressure can come out a little under its target.
        expect(wanted(size) / size.pages, `${name} ${sizeLabel(size)}`).toBeGreaterThan(MEETING_PRESSURE * 0.9);
      }
    }
  });

  it('a size given fixes the size; the sizes not given are derived for it', async () => {
    const { scenario } = await loadScenario('churn');
    expect(fixedSize(scenario)).toBeUndefined();
    expect(fixedSize(scenario, { threads: 3 })).toEqual({ threads: 3, ops: 8, pages: 32, maxHeldPages: 16 });
    expect(fixedSize(scenario, { threads: 8, ops: 188, pages: 1024, maxHeldPages: 64 })).toEqual({ threads: 8, ops: 188, pages: 1024, maxHeldPages: 64 });
    const { scenario: partialClaim } = await loadScenario('known-bugs/partial-claim');
    expect(fixedSize(partialClaim)).toEqual({ threads: 2, ops: 12, pages: 256, maxHeldPages: 96 });
    expect(fixedSize(partialClaim, { ops: 3 })).toEqual({ threads: 2, ops: 3, pages: 256, maxHeldPages: 96 });
  });

  it('ops up to N: the same threads, memory and held limit at 8, 32, 128, ... ops, ending at N exactly', () => {
    const size = { threads: 4, ops: 5696, pages: 4096, maxHeldPages: 64 };
    expect([...opsLadder(size)]).toEqual([8, 32, 128, 512, 2048, 5696].map((ops) => ({ ...size, ops })));
    expect([...opsLadder({ ...size, ops: 8 })]).toEqual([{ ...size, ops: 8 }]);
    expect([...opsLadder({ ...size, ops: 3 })]).toEqual([{ ...size, ops: 3 }]);
  });

  it("ops up to N in a scenario: the rungs below N take the ladder's memory from pressure, so threads meet; N keeps its own size", async () => {
    const { scenario } = await loadScenario('near-oom');
    const size = { threads: 2, ops: 4582, pages: 4096, maxHeldPages: 1024 };
    const sizes = [...opsLadder(size, scenario)];
    expect(sizes.map(sizeLabel)).toEqual(['2x8', '2x32', '2x128', '2x512', '2x2048', '2x4582']);
    for (const rung of sizes.slice(0, -1)) expect(rung).toEqual(fixedSize(scenario, { threads: 2, ops: rung.ops }));
    // At 4,096 pages two threads hold at most half of memory; below N they want twice what there is.
    for (const rung of sizes.slice(0, -1)) expect(wanted(rung) / rung.pages).toBe(2);
    expect(sizes.at(-1)).toEqual(size);
    // A scenario file's own explore sizes are what its rungs get.
    const { scenario: partialClaim } = await loadScenario('known-bugs/partial-claim');
    expect([...opsLadder({ threads: 2, ops: 40, pages: 1024, maxHeldPages: 128 }, partialClaim)].slice(0, -1)).toEqual(
      [8, 32].map((ops) => ({ threads: 2, ops, pages: 256, maxHeldPages: 96 })),
    );
  });
});

/**
 * Two arenas picked by `thread & 1`, as if written for two CPUs; inside an arena, first fit. The buggy
 * one claims a page with a load and a store: harmless while each arena has one thread, a race once a
 * third thread shares arena 0. The correct one claims with a compareExchange.
 */
function arenas(claim: 'load-store' | 'cas'): string {
  const take =
    claim === 'cas' ? 'if (Atomics.compareExchange(taken, p, 0, 1) === 0) return p;' : 'if (Atomics.load(taken, p) === 0) { Atomics.store(taken, p, 1); return p; }';
  return `export default {
    name: 'arenas-${claim}', locking: 'lock-free', maxRun: 1,
    sharedBytes: (pages) => pages * 4,
    init(memory, pages) { new Int32Array(memory.buffer, memory.byteOffset, pages).fill(0); },
    attach(memory, pages, thread) {
      const taken = new Int32Array(memory.buffer, memory.byteOffset, pages);
      const half = Math.floor(pages / 2);
      const from = (thread & 1) * half;
      const to = thread & 1 ? pages : half;
      return {
        alloc() { for (let p = from; p < to; p++) { ${take} } return -1; },
        free(page) { Atomics.store(taken, page, 0); },
        isAllocated: (page) => Atomics.load(taken, page) === 1,
      };
    },
  };`;
}

async function userModule(name: string, source: string): Promise<LoadedAllocator> {
  const file = path.join(dir, name);
  writeFileSync(file, source);
  return (await loadAllocators([file]))[0]!;
}

const scenario = validateScenario(
  { description: 'growth test', memory: 4096, threads: [2, 4], ops: 100, seed: 'sizes-1', workload: { maxHeldPages: 16 }, expect: 'pass' },
  'growth-test.ts',
);

function options(allocator: LoadedAllocator, overrides: Partial<SizedExploreOptions> = {}): SizedExploreOptions {
  return {
    scenario,
    scenarioFile: 'growth-test.ts',
    allocator,
    strategy: 'random',
    depth: 2,
    runs: 40,
    timeBudgetMs: Infinity,
    seed: scenario.seed,
    shard: { index: 1, count: 1 },
    checkDeterminism: false,
    shrink: false,
    ...overrides,
  };
}

describe('pages tight enough that threads meet', () => {
  it('finds a race between threads that start at their own hint, which roomy memory hides', async () => {
    // A page flag per page, each thread searching from its own start (a quarter of memory apart, as
    // if for four CPUs), and a load and a store where a compareExchange belongs.
    const hinted = await userModule(
      'hinted.ts',
      `export default {
        name: 'hinted', locking: 'lock-free', maxRun: 1,
        sharedBytes: (pages) => pages * 4,
        init(memory, pages) { new Int32Array(memory.buffer, memory.byteOffset, pages).fill(0); },
        attach(memory, pages, thread) {
          const taken = new Int32Array(memory.buffer, memory.byteOffset, pages);
          const start = Math.floor((thread * pages) / 4) % pages;
          return {
            alloc() {
              for (let i = 0; i < pages; i++) {
                const p = (start + i) % pages;
                if (Atomics.load(taken, p) === 0) { Atomics.store(taken, p, 1); return p; }
              }
              return -1;
            },
            free(page) { Atomics.store(taken, page, 0); },
            isAllocated: (page) => Atomics.load(taken, page) === 1,
          };
        },
      };`,
    );
    // The size explore had before it kept the pressure: 256 pages, so thread 1 starts 64 pages away
    // and neither thread gets there in 16 held pages and 8 ops.
    const roomy = await exploreSizes(options(hinted, { size: { threads: 2, ops: 8, pages: 256, maxHeldPages: 16 }, runs: 60 }));
    expect(roomy.finding).toBeUndefined();
    const grown = await exploreSizes(options(hinted, { runs: 60 }));
    expect(grown.finding?.violation.kind).toBe('double-allocation');
    expect(grown.covered!.map(sizeLabel)).toEqual(['2x8']);
  });
});

describe('growth', () => {
  it('covers several sizes, half of what is left each, and stops at the first finding', async () => {
    const buggy = await userModule('arenas-buggy.ts', arenas('load-store'));
    const result = await exploreSizes(options(buggy));
    // Two threads never share an arena: the 2-thread size runs its whole share and passes.
    expect(result.covered!.map(sizeLabel)).toEqual(['2x8', '3x8']);
    expect(result.covered![0]!.schedules).toBe(20);
    expect(result.covered![1]!.schedules).toBeLessThanOrEqual(10);
    expect(result.finding?.violation.kind).toBe('double-allocation');
    expect(result.finding!.foundSize).toEqual({ threads: 3, ops: 8, pages: 32, maxHeldPages: 16 });
    expect(result.schedules).toBe(result.covered![0]!.schedules + result.covered![1]!.schedules);
    expect(result.ok).toBe(false);
    // CI sees the same: the JUnit failure says which sizes were covered before the finding.
    const passing = { ...result, ok: true };
    expect(junitXml([passing])).toContain(`covered: 2x8 (22 pages) 20 schedules, 3x8 (32 pages) ${result.covered![1]!.schedules} schedules`);
  });

  it('a correct allocator passes every size it covers, within the budget', async () => {
    const correct = await userModule('arenas-correct.ts', arenas('cas'));
    const result = await exploreSizes(options(correct, { runs: 24 }));
    expect(result.finding).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.covered!.map((c) => `${sizeLabel(c)}:${c.schedules}`)).toEqual(['2x8:12', '3x8:6', '4x8:6']);
    expect(result.schedules).toBe(24);
    expect(junitXml([{ ...result, ok: false }])).toMatch(/found nothing in 24 schedules; covered: 2x8 \(22 pages\) 12 schedules, 3x8 \(32 pages\) 6 schedules, 4x8 \(43 pages\) 6 schedules/);
  });

  it("a fixed size is explored as it is, without growing, even where the bug would show at another size", async () => {
    const buggy = await userModule('arenas-buggy-2.ts', arenas('load-store'));
    const twoThreads = fixedSize(scenario, { threads: 2 })!;
    const kept = await exploreSizes(options(buggy, { size: twoThreads, runs: 12 }));
    expect(kept.covered).toEqual([{ ...twoThreads, schedules: 12, steps: kept.steps }]);
    expect(kept.finding).toBeUndefined();
    // The scenario file's own explore size is kept the same way.
    const sized = validateScenario({ description: 'sized', memory: 4096, threads: 4, ops: 100, seed: 'sizes-2', workload: { maxHeldPages: 16 }, expect: 'pass', explore: { threads: 3, ops: 4 } }, 'sized.ts');
    const size = fixedSize(sized)!;
    expect(size).toEqual({ threads: 3, ops: 4, pages: 32, maxHeldPages: 16 });
    const found = await exploreSizes(options(buggy, { scenario: sized, size }));
    expect(found.covered!.map(sizeLabel)).toEqual(['3x4']);
    expect(found.finding?.violation.kind).toBe('double-allocation');
  });
});
