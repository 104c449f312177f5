import * as v from 'valibot';
import { describe, expect, expectTypeOf, test } from 'vitest';
import { defineScenario } from './define.ts';
import { scenarioSchema, type ChurnLength, type Scenario, type ScenarioFields, type ScenarioInput } from './schema.ts';

const minimal = {
  description: 'a test scenario',
  memory: '8GiB',
  threads: 4,
  seed: 'seed-1',
  expect: 'pass',
} satisfies ScenarioInput;

function parse(input: unknown): Scenario {
  return v.parse(scenarioSchema, input);
}

/** Each issue as `[dotted path, message]`, the two parts the load error shows. */
function problems(input: unknown): [string | null, string][] {
  const result = v.safeParse(scenarioSchema, input);
  if (result.success) throw new Error(`expected the scenario to be rejected, got ${JSON.stringify(result.output)}`);
  return result.issues.map((issue) => [v.getDotPath(issue), issue.message]);
}

describe('a valid scenario', () => {
  test('gets every default', () => {
    expect(parse(minimal)).toEqual({
      name: 'unnamed',
      description: 'a test scenario',
      allocators: ['byte-cas', 'colored-region', 'stack-bitmap'],
      pages: 2_097_152,
      threads: [4],
      ops: 10_000,
      seed: 'seed-1',
      workload: {
        allocShare: 0.5,
        runs: { sizes: [1], weights: [1] },
        maxHeldPages: 64,
        crossThreadFrees: 0,
        phases: ['fill', 'churn', 'drain'],
      },
      lock: true,
      watchdogMs: 5000,
      expect: 'pass',
      // 2 x 16 pages wanted over 22: the pressure at which threads meet (explore-size.ts).
      explore: { threads: 2, ops: 8, pages: 22, maxHeldPages: 16, expect: 'pass', given: {} },
    });
  });

  test('is normalized: threads sorted and distinct, seed a string, units converted, runs weighted', () => {
    const scenario = parse({
      ...minimal,
      name: 'custom',
      allocators: ['byte-cas', './my-allocator.ts'],
      memory: 4096,
      threads: [8, 1, 4, 1, 8],
      seed: 42,
      duration: '1.5s',
      watchdog: 250,
      lock: false,
      workload: { runs: { sizes: [1, 8, 2] }, maxHeldPages: 8, crossThreadFrees: 0.25, phases: ['churn'] },
      memoryChanges: { offlineAtStart: 1024 },
      expect: ['double-allocation', 'leak'],
    });
    expect(scenario).toEqual({
      name: 'custom',
      description: 'a test scenario',
      allocators: ['byte-cas', './my-allocator.ts'],
      pages: 4096,
      threads: [1, 4, 8],
      durationMs: 1500,
      seed: '42',
      workload: {
        allocShare: 0.5,
        runs: { sizes: [1, 8, 2], weights: [1, 1, 1] },
        maxHeldPages: 8,
        crossThreadFrees: 0.25,
        phases: ['churn'],
      },
      memoryChanges: { offlineAtStart: 1024, removeWhileRunning: false },
      lock: false,
      watchdogMs: 250,
      expect: ['double-allocation', 'leak'],
      explore: { threads: 2, ops: 8, pages: 11, maxHeldPages: 8, expect: ['double-allocation', 'leak'], given: {} },
    });
    expect(scenario).not.toHaveProperty('ops');
  });

  test('sizes a controlled run from explore, with its own expectation', () => {
    const scenario = parse({ ...minimal, explore: { threads: 3, ops: 4, memory: 64, maxHeldPages: 4, expect: ['hang'] } });
    expect(scenario.explore).toEqual({ threads: 3, ops: 4, pages: 64, maxHeldPages: 4, expect: ['hang'], given: { threads: 3, ops: 4, pages: 64, maxHeldPages: 4 } });
    // One size given fixes the size; the others are derived for it: 3 threads x 16 held over 32 pages.
    expect(parse({ ...minimal, explore: { threads: 3 } }).explore).toMatchObject({ threads: 3, ops: 8, pages: 32, maxHeldPages: 16, given: { threads: 3 } });
    expect(problems({ ...minimal, explore: { threads: 9 } })).toEqual([['explore.threads', expect.stringMatching(/from 1 to 8/)]]);
  });

  test('keeps explicit weights', () => {
    const scenario = parse({ ...minimal, workload: { runs: { sizes: [1, 4], weights: [3, 0.5] } } });
    expect(scenario.workload.runs).toEqual({ sizes: [1, 4], weights: [3, 0.5] });
  });

  test('the normalized type is ScenarioFields & ChurnLength, and ops excludes durationMs', () => {
    expectTypeOf<Scenario>().toEqualTypeOf<ScenarioFields & ChurnLength>();
    const scenario = parse(minimal);
    if (scenario.ops === undefined) expectTypeOf(scenario.durationMs).toEqualTypeOf<number>();
  });
});

describe('a rejected scenario names the field', () => {
  test('threads: 0', () => {
    expect(problems({ ...minimal, threads: 0 })).toEqual([['threads', 'expected a thread count from 1 to 64, got 0']]);
  });

  test('a bad entry in a thread list, by index', () => {
    expect(problems({ ...minimal, threads: [1, 65] })).toEqual([
      ['threads.1', 'expected a thread count from 1 to 64, got 65'],
    ]);
  });

  test('an unknown key at the top level', () => {
    const [[path, message], ...rest] = problems({ ...minimal, bogus: true }) as [[string, string]];
    expect(rest).toEqual([]);
    expect(path).toBe('bogus');
    expect(message).toMatch(/^unknown key "bogus" \(known keys: name, description, .*expect, explore\)$/);
  });

  test('an unknown key in workload and in workload.runs', () => {
    expect(problems({ ...minimal, workload: { bogus: 1 } })).toEqual([
      ['workload.bogus', 'unknown key "bogus" (known keys: allocShare, runs, maxHeldPages, crossThreadFrees, phases)'],
    ]);
    expect(problems({ ...minimal, workload: { runs: { sizes: [1], size: 2 } } })).toEqual([
      ['workload.runs.size', 'unknown key "size" (known keys: sizes, weights)'],
    ]);
  });

  test('an unknown key in memoryChanges', () => {
    expect(problems({ ...minimal, memoryChanges: { offlineAtStart: 8, removeWhileRuning: true } })[0]?.[0]).toBe(
      'memoryChanges.removeWhileRuning',
    );
  });

  test('a missing required field', () => {
    const { description: _, ...input } = minimal;
    expect(problems(input)).toEqual([['description', 'required, but missing']]);
  });

  test('ops and duration together', () => {
    expect(problems({ ...minimal, ops: 100, duration: '1s' })).toEqual([
      ['duration', 'give either ops or duration, not both'],
    ]);
  });

  test('maxHeldPages smaller than the largest run size', () => {
    expect(problems({ ...minimal, workload: { runs: { sizes: [1, 16] }, maxHeldPages: 8 } })).toEqual([
      ['workload.maxHeldPages', 'expected at least the largest run size (16), got 8'],
    ]);
    expect(problems({ ...minimal, workload: { runs: 128 } })).toEqual([
      ['workload.maxHeldPages', 'expected at least the largest run size (128), got 64'],
    ]);
  });

  test('maxHeldPages 0', () => {
    expect(problems({ ...minimal, workload: { maxHeldPages: 0 } })).toEqual([
      ['workload.maxHeldPages', 'expected an integer >= 1, got 0'],
    ]);
  });

  test('weights that do not match the sizes', () => {
    expect(problems({ ...minimal, workload: { runs: { sizes: [1, 2], weights: [1] } } })).toEqual([
      ['workload.runs.weights', 'expected 2 weights, one per size, got 1'],
    ]);
    expect(problems({ ...minimal, workload: { runs: { sizes: [1, 2], weights: [1, 0] } } })).toEqual([
      ['workload.runs.weights.1', 'expected a weight > 0, got 0'],
    ]);
  });

  test('a run that is neither a size nor { sizes, weights }', () => {
    expect(problems({ ...minimal, workload: { runs: 'big' } })).toEqual([
      ['workload.runs', 'expected a run size (an integer >= 1) or { sizes, weights }, got "big"'],
    ]);
  });

  test('memory in a decimal unit, and too little memory', () => {
    const [[path, message]] = problems({ ...minimal, memory: '8GB' }) as [[string, string]];
    expect(path).toBe('memory');
    expect(message).toContain('"8GB"');
    expect(problems({ ...minimal, memory: '16KiB' })).toEqual([['memory', 'expected at least 8 pages, got 4']]);
  });

  test('a zero or unparseable duration', () => {
    expect(problems({ ...minimal, duration: 0 })).toEqual([['duration', 'expected a duration above 0 ms, got 0']]);
    expect(problems({ ...minimal, watchdog: 'forever' })[0]?.[0]).toBe('watchdog');
  });

  test('fractions outside [0, 1]', () => {
    expect(problems({ ...minimal, workload: { allocShare: 1.5, crossThreadFrees: -0.1 } })).toEqual([
      ['workload.allocShare', 'expected a number from 0 to 1, got 1.5'],
      ['workload.crossThreadFrees', 'expected a number from 0 to 1, got -0.1'],
    ]);
  });

  test('bad expectations', () => {
    expect(problems({ ...minimal, expect: 'fail' })).toEqual([
      ['expect', 'expected "pass" or a list of violation kinds, got "fail"'],
    ]);
    expect(problems({ ...minimal, expect: [] })).toEqual([
      ['expect', 'expected a list of violation kinds, got an empty list'],
    ]);
    expect(problems({ ...minimal, expect: ['leak', 'leak'] })).toEqual([
      ['expect', 'expected distinct violation kinds, got "leak" twice'],
    ]);
    expect(problems({ ...minimal, expect: ['lek'] })[0]?.[0]).toBe('expect.0');
  });

  test('an empty phase list and an unknown phase', () => {
    expect(problems({ ...minimal, workload: { phases: [] } })[0]?.[0]).toBe('workload.phases');
    expect(problems({ ...minimal, workload: { phases: ['fil'] } })).toEqual([
      ['workload.phases.0', 'expected a phase (fill, churn, drain), got "fil"'],
    ]);
  });

  test('taking all the memory offline', () => {
    expect(problems({ ...minimal, memory: 64, memoryChanges: { offlineAtStart: 64 } })).toEqual([
      ['memoryChanges.offlineAtStart', "expected fewer pages than the scenario's memory (64), got 64"],
    ]);
  });

  test('an empty seed and an empty allocator list', () => {
    expect(problems({ ...minimal, seed: '' })).toEqual([['seed', 'expected a non-empty string or a number, got ""']]);
    expect(problems({ ...minimal, allocators: [] })).toEqual([
      ['allocators', 'expected a list of allocators, got an empty list'],
    ]);
  });

  test('every problem is reported, not only the first', () => {
    expect(problems({ ...minimal, threads: 0, seed: '', bogus: 1 }).map(([path]) => path)).toEqual([
      'threads',
      'seed',
      'bogus',
    ]);
  });
});

describe('defineScenario', () => {
  test('returns its input unchanged', () => {
    const input = { ...minimal, workload: { runs: 2 } };
    expect(defineScenario(input)).toBe(input);
  });

  test('types catch unknown keys in a scenario file', () => {
    // @ts-expect-error: `bogus` is not a scenario field
    defineScenario({ ...minimal, bogus: 1 });
    // @ts-expect-error: `thread` is a typo for `threads`
    defineScenario({ description: 'x', memory: 8, thread: 4, seed: 1, expect: 'pass' });
  });
});

describe('one problem per field', () => {
  test('a fractional thread count is reported once, not also as out of range', () => {
    expect(problems({ ...minimal, threads: 0.5 })).toEqual([
      ['threads', 'expected a thread count from 1 to 64, got 0.5'],
    ]);
  });

  test('a cross-field check stays quiet while a field it compares is itself invalid', () => {
    expect(problems({ ...minimal, workload: { maxHeldPages: 0 } })).toHaveLength(1);
  });
});
