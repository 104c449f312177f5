import {writeFileSync} from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LoadedAllocator, loadAllocators } from '../alloc/load-allocator.ts';
import { builtins } from '../alloc/registry.ts';
import { listScenarios, loadScenario, validateScenario } from '../scenario/load.ts';
import { repoRoot, runCli } from '../testing/cli.ts';
import { type ExploreOptions, coordinatorFor, explore } from './explore.ts';
import { Request } from './protocol.ts';
import { SPIN_SWITCH } from './spin-detector.ts';
import { defaultStrategy } from './strategies/index.ts';
import { RandomWalk } from './strategies/random.ts';
import { testDir } from '../testing/test-dir.ts';

const dir = testDir('explore');

function options(overrides: Partial<ExploreOptions> & Pick<ExploreOptions, 'scenario' | 'allocator'>): ExploreOptions {
  const { scenario } = overrides;
  return {
    scenarioFile: 'test.ts',
    size: { threads: scenario.explore.threads, ops: scenario.explore.ops, pages: scenario.explore.pages, maxHeldPages: scenario.explore.maxHeldPages },
    strategy: 'random',
    depth: 2,
    runs: 500,
    timeBudgetMs: Infinity,
    seed: scenario.seed,
    shard: { index: 1, count: 1 },
    checkDeterminism: false,
    shrink: false,
    ...overrides,
  };
}

const scenarioFor = (fields: Record<string, unknown>) =>
  validateScenario({ description: 'controlled test', memory: 64, threads: 2, ops: 6, seed: 'controlled-1', workload: { maxHeldPages: 8 }, expect: 'pass', ...fields }, 'controlled-test.ts');

async function userModule(name: string, source: string): Promise<LoadedAllocator> {
  const file = path.join(dir, name);
  writeFileSync(file, source);
  return (await loadAllocators([file]))[0]!;
}

describe('explore finds every known bug from its committed seed', async () => {
  const knownBugs = (await listScenarios()).filter((name) => name.startsWith('known-bugs/'));
  it.each(knownBugs)('%s within 500 schedules', async (name) => {
    const { scenario } = await loadScenario(name);
    const [allocator] = await loadAllocators(scenario.allocators);
    const result = await explore(options({ scenario, allocator: allocator! }));
    expect(result.finding, `no violation in ${result.schedules} schedules`).toBeDefined();
    expect(result.schedules).toBeLessThanOrEqual(500);
    expect(scenario.explore.expect).toContain(result.finding!.violation.kind);
    expect(result.ok).toBe(true);
    expect(result.finding!.replayToken).toMatch(/^pagerace1\./);
    expect(result.finding!.traceDigest).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('replay round trip', () => {
  // Five commands, one of them shrinking (sizes, then preemptions: up to 35 s on a loaded machine).
  it('explore fails; its printed token, replayed twice, gives the same violation and trace digest', { timeout: 150_000 }, async () => {
    const explored = await runCli('explore.ts', ['scenarios/known-bugs/racy-rmw', '--json']);
    expect(explored.code).toBe(0);
    const json = JSON.parse(explored.stdout);
    expect(json.replayToken).toMatch(/^pagerace1\./);
    expect(json.traceDigest).toMatch(/^[0-9a-f]{16}$/);
    for (let i = 0; i < 2; i++) {
      const replayed = await runCli('replay.ts', [json.replayToken, '--json']);
      expect(replayed.code).toBe(0);
      const again = JSON.parse(replayed.stdout);
      expect(again.outcome).toBe('violation');
      expect(again.violation.kind).toBe(json.violation.kind);
      expect(again.violation.message).toBe(json.violation.message);
      expect(again.traceDigest).toBe(json.traceDigest);
      expect(again.sameTrace).toBe(true);
      expect(again.sameViolation).toBe(true);
    }
    // The human form ends with the command that replays it.
    const text = await runCli('explore.ts', ['scenarios/known-bugs/racy-rmw', '--no-shrink']);
    expect(text.stdout).toMatch(/replay: npm run replay -- pagerace1\.\S+$/m);
    expect(text.stdout).toMatch(/> +\d+ \|/); // the violating step is marked in the trace
  });

  it('a corrupted, truncated, foreign or stale token is exit 2 with a clear message', { timeout: 120_000 }, async () => {
    const explored = JSON.parse((await runCli('explore.ts', ['scenarios/known-bugs/racy-rmw', '--json', '--no-shrink'])).stdout);
    const token: string = explored.replayToken;
    const [head, body, sum] = token.split('.') as [string, string, string];
    const flipped = `${head}.${body.slice(0, 10)}${body[10] === 'A' ? 'B' : 'A'}${body.slice(11)}.${sum}`;
    const cases: [string, RegExp][] = [
      [flipped, /replay token is corrupted: its checksum does not match/],
      [token.slice(0, token.length - 12), /not a replay token: its parts are damaged/],
      ['hello', /not a replay token: expected a word starting with pagerace1\./],
      [token.replace(/^pagerace1\./, 'pagerace9.'), /replay token version 9 is not one this pagerace reads/],
    ];
    for (const [bad, message] of cases) {
      const result = await runCli('replay.ts', [bad]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
    // Stale: the same scenario file, edited after the token was made.
    const copy = path.join(repoRoot, 'scenarios', `stale-${process.pid}.ts`);
    const original = await loadScenario('known-bugs/racy-rmw');
    writeFileSync(copy, `export default ${JSON.stringify({ description: 'x', allocators: ['byte-cas/racy-rmw'], memory: 1024, threads: 8, ops: 10, seed: original.scenario.seed, expect: ['double-allocation'] })};\n`);
    try {
      const made = JSON.parse((await runCli('explore.ts', [copy, '--json', '--no-shrink'])).stdout);
      writeFileSync(copy, `export default ${JSON.stringify({ description: 'x', allocators: ['byte-cas/racy-rmw'], memory: 1024, threads: 8, ops: 11, seed: original.scenario.seed, expect: ['double-allocation'] })};\n`);
      const stale = await runCli('replay.ts', [made.replayToken]);
      expect(stale.code).toBe(2);
      expect(stale.stderr).toMatch(/stale replay token: .*stale-\d+\.ts has changed since the token was made/);
    } finally {
      (await import('node:fs')).rmSync(copy);
    }
  });
});

describe('explore for CI', () => {
  it('--shard i/N splits the schedule seeds; --junit writes a test case per allocator', async () => {
    const junit = path.join(dir, 'explore.xml');
    const shards = [];
    for (const shard of ['1/2', '2/2']) {
      const result = await runCli('explore.ts', ['smoke', '--allocator', 'byte-cas,stack-bitmap', '--runs', '3', '--shard', shard, '--junit', junit, '--json']);
      expect(result.code).toBe(0);
      shards.push(JSON.parse(result.stdout) as { shard: string; schedules: number; steps: number }[]);
    }
    expect(shards.map((runs) => runs.map((r) => `${r.shard}:${r.schedules}`))).toEqual([['1/2:3', '1/2:3'], ['2/2:3', '2/2:3']]);
    // Different schedule seeds: the two shards did not run the same interleavings.
    expect(shards[0]![0]!.steps).not.toBe(shards[1]![0]!.steps);
    const xml = (await import('node:fs')).readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="pagerace explore" tests="2" failures="0"/);
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml).toContain(`name="smoke on stack-bitmap (${defaultStrategy}, shard 2/2)"`);
  });

  it('--junit records a failure with its trace and replay command when the expectation is not met', async () => {
    const junit = path.join(dir, 'failing.xml');
    const result = await runCli('explore.ts', ['smoke', '--allocator', 'byte-cas/racy-rmw', '--no-shrink', '--junit', junit]);
    expect(result.code).toBe(1);
    const xml = (await import('node:fs')).readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="pagerace explore" tests="1" failures="1"/);
    expect(xml).toMatch(/<failure message="double-allocation: /);
    expect(xml).toMatch(/replay: npm run replay -- pagerace1\./);
  });
});

describe('correct allocators pass 200 schedules', () => {
  for (const threads of [2, 3]) {
    for (const strategy of ['random', 'pct'] as const) {
      it.each(builtins.map((d) => d.name))(`%s at ${threads} threads under ${strategy}`, async (name) => {
        const definition = builtins.find((d) => d.name === name)!;
        const scenario = scenarioFor({
          memory: 32,
          workload: { maxHeldPages: 4, runs: definition.maxRun > 1 ? { sizes: [1, 2, 4] } : 1, crossThreadFrees: 0.25 },
          explore: { threads, ops: 4, memory: 32, maxHeldPages: 4 },
        });
        const result = await explore(options({ scenario, allocator: { ref: { builtin: name }, name, definition }, strategy, depth: 3, runs: 200 }));
        expect(result.finding?.violation).toBeUndefined();
        expect(result.schedules).toBe(200);
        expect(result.ok).toBe(true);
        if (strategy === 'pct') expect(result.bound!.perRun).toBeGreaterThan(0);
      });
    }
  }
});

describe('waiting, spinning and code written without pagerace', () => {
  it('a lock that is never released is a deadlock', async () => {
    const allocator = await userModule(
      'never-unlocks.ts',
      `export default {
        name: 'never-unlocks', locking: 'lock-free', maxRun: 1,
        sharedBytes: () => 8, init() {},
        attach(memory) {
          const lock = new Int32Array(memory.buffer, memory.byteOffset, 2);
          let next = 0;
          return {
            alloc() {
              while (Atomics.compareExchange(lock, 0, 0, 1) !== 0) Atomics.wait(lock, 0, 1);
              return next++ % 8; // forgets to unlock
            },
            free() {}, isAllocated: () => false,
          };
        },
      };`,
    );
    const result = await explore(options({ scenario: scenarioFor({}), allocator, runs: 5 }));
    expect(result.finding?.violation.kind).toBe('deadlock');
    expect(result.finding?.violation.message).toMatch(/every live thread is blocked: thread 0 waits on i32\[\d+\], thread 1 waits on i32\[\d+\]/);
  });

  it('a spin that nothing can end is a livelock, seen as a spin: no step budget needed', async () => {
    const allocator = await userModule(
      'spins.ts',
      `export default {
        name: 'spins', locking: 'lock-free', maxRun: 1,
        sharedBytes: () => 8, init() {},
        attach(memory) {
          const flag = new Int32Array(memory.buffer, memory.byteOffset, 2);
          return {
            alloc() { while (Atomics.load(flag, 0) === 0) {} return 0; }, // nobody ever sets the flag
            free() {}, isAllocated: () => false,
          };
        },
      };`,
    );
    const result = await explore(options({ scenario: scenarioFor({}), allocator, runs: 2 }));
    expect(result.finding?.violation.kind).toBe('livelock');
    expect(result.finding?.violation.message).toMatch(/every live thread spins or waits: thread \d re-read i32\[\d+\] 1000 times with no write to it in between, thread \d re-read i32\[\d+\] 1000 times/);
    // Each spinner was switched out after a few re-reads while the other could run, then ran alone to the limit.
    expect(result.finding!.steps).toBeLessThan(2 * 1000 + 100);
  });

  it('a spin lock that is released is no livelock: the spinner is switched out while the holder runs', { timeout: 180_000 }, async () => {
    const allocator = await userModule(
      'spin-lock.ts',
      `export default {
        name: 'spin-lock', locking: 'lock-free', maxRun: 1,
        sharedBytes: (pages) => 8 + pages * 4, init() {},
        attach(memory, pages) {
          const lock = new Int32Array(memory.buffer, memory.byteOffset, 2);
          const taken = new Int32Array(memory.buffer, memory.byteOffset + 8, pages);
          const locked = (f) => { while (Atomics.compareExchange(lock, 0, 0, 1) !== 0) {} try { return f(); } finally { Atomics.store(lock, 0, 0); } };
          return {
            // Best fit by two scans of every page: a long critical section, for the others to spin through.
            alloc: () => locked(() => { let free = -1; for (let k = 0; k < 2; k++) for (let p = pages - 1; p >= 0; p--) if (Atomics.load(taken, p) === 0) free = p; if (free >= 0) Atomics.store(taken, free, 1); return free; }),
            free: (page) => locked(() => Atomics.store(taken, page, 0)),
            isAllocated: (page) => Atomics.load(taken, page) === 1,
          };
        },
      };`,
    );
    const result = await explore(options({ scenario: scenarioFor({}), allocator, runs: 10 }));
    expect(result.finding?.violation).toBeUndefined();
    expect(result.ok).toBe(true);
    // How long a thread spins: its failed CASes on the lock word with no change to the word in between.
    // A random walk would give a spinner about half the steps of the holder's scan; switched out, it
    // spins SPIN_SWITCH + 1 times (the first read, then SPIN_SWITCH re-reads) at most.
    const coordinator = coordinatorFor({ scenario: scenarioFor({}), allocator }, { threads: 2, ops: 6, pages: 64, maxHeldPages: 8 });
    let longest = 0;
    try {
      for (let i = 0; i < 5; i++) {
        const run = await coordinator.run(new RandomWalk(`spin-${i}`));
        expect(run.outcome).toBe('pass');
        const spun = [0, 0];
        const lockWord = run.steps.find((st) => st.request === Request.compareExchange)!.index;
        for (const st of run.steps) {
          if (st.index !== lockWord || st.request === Request.load) continue;
          const failed = st.request === Request.compareExchange && st.observed !== st.arg1;
          if (failed) longest = Math.max(longest, ++spun[st.thread]!);
          else spun.fill(0); // the word changed: every spin starts again
        }
      }
    } finally {
      await coordinator.close();
    }
    expect(longest).toBeGreaterThan(SPIN_SWITCH / 2);
    expect(longest).toBeLessThanOrEqual(SPIN_SWITCH + 1);
  });

  it('a loop that keeps writing and never completes an operation is a livelock after the window (--steps)', async () => {
    const allocator = await userModule(
      'churns.ts',
      `export default {
        name: 'churns', locking: 'lock-free', maxRun: 1,
        sharedBytes: () => 8, init() {},
        attach(memory) {
          const counter = new Int32Array(memory.buffer, memory.byteOffset, 2);
          return { alloc() { for (;;) Atomics.add(counter, 0, 1); }, free() {}, isAllocated: () => false };
        },
      };`,
    );
    const result = await explore(options({ scenario: scenarioFor({}), allocator, runs: 1, progressWindow: 3000 }));
    expect(result.finding?.violation.kind).toBe('livelock');
    expect(result.finding?.violation.message).toMatch(/no thread completed an operation in 3000 steps \(steps \d+\.\.\d+\): threads 0, 1 keep making calls/);
  });

  it('a long correct run is no livelock: the window counts from the last completed operation, not from the start', async () => {
    const scenario = scenarioFor({ memory: 64, workload: { maxHeldPages: 8 }, explore: { threads: 2, ops: 1500, memory: 64, maxHeldPages: 8 } });
    const [byteCas] = await loadAllocators(['byte-cas']);
    const result = await explore(options({ scenario, allocator: byteCas!, runs: 1, progressWindow: 1000 }));
    expect(result.steps).toBeGreaterThan(3000);
    expect(result.finding?.violation).toBeUndefined();
    expect(result.ok).toBe(true);
  });

  it('zero schedules is no pass: --time-budget 0s is refused, and a budget spent before the first schedule fails', async () => {
    const refused = await runCli('explore.ts', ['smoke', '--time-budget', '0s']);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual(['explore: --time-budget 0s: must be more than 0, e.g. 60s']);
    const [byteCas] = await loadAllocators(['byte-cas']);
    const result = await explore(options({ scenario: scenarioFor({}), allocator: byteCas!, timeBudgetMs: Number.MIN_VALUE }));
    expect(result.schedules).toBe(0);
    expect(result.ok).toBe(false);
  });

  it('a module that calls Atomics directly, knowing nothing of pagerace, is scheduled and its race found', async () => {
    // A bump allocator over a free list of page flags: it reads a flag, then writes it, two calls apart.
    const allocator = await userModule(
      'naive.ts',
      `export default {
        name: 'naive', locking: 'lock-free', maxRun: 1,
        sharedBytes: (pages) => pages * 4,
        init(memory, pages) { new Int32Array(memory.buffer, memory.byteOffset, pages).fill(0); },
        attach(memory, pages) {
          const taken = new Int32Array(memory.buffer, memory.byteOffset, pages);
          return {
            alloc() {
              for (let p = 0; p < pages; p++) {
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
    const result = await explore(options({ scenario: scenarioFor({}), allocator }));
    expect(result.finding?.violation.kind).toBe('double-allocation');
    expect(result.finding!.trace).toMatch(/load i32\[\d+\] = 0/);
    expect(result.finding!.trace).toMatch(/store i32\[\d+\] 1/);
  });

  it('the determinism check passes a deterministic allocator and names the step where a random one departs', async () => {
    const scenario = scenarioFor({});
    const [byteCas] = await loadAllocators(['byte-cas']);
    const clean = await explore(options({ scenario, allocator: byteCas!, runs: 20, checkDeterminism: true }));
    expect(clean.nondeterminism).toBeUndefined();
    expect(clean.ok).toBe(true);
    const allocator = await userModule(
      'coin.ts',
      `export default {
        name: 'coin', locking: 'lock-free', maxRun: 1,
        sharedBytes: (pages) => pages * 4,
        init() {},
        attach(memory, pages) {
          const taken = new Int32Array(memory.buffer, memory.byteOffset, pages);
          return {
            alloc() {
              if (Math.random() < 0.5) Atomics.load(taken, 0); // an extra step, on a coin flip
              for (let p = 0; p < pages; p++) if (Atomics.compareExchange(taken, p, 0, 1) === 0) return p;
              return -1;
            },
            free(page) { Atomics.store(taken, page, 0); },
            isAllocated: (page) => Atomics.load(taken, page) === 1,
          };
        },
      };`,
    );
    const flaky = await explore(options({ scenario, allocator, runs: 20, checkDeterminism: true }));
    expect(flaky.nondeterminism).toBeDefined();
    expect(flaky.ok).toBe(false);
    expect(flaky.nondeterminism!.first).not.toBe(flaky.nondeterminism!.second);
  });
});
