/**
 * Hostile scenario files: getters and Proxies that throw when read, 64 TiB of memory, 10^12 operations,
 * a thousand-hour churn, every field of the wrong type, a function for a scenario, control characters
 * in the description, memory changes on an allocator that cannot make them. Each is refused in one line
 * with exit 2 by `npm run stress`, before any run, within 60 s and a 256 MiB V8 heap (bounded-cli.ts);
 * fast-check's arbitrary scenario objects, getters included, are each refused or accepted in process
 * in under a second, never with anything but a one-line UsageError.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../io/usage-error.ts';
import { validateScenario } from '../scenario/load.ts';
import { HEAP_LIMIT_MB, TIME_LIMIT_MS, runBounded, usageFailure } from './bounded-cli.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** Each fixture and what its one line must say. */
const expected: Record<string, RegExp> = {
  'throwing-getter.ts': /throwing-getter\.ts: reading the scenario threw: boom from a getter$/,
  'nested-getter.ts': /nested-getter\.ts: reading the scenario threw: nested boom$/,
  // tsx's module interop reads the default export's keys while importing, so the trap fires there.
  'proxy.ts': /proxy\.ts: could not import: proxy trap$/,
  'memory-64tib.ts': /memory-64tib\.ts: memory: expected at most 67108864 pages \(256GiB\), got 17179869184 pages$/,
  'huge-ops.ts': /huge-ops\.ts: ops: expected an integer from 1 to 1000000000, got 1000000000000$/,
  'huge-duration.ts': /huge-duration\.ts: duration: expected at most 24h, got 3600000000 ms$/,
  'bad-types.ts': /bad-types\.ts: description: expected a non-empty string, got 42; memory: expected a page count or a size such as "8GiB", got Object; threads: .* \(and \d more\)$/,
  'default-function.ts': /default-function\.ts: expected a scenario object, got Function$/,
  'ansi-description.ts': /ansi-description\.ts: description: expected a non-empty string without control characters$/,
  'memory-changes-no-grow.ts': /^stress: allocator stack-bitmap cannot add or remove memory \(no addMemory\/removeMemory\), which scenario memory-changes-no-grow needs$/,
};

describe(`hostile scenario files through npm run stress: exit 2, one line, no run, within ${TIME_LIMIT_MS / 1000} s and a ${HEAP_LIMIT_MB} MiB heap`, () => {
  it('every fixture has its expected line', () => {
    expect(readdirSync(fixtures).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))('%s', async (name, line) => {
    const result = await runBounded('stress-main.ts', [path.join(fixtures, name), '--threads', '1']);
    expect(usageFailure(result), result.stderr).toMatchObject({ code: 2, lines: 1, stack: false, control: false });
    expect(usageFailure(result).line).toMatch(line);
    // No run started: no table row, no result file named.
    expect(result.stdout).not.toMatch(/^(byte-cas|stack-bitmap)\s/m);
    expect(result.stdout).not.toMatch(/^results: /m);
  });
});

// Values of every kind, including ones a schema must never touch twice: getters that throw.
const hostileValue = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.constantFrom('64TiB', '1e999', 1e999, -1, 0, Number.NaN, 2 ** 53, '', '\u001b[31m', 'x'.repeat(10_000), [], {}),
);
const keys = ['name', 'description', 'allocators', 'memory', 'threads', 'ops', 'duration', 'seed', 'workload', 'memoryChanges', 'lock', 'watchdog', 'expect', 'explore', 'bogus'];

const hostileScenario = fc
  .tuple(
    fc.dictionary(fc.constantFrom(...keys), hostileValue, { maxKeys: 10 }),
    fc.subarray(keys, { maxLength: 2 }),
    fc.record({ description: fc.constant('ok'), memory: fc.constant(256), threads: fc.constant(2), seed: fc.constant('s'), expect: fc.constant('pass') }),
    fc.boolean(),
  )
  .map(([fields, throwing, valid, startValid]) => {
    const scenario: Record<string, unknown> = startValid ? { ...valid, ...fields } : { ...fields };
    for (const key of throwing) {
      Object.defineProperty(scenario, key, {
        enumerable: true,
        get() {
          throw new Error(`getter ${key}`);
        },
      });
    }
    return scenario;
  });

describe('arbitrary scenario objects, in process', () => {
  it('are accepted, or refused in one line naming the file, each in under a second', () => {
    fc.assert(
      fc.property(hostileScenario, (input) => {
        const started = performance.now();
        try {
          validateScenario(input, 'hostile.ts');
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          const message = (error as UsageError).message;
          expect(message.startsWith('hostile.ts: ')).toBe(true);
          expect(message).not.toMatch(/[\n\r]/);
          expect(message.length).toBeLessThan(2_000);
        }
        expect(performance.now() - started).toBeLessThan(1_000);
      }),
      { numRuns: 500 },
    );
  });
});
