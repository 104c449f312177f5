import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAllocators } from '../alloc/load-allocator.ts';
import { formatViolation } from '../report/format-violation.ts';
import { validateScenario } from '../scenario/load.ts';
import { repoRoot } from '../testing/cli.ts';
import { runSweep } from './sweep.ts';
import { testDir } from '../testing/test-dir.ts';

const dir = testDir('user-module');
const outDir = testDir('user-results');

/** The README's example allocator, taken from the README itself so that the README stays true. */
function readmeExample(): string {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const block = /```ts\n(import type \{ AllocatorDefinition \} from 'pagerace';[\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README has no example allocator');
  return block[1]!;
}

/** A byte-per-page allocator that misbehaves on thread 1 after `after` allocs: `how` is the misbehaviour. */
const misbehaving = (how: string, after: number) => `
let calls = 0;
export default {
  name: 'misbehaving', locking: 'global-lock', maxRun: 1,
  sharedBytes: (pages) => pages,
  init(memory, pages) { new Uint8Array(memory.buffer, memory.byteOffset, pages).fill(0); },
  attach(memory, pages, thread) {
    const held = new Uint8Array(memory.buffer, memory.byteOffset, pages);
    return {
      alloc() {
        if (thread === 1 && ++calls > ${after}) { ${how} }
        const page = held.indexOf(0);
        if (page >= 0) held[page] = 1;
        return page;
      },
      free(first) { held[first] = 0; },
      isAllocated: (page) => held[page] === 1,
    };
  },
};
`;

const scenario = (seed: string) =>
  validateScenario({ description: 'user module', memory: 512, threads: [2], ops: 5000, seed, watchdog: '1s', workload: { maxHeldPages: 32 }, expect: 'pass' }, 'user-module.ts');

async function run(source: string, name: string, seed: string) {
  const file = path.join(dir, name);
  writeFileSync(file, source);
  return runSweep({ scenario: scenario(seed), scenarioFile: 'user-module.ts', allocators: await loadAllocators([file]), threads: [2], checks: true, lock: true, extraFlags: [], outDir });
}

/** OS threads of this process: a worker left running would still be one of them. */
const osThreads = () => readdirSync('/proc/self/task').length;

async function settlesTo(count: number): Promise<number> {
  for (let i = 0; i < 50 && osThreads() > count; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  return osThreads();
}

describe("a user's own allocator module, loaded from a temporary folder", () => {
  it("the README's example runs under the stress harness and passes", async () => {
    const result = await run(readmeExample(), 'byte-per-page.ts', 'readme-1');
    expect(result.runs[0]!.violations).toEqual([]);
    expect(result.runs[0]!.totalOps).toBeGreaterThanOrEqual(10_000);
    expect(result.verdict).toBe('pass');
  });

  it('one that throws is reported as a crash, with the thread and the seed, and no worker is left running', async () => {
    const before = osThreads();
    const result = await run(misbehaving(`throw new Error('boom from the allocator')`, 100), 'throws.ts', 'crash-7');
    const runResult = result.runs[0]!;
    expect(runResult.stopped).toBe('crash');
    const crash = runResult.violations.find((v) => v.kind === 'crash');
    expect(crash?.message).toMatch(/thread 1 stopped: alloc\(1\) threw Error: boom from the allocator/);
    expect(crash?.threads).toEqual([1]);
    const text = formatViolation(crash!, { scenario: 'user-module', seed: result.seed, allocator: runResult.allocator, threads: 2, reproduce: runResult.reproduce });
    expect(text).toMatch(/seed crash-7/);
    expect(text).toMatch(/reproduce: npm run stress -- user-module\.ts --allocator .*throws\.ts --threads 2 --seed crash-7/);
    expect(await settlesTo(before)).toBeLessThanOrEqual(before);
  });

  it('one that never returns is reported as a hang, naming the call it is stuck in, and its worker is terminated', async () => {
    const before = osThreads();
    const started = performance.now();
    const result = await run(misbehaving('for (;;) {}', 100), 'hangs.ts', 'hang-3');
    const runResult = result.runs[0]!;
    expect(runResult.stopped).toBe('hang');
    const hang = runResult.violations.find((v) => v.kind === 'hang');
    expect(hang?.message).toMatch(/made no progress for 1000 ms: thread 1 inside alloc\(1\), holding the global lock/);
    expect(hang?.threads[0]).toBe(1);
    expect(hang?.history[0]?.inFlight).toEqual({ op: 'alloc', first: 0, count: 1 });
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(await settlesTo(before)).toBeLessThanOrEqual(before);
  });
});
