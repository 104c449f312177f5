import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ComparedRow } from '../report/compare-runs.ts';
import type { RunResult } from '../stress/result.ts';
import { runCli } from '../testing/cli.ts';
import { smallSweep } from '../testing/small-sweep.ts';

// A real sweep of byte-cas and its precedence variant at 1 and 2 threads.
const sweep = await smallSweep(['byte-cas', 'byte-cas/precedence'], [1, 2]);
const runOf = (allocator: string, threads: number) => sweep.result.runs.find((run) => run.allocator === allocator && run.threads === threads)!;

/** The same sweep with only one allocator's runs, as if it had been a sweep of its own. */
function only(allocator: string, name: string): string {
  const file = path.join(sweep.dir, name);
  writeFileSync(file, JSON.stringify({ ...sweep.result, runs: sweep.result.runs.filter((run) => run.allocator === allocator) }));
  return file;
}

function expectRatiosOf(row: ComparedRow, a: RunResult, b: RunResult) {
  expect(row.threads).toBe(a.threads);
  expect(row.ratio.opsPerSec).toBeCloseTo(b.opsPerSec / a.opsPerSec, 12);
  expect(row.ratio.p50).toBeCloseTo(b.latency!.alloc.p50 / a.latency!.alloc.p50, 12);
  expect(row.ratio.p99).toBeCloseTo(b.latency!.alloc.p99 / a.latency!.alloc.p99, 12);
  expect(row.ratio.p999).toBeCloseTo(b.latency!.alloc.p999 / a.latency!.alloc.p999, 12);
  expect(row.a.casPerOp).toBeCloseTo(a.counters.casFailures / a.totalOps, 12);
  expect(row.b.casPerOp).toBeCloseTo(b.counters.casFailures / b.totalOps, 12);
  expect(row.b.scannedPerOp).toBeCloseTo(b.counters.bytesScanned / b.totalOps, 12);
}

async function compareJson(args: string[]): Promise<{ a: string; b: string; compareFile: string; rows: ComparedRow[] }> {
  const result = await runCli('compare.ts', [...args, '--json', '--out', sweep.dir]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe('npm run compare on a real two-allocator sweep', () => {
  it('--allocators X,Y in one file: B/A ratios are the file\'s own figures divided', async () => {
    const json = await compareJson([sweep.file, '--allocators', 'byte-cas,byte-cas/precedence']);
    expect(json.rows.map((row) => [row.label, row.threads])).toEqual([
      ['byte-cas -> byte-cas/precedence', 1],
      ['byte-cas -> byte-cas/precedence', 2],
    ]);
    for (const row of json.rows) expectRatiosOf(row, runOf('byte-cas', row.threads), runOf('byte-cas/precedence', row.threads));
    expect(json.compareFile).toMatch(/compare\.html$/);
    const html = readFileSync(path.join(sweep.dir, 'compare.html'), 'utf8');
    expect(html).toContain('byte-cas -&gt; byte-cas/precedence');
    expect(html).not.toMatch(/<script|https?:\/\//);
  });

  it('two files of one allocator each are paired by thread count', async () => {
    const json = await compareJson([only('byte-cas', 'a.json'), only('byte-cas/precedence', 'b.json')]);
    expect(json.rows.map((row) => row.label)).toEqual(['byte-cas -> byte-cas/precedence', 'byte-cas -> byte-cas/precedence']);
    for (const row of json.rows) expectRatiosOf(row, runOf('byte-cas', row.threads), runOf('byte-cas/precedence', row.threads));
  });

  it('two files with the same allocators pair allocator with allocator; B against itself is 1x', async () => {
    const json = await compareJson([sweep.file, only('byte-cas/precedence', 'precedence.json')]);
    expect(json.rows.map((row) => [row.label, row.threads])).toEqual([
      ['byte-cas/precedence', 1],
      ['byte-cas/precedence', 2],
    ]);
    for (const row of json.rows) expect([row.ratio.opsPerSec, row.ratio.p50, row.ratio.p99, row.ratio.p999]).toEqual([1, 1, 1, 1]);
  });

  it('prints a table of the same ratios', async () => {
    const result = await runCli('compare.ts', [sweep.file, '--allocators', 'byte-cas,byte-cas/precedence', '--out', sweep.dir]);
    expect(result.code, result.stderr).toBe(0);
    const a = runOf('byte-cas', 2);
    const b = runOf('byte-cas/precedence', 2);
    const line = result.stdout.split('\n').find((l) => /^byte-cas -> byte-cas\/precedence\s+2\s/.test(l))!;
    expect(line).toContain(`${(b.opsPerSec / a.opsPerSec).toFixed(2)}x`);
    expect(line).toContain(`${(b.latency!.alloc.p99 / a.latency!.alloc.p99).toFixed(2)}x`);
    expect(result.stdout).toMatch(/^compare: .*compare\.html \(\d+ ms\)$/m);
  });
});
