/**
 * An object's stress sweep at two thread counts, through the command a user types: it writes a result
 * file that loads back with a run per thread count and a latency histogram per operation, and the
 * report draws throughput against threads and each operation's latency percentiles from it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../../report/build-report.ts';
import { loadAnyResultFile } from '../../report/load-program-results.ts';
import { runCli } from '../../testing/cli.ts';
import { testDir } from '../../testing/test-dir.ts';

const object = 'examples/ringbuf/object.ts';
const ROUNDS = 150;

describe('object stress at two thread counts, its result file and its report', () => {
  it('writes one run per thread count, loads back, and reports per-operation series', async () => {
    const dir = testDir('object-results');
    const r = await runCli('stress-main.ts', [object, '--threads', '1,2', '--rounds', String(ROUNDS), '--out', dir, '--json']);
    expect(r.code, r.stderr || r.stdout.slice(0, 600)).toBe(0);
    const printed = JSON.parse(r.stdout) as { resultFile: string; complete: boolean };
    expect(printed.complete).toBe(true);

    const any = loadAnyResultFile(printed.resultFile);
    expect(any.kind).toBe('program');
    if (any.kind !== 'program') return;
    const { result } = any.loaded;
    expect(result).toMatchObject({ subject: 'object', program: 'ringbuf-object', complete: true, interrupted: false, verdict: 'pass', operations: ['push', 'pop'] });
    expect(result.runs.map((run) => run.threads)).toEqual([1, 2]);
    for (const run of result.runs) {
      expect(run.completed).toBe(ROUNDS);
      expect(run.outcomes).toEqual([{ outcome: 'pass', rounds: ROUNDS }]);
      // Every thread makes 4 calls a round (ringbuf's opsPerThread), each timed once.
      const calls = Object.values(run.latency!.operations).reduce((n, h) => n + h.count, 0);
      expect(calls).toBe(run.threads * 4 * ROUNDS);
      expect(run.ops).toBe(calls);
      expect(run.opsPerSec).toBeGreaterThan(0);
      expect(run.latency!.operations['push']!.count).toBeGreaterThan(0);
      expect(run.latency!.operations['pop']!.count).toBeGreaterThan(0);
      expect(run.latency!.operations['push']!.p99).toBeGreaterThanOrEqual(run.latency!.operations['push']!.p50);
    }

    const report = await writeReport([printed.resultFile], { outDir: dir });
    expect(report.svgs.map((file) => file.replace(/.*report-/, ''))).toEqual(['throughput.svg', 'latency-p50.svg', 'latency-p99.svg', 'latency-p999.svg']);
    const throughput = readFileSync(report.svgs[0]!, 'utf8');
    expect(throughput).toMatch(/ringbuf-object · 1 thread · [\d,]+ ops\/s/);
    expect(throughput).toMatch(/ringbuf-object · 2 threads · [\d,]+ ops\/s/);
    const p99 = readFileSync(report.svgs[2]!, 'utf8');
    for (const series of ['push · 1 thread', 'pop · 1 thread', 'push · 2 threads', 'pop · 2 threads']) expect(p99).toContain(`${series} · p99 `);
    expect(p99).toContain("call latency p99, ns (log)");
    expect(readFileSync(report.html, 'utf8')).toContain('Call latency per operation and thread count');
  }, 60_000);

  it('a thread count the object does not list is one line and exit 2', async () => {
    const r = await runCli('stress-main.ts', [object, '--threads', '2,3', '--out', testDir('object-results')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['stress: --threads 2,3: examples/ringbuf/object.ts runs at 1 or 2 threads (the counts its definition lists in threadCounts)']);
  });
});
