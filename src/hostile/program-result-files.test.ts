/**
 * Damaged object result files, made from a real object sweep's file: half-written (cut anywhere), a
 * field of the wrong type, Infinity, a count that claims more rounds than the outcomes hold, latency of
 * an operation the object lacks, a control character in a name, an unknown version. Each is refused in
 * one line naming the file, in process and through `report` and `compare` (exit 2, no stack trace).
 */
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadAnyResultFile } from '../report/load-program-results.ts';
import { loadProgramInfo } from '../subjects/program/load-program.ts';
import { runProgramSweep } from '../subjects/program/program-sweep.ts';
import { repoRoot } from '../testing/cli.ts';
import { testDir } from '../testing/test-dir.ts';
import { runBounded, usageFailure } from './bounded-cli.ts';
import { damagedFiles, expectRefused as expectRefusedBy } from './damaged-files.ts';

const dir = testDir('program-results');
const objectFile = path.join(repoRoot, 'examples/ringbuf/object.ts');
const info = (await loadProgramInfo(objectFile, 'examples/ringbuf/object.ts'))!;
const sweep = await runProgramSweep({ file: objectFile, shown: 'examples/ringbuf/object.ts', info, threads: [1, 2], rounds: 40, timeBudgetMs: Infinity, watchdogMs: 5000, outDir: dir, extraFlags: [] });
const realFile = path.resolve(sweep.resultFile);
const real = JSON.parse(JSON.stringify(sweep)) as Record<string, unknown>;
const realText = JSON.stringify(real, null, 2);
const files = damagedFiles(dir, real);
const damaged = files.write;
const withField = (at: (string | number)[], value: unknown): string => JSON.stringify(files.withField(at, value));

const numberFields: (string | number)[][] = [
  ['runs', 0, 'threads'],
  ['runs', 0, 'opsPerSec'],
  ['runs', 1, 'roundsPerSec'],
  ['runs', 1, 'completed'],
  ['runs', 1, 'latency', 'operations', 'push', 'p99'],
  ['runs', 0, 'latency', 'timerFloorNs'],
  ['runs', 0, 'outcomes', 0, 'rounds'],
  ['machine', 'cpus'],
];

const damage = {
  'half-written': fc.integer({ min: 0, max: realText.length - 2 }).map((n) => realText.slice(0, n)),
  'wrong type': fc
    .tuple(fc.constantFrom(...numberFields), fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.constant(-1), fc.constant([1])))
    .map(([at, value]) => withField(at, value)),
  Infinity: fc.constantFrom(...numberFields).map((at) => files.withRawField(at, '1e999')),
  'claims more than it holds': fc.constantFrom(
    withField(['runs', 0, 'completed'], 41),
    withField(['runs', 1, 'failed'], 3),
    withField(['runs', 0, 'outcomes', 0, 'outcome'], 'lucky'),
    withField(['runs', 0, 'latency', 'operations', 'peek'], (real['runs'] as { latency: { operations: Record<string, unknown> } }[])[0]!.latency.operations['push']),
    withField(['complete'], 'yes'),
    withField(['verdict'], undefined),
  ),
  'control characters': fc.constantFrom('\u001b[31m', '\r', '\u0000', '\u202e').map((control) => withField(['program'], `ringbuf${control}`)),
  'unknown version': fc.constantFrom(0, 2, '1', null).map((version) => withField(['version'], version)),
} as const;

const expectRefused = (file: string): string => expectRefusedBy(loadAnyResultFile, file);

describe('a damaged object result file is refused in one line, in process', () => {
  it('the real file loads', () => {
    expect(loadAnyResultFile(realFile)).toMatchObject({ kind: 'program', loaded: { result: { subject: 'object', complete: true } } });
  });

  it.each(Object.entries(damage))('%s', (_, arbitrary) => {
    fc.assert(
      fc.property(arbitrary, (text) => {
        expectRefused(damaged(text));
      }),
      { numRuns: 20 },
    );
  });

  it('names what is wrong', () => {
    expect(expectRefused(damaged(withField(['runs', 0, 'completed'], 41)))).toMatch(/runs\.0: its outcomes do not add up to its completed rounds/);
    expect(expectRefused(damaged(realText.slice(0, realText.length >> 1)))).toMatch(/: truncated: the JSON stops before its end/);
  });
});

describe('through the commands: exit 2, one line, no stack', () => {
  const commands: [string, string, () => [string, string[]]][] = [
    ['report', 'half-written', () => ['report.ts', [damaged(realText.slice(0, 900)), '--out', dir]]],
    ['compare', 'a count past its outcomes', () => ['compare.ts', [realFile, damaged(withField(['runs', 1, 'completed'], 99)), '--out', dir]]],
  ];
  it.each(commands)('%s: %s', async (_, __, args) => {
    const [entry, argv] = args();
    const result = await runBounded(entry, argv);
    expect(usageFailure(result), result.stderr).toMatchObject({ code: 2, lines: 1, stack: false, control: false });
    expect(usageFailure(result).line).toContain('damaged-');
  });
});
