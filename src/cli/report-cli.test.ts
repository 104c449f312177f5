import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../testing/cli.ts';
import { smallSweep } from '../testing/small-sweep.ts';

const sweep = await smallSweep(['byte-cas', 'stack-bitmap'], [1, 2]);
const write = (name: string, text: string) => {
  const file = path.join(sweep.dir, name);
  writeFileSync(file, text);
  return file;
};
const real = readFileSync(sweep.file, 'utf8');

/** Every way a result file can be bad, with what the one line on stderr must say about it. */
const badFiles: [string, string, RegExp][] = [
  ['a missing file', path.join(sweep.dir, 'no-such-run.json'), /no-such-run\.json: no such file$/],
  ['a truncated file', write('half.json', real.slice(0, real.length >> 1)), /half\.json: truncated: the JSON stops before its end/],
  ['foreign JSON', write('hello.json', '{"hello":1}\n'), /hello\.json: not a pagerace stress result: no "kind": "pagerace-stress" \(keys: hello\)$/],
  ['a package.json', path.join(repoRoot, 'package.json'), /package\.json: not a pagerace stress result: no "kind": "pagerace-stress"/],
  ['a result of another version', write('v3.json', '{"kind":"pagerace-stress","version":3,"runs":[]}\n'), /v3\.json: stress result version 3; this pagerace reads versions 1 and 2$/],
  ['a result without its runs\' fields', write('no-fields.json', '{"kind":"pagerace-stress","version":1,"runs":[{"allocator":"x"}]}\n'), /no-fields\.json: not a well-formed stress result: /],
  ['not JSON at all', write('notes.json', '# notes\n'), /notes\.json: not valid JSON: /],
];

/** Bad input: exit 2, exactly one line on stderr, starting with the command and the file, no stack trace. */
async function expectUsageError(entry: string, args: string[], pattern: RegExp) {
  const result = await runCli(entry, args);
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stdout).toBe('');
}

describe('npm run report: a bad result file is one line naming it, and exit 2', () => {
  it.each(badFiles)('%s', (_, file, problem) => expectUsageError('report.ts', [file, '--out', sweep.dir], new RegExp(`^report: .*${problem.source}`)));

  it('a good file with a bad one still fails, on the bad one', () =>
    expectUsageError('report.ts', [sweep.file, path.join(sweep.dir, 'gone.json'), '--out', sweep.dir], /^report: .*gone\.json: no such file$/));
});

describe('npm run compare: a bad result file is one line naming it, and exit 2', () => {
  it.each(badFiles)('%s as run B', (_, file, problem) => expectUsageError('compare.ts', [sweep.file, file, '--out', sweep.dir], new RegExp(`^compare: .*${problem.source}`)));
  it.each(badFiles.slice(0, 3))('%s as run A', (_, file, problem) => expectUsageError('compare.ts', [file, sweep.file, '--out', sweep.dir], new RegExp(`^compare: .*${problem.source}`)));

  it('one file without --allocators', () => expectUsageError('compare.ts', [sweep.file], /^compare: one result file: name the two allocators to compare in it with --allocators X,Y$/));
  it('an allocator the file does not hold', () =>
    expectUsageError('compare.ts', [sweep.file, '--allocators', 'byte-cas,colored-region', '--out', sweep.dir], /^compare: .*: no runs of colored-region; it holds byte-cas, stack-bitmap$/));
});

describe('npm run report: a good file', () => {
  it('writes the page and its charts and prints where', async () => {
    const result = await runCli('report.ts', [sweep.file, '--out', sweep.dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^report: .*report\.html \(\d+ ms\)$/m);
    expect(result.stdout).toContain('report-throughput.svg');
    expect(readFileSync(path.join(sweep.dir, 'report.html'), 'utf8')).toContain('<svg');
  });
});
