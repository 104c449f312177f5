/**
 * One self-contained HTML page for a report or a comparison: the charts inlined as SVG, the CSS inline,
 * no script and no URL to fetch, so the file opens offline, from a mail attachment or a CI artifact,
 * and looks the same everywhere.
 */

export interface PageChart {
  name: string;
  title: string;
  /** The chart's SVG, as written to its own file. */
  svg: string;
  /** The file the same SVG was written to, named under the chart. */
  file: string;
}

export interface PageTable {
  caption: string;
  head: string[];
  rows: string[][];
  /** Columns to right-align (numbers). */
  numeric?: number[];
}

export interface Page {
  title: string;
  /** Warnings above everything else: a sweep that did not end, or was stopped. */
  banner?: string[];
  /** Label and value rows under the title: scenario, seed, machine, date... */
  facts: [string, string][];
  /** Short paragraphs on how to read the charts. */
  howToRead: string[];
  /** What the charts leave out or qualify: runs without latency, stopped runs. */
  notes: string[];
  charts: PageChart[];
  tables: PageTable[];
}

const css = `
body { font: 14px/1.45 system-ui, sans-serif; color: #222; margin: 24px auto; max-width: 1320px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 16px; margin: 28px 0 8px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 12px; }
dl.facts dt { color: #666; }
dl.facts dd { margin: 0; }
.read p, .notes li { max-width: 960px; }
.banner { background: #fdecea; border: 2px solid #c62828; color: #7f1d1d; padding: 8px 12px; margin: 0 0 12px; font-weight: 600; }
.banner p { margin: 2px 0; }
.notes { background: #fff8e1; border-left: 4px solid #e0a800; padding: 6px 12px 6px 28px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 16px; }
figure { margin: 0; border: 1px solid #e3e3e3; padding: 4px; background: white; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { font-size: 12px; color: #666; padding: 2px 4px; }
table { border-collapse: collapse; font-size: 13px; margin-bottom: 12px; }
caption { text-align: left; color: #444; padding: 4px 0; }
th, td { padding: 3px 10px; border-bottom: 1px solid #e6e6e6; text-align: left; white-space: nowrap; }
th { background: #f6f6f6; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: 12px; background: #f3f3f3; padding: 0 3px; }
`;

export function renderPage(page: Page): string {
  const facts = page.facts.map(([label, value]) => `<dt>${escape(label)}</dt><dd>${escape(value)}</dd>`).join('\n');
  const read = page.howToRead.map((text) => `<p>${inlineCode(escape(text))}</p>`).join('\n');
  const banner = page.banner?.length ? `<div class="banner" role="alert">${page.banner.map((text) => `<p>${escape(text)}</p>`).join('\n')}</div>` : '';
  const notes = page.notes.length ? `<ul class="notes">${page.notes.map((note) => `<li>${inlineCode(escape(note))}</li>`).join('\n')}</ul>` : '';
  const charts = page.charts
    .map((chart) => `<figure id="chart-${escape(chart.name)}" data-chart="${escape(chart.name)}">\n${inlineSvg(chart.svg)}\n<figcaption>${escape(chart.title)}: <code>${escape(chart.file)}</code></figcaption>\n</figure>`)
    .join('\n');
  const tables = page.tables.map(renderTable).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(page.title)}</title>
<style>${css}</style>
</head>
<body>
<h1>${escape(page.title)}</h1>
${banner}
<dl class="facts">
${facts}
</dl>
${notes}
<section class="read">
<h2>How to read this page</h2>
${read}
</section>
<h2>Charts</h2>
<div class="charts">
${charts}
</div>
<h2>Figures</h2>
${tables}
</body>
</html>
`;
}

function renderTable(table: PageTable): string {
  const numeric = new Set(table.numeric ?? []);
  const head = table.head.map((cell) => `<th>${escape(cell)}</th>`).join('');
  const rows = table.rows.map((row) => `<tr>${row.map((cell, i) => `<td${numeric.has(i) ? ' class="n"' : ''}>${escape(cell)}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<caption>${escape(table.caption)}</caption>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table>`;
}

// Inside HTML the parser puts <svg> in the SVG namespace by itself; the namespace declarations are
// dropped so that the page holds no URL at all, not even one nobody fetches.
function inlineSvg(svg: string): string {
  return svg.replace(/^<svg([^>]*)>/, (_, attributes: string) => `<svg${attributes.replace(/\s+xmlns(?::\w+)?="[^"]*"/g, '')}>`);
}

/** `text in backticks` becomes <code>; applied after escaping, so the backticks are plain characters. */
function inlineCode(html: string): string {
  return html.replace(/`([^`]+)`/g, '<code>$1</code>');
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
