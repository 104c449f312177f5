/**
 * Renders a page's charts and writes them: each chart to `<prefix>-<chart>.svg`, then the page with the
 * same SVGs inlined to `<prefix>.html`, every file whole or not at all.
 */
import path from 'node:path';
import type { Chart } from './chart-specs.ts';
import { displayPath } from './load-results.ts';
import { type Page, renderPage } from './report-page.ts';
import { renderSvg } from './render-svg.ts';
import { writeTextAtomic } from './result-file.ts';

export interface WrittenPage {
  /** The HTML page, as a path to print (relative to the working directory when inside it). */
  html: string;
  /** Each chart's SVG file, the same way, in page order. */
  svgs: string[];
}

export async function writePage(prefix: string, outDir: string, charts: Chart[], page: Omit<Page, 'charts'>): Promise<WrittenPage> {
  const rendered = [];
  for (const chart of charts) {
    const file = path.join(outDir, `${prefix}-${chart.name}.svg`);
    const svg = await renderSvg(chart.spec, `${prefix}-${chart.name}`);
    rendered.push({ name: chart.name, title: chart.title, svg, file: path.basename(file), path: file });
  }
  // The charts first, the page last: a page on disk never names an SVG that is not there yet.
  for (const chart of rendered) writeTextAtomic(chart.path, chart.svg);
  const html = path.join(outDir, `${prefix}.html`);
  writeTextAtomic(html, renderPage({ ...page, charts: rendered }));
  return { html: displayPath(html), svgs: rendered.map((chart) => displayPath(chart.path)) };
}
