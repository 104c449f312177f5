import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { smallSweep, sweepAllocators, sweepThreads } from '../testing/small-sweep.ts';
import { writeReport } from './build-report.ts';
import { colorOf } from './palette.ts';

// One real sweep (three allocators at 1 and 2 threads) drawn into a temporary folder.
const sweep = await smallSweep();
const report = await writeReport([sweep.file], { outDir: sweep.dir });
const svgOf = (chart: string) => readFileSync(path.join(sweep.dir, `report-${chart}.svg`), 'utf8');

interface Point {
  allocator: string;
  threads: number;
  fill: string;
}

/** The point marks vega wrote: each carries its label (`allocator · N threads · value`) as aria-label. */
function points(svg: string): Point[] {
  const found: Point[] = [];
  for (const [tag] of svg.matchAll(/<path [^>]*aria-roledescription="point"[^>]*>/g)) {
    const label = /aria-label="([^"]*)"/.exec(tag)?.[1] ?? '';
    const parsed = /^(.+?) · (\d+) threads? · /.exec(label);
    expect(parsed, `point label "${label}"`).not.toBeNull();
    found.push({ allocator: parsed![1]!, threads: Number(parsed![2]), fill: /fill="([^"]*)"/.exec(tag)?.[1] ?? '' });
  }
  return found;
}

/** The stroke color of every drawn line (vega writes one path per series in a line mark group). */
function lineStrokes(svg: string): string[] {
  return [...svg.matchAll(/<g class="mark-line role-mark[^"]*"[^>]*>((?:<path [^>]*\/>)+)<\/g>/g)].flatMap(([, paths]) =>
    [...paths!.matchAll(/stroke="([^"]*)"/g)].map(([, stroke]) => stroke!),
  );
}

describe('report from a real small sweep', () => {
  it('writes report.html and one SVG per chart, in a second or two', () => {
    expect(report.svgs.map((file) => path.basename(file))).toEqual([
      'report-throughput.svg',
      'report-latency-p50.svg',
      'report-latency-p99.svg',
      'report-latency-p999.svg',
      'report-distribution.svg',
      'report-cas-failures.svg',
      'report-lock-waits.svg',
      'report-bytes-scanned.svg',
    ]);
    expect(path.basename(report.html)).toBe('report.html');
    expect(report.ms).toBeLessThan(10_000);
  });

  it.each(['throughput', 'latency-p50', 'latency-p99', 'latency-p999', 'cas-failures', 'lock-waits', 'bytes-scanned'])(
    '%s: one series per allocator, one point per thread count, in the allocator\'s color',
    (chart) => {
      const svg = svgOf(chart);
      const found = points(svg);
      expect([...new Set(found.map((p) => p.allocator))].sort()).toEqual([...sweepAllocators].sort());
      for (const allocator of sweepAllocators) {
        const mine = found.filter((p) => p.allocator === allocator);
        expect(mine.map((p) => p.threads).sort((a, b) => a - b)).toEqual(sweepThreads);
        expect(new Set(mine.map((p) => p.fill))).toEqual(new Set([colorOf(allocator)]));
      }
      expect(lineStrokes(svg).sort()).toEqual(sweepAllocators.map(colorOf).sort());
    },
  );

  it('latency charts draw the timer floor as a dashed rule and say so', () => {
    for (const chart of ['latency-p50', 'latency-p99', 'latency-p999', 'distribution']) {
      const svg = svgOf(chart);
      expect(svg).toMatch(/aria-roledescription="rule mark"[^>]*aria-label="timer floor \d[\d,]* ns"|aria-label="timer floor \d[\d,]* ns"[^>]*aria-roledescription="rule mark"/);
      expect(svg).toMatch(/stroke-dasharray="4,4"/);
      expect(svg).toContain('dashed: timer floor');
      expect(svg).toMatch(/ns \(log\)/);
    }
  });

  it('the distribution chart has one curve per allocator at the highest thread count', () => {
    const found = points(svgOf('distribution'));
    expect([...new Set(found.map((p) => p.allocator))].sort()).toEqual([...sweepAllocators].sort());
    expect(new Set(found.map((p) => p.threads))).toEqual(new Set([Math.max(...sweepThreads)]));
    expect(svgOf('distribution')).toMatch(/>99%<|>99\.9%</);
  });

  it('the page is self-contained: every chart inline, no script, no URL', () => {
    const html = readFileSync(path.join(sweep.dir, 'report.html'), 'utf8');
    expect(html.match(/<svg[\s>]/g)).toHaveLength(report.svgs.length);
    expect(html).not.toMatch(/<script|https?:\/\/|\bsrc=|<link/i);
    expect(html).toContain(sweep.result.seed);
    expect(html).toContain('How to read');
  });

  it('--threads picks the distribution thread count, and refuses one the runs do not have', async () => {
    await writeReport([sweep.file], { outDir: sweep.dir, threads: 1 });
    expect(new Set(points(svgOf('distribution')).map((p) => p.threads))).toEqual(new Set([1]));
    await expect(writeReport([sweep.file], { outDir: sweep.dir, threads: 3 })).rejects.toThrow(/--threads 3: no timed run at 3 threads; the runs have 1, 2/);
  });
});
