/**
 * report.html in a real browser: Debian's Chromium when it is installed, else the Chromium that
 * @sparticuz/chromium ships inside its npm tarball (see testing/browser.ts), driven by playwright-core,
 * which downloads nothing. The page must load from a file:// URL with no console error, fetch nothing,
 * and draw every chart. It runs on every machine `npm ci` ran on: it is never skipped.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBrowser } from '../testing/browser.ts';
import { smallSweep } from '../testing/small-sweep.ts';
import { writeReport } from './build-report.ts';
import { testDir } from '../testing/test-dir.ts';

const browser = await findBrowser();

describe(`report.html in ${browser.source}`, () => {
  let context: Awaited<ReturnType<typeof chromium.launchPersistentContext>>;
  let html = '';

  beforeAll(async () => {
    const sweep = await smallSweep();
    html = (await writeReport([sweep.file], { outDir: sweep.dir })).html;
    // playwright passes the user data dir as --user-data-dir itself, and refuses it in args.
    const profile = testDir('chromium');
    context = await chromium.launchPersistentContext(profile, {
      executablePath: browser.executablePath,
      args: browser.args,
      env: { ...process.env, ...browser.env } as Record<string, string>,
      headless: true,
      viewport: { width: 1320, height: 900 },
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
  });

  it('loads without console errors, fetches nothing, and draws every chart', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') errors.push(`console.${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    page.on('request', (request) => requests.push(request.url()));
    const url = pathToFileURL(path.resolve(html)).href;
    await page.goto(url, { waitUntil: 'load' });

    const charts = await page.$$eval('figure[data-chart]', (figures) =>
      figures.map((figure) => {
        const svg = figure.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        const drawn = (selector: string) =>
          [...(svg?.querySelectorAll(selector) ?? [])].filter((element) => {
            const bounds = element.getBoundingClientRect();
            return bounds.width > 0 || bounds.height > 0;
          }).length;
        return {
          name: figure.getAttribute('data-chart'),
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          points: drawn('path[aria-roledescription="point"]'),
          lines: drawn('.mark-line path'),
        };
      }),
    );
    expect(charts.map((chart) => chart.name)).toEqual(['throughput', 'latency-p50', 'latency-p99', 'latency-p999', 'distribution', 'cas-failures', 'lock-waits', 'bytes-scanned']);
    for (const chart of charts) {
      expect(chart.width, chart.name!).toBeGreaterThan(200);
      expect(chart.height, chart.name!).toBeGreaterThan(150);
      // Three allocators, each a line with a point per thread count (or per bucket, in the distribution).
      expect(chart.lines, chart.name!).toBe(3);
      expect(chart.points, chart.name!).toBeGreaterThanOrEqual(6);
    }

    const shot = path.join(testDir('shot'), 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    const png = readFileSync(shot);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // IHDR: width and height, big-endian, right after the signature and the chunk header.
    expect(png.readUInt32BE(16)).toBe(1320);
    expect(png.readUInt32BE(20)).toBeGreaterThan(1500);
    expect(png.length).toBeGreaterThan(50_000);

    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
  }, 60_000);
});
