/**
 * A vega-lite spec to an SVG string, on Node, with vega's headless view: no browser, no canvas package
 * (text widths are estimated, which is why the charts leave room around their labels).
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Renders one chart. `idPrefix` makes the SVG's internal ids (clip paths) unique to this chart, because a
 * page inlines several SVGs into one document and ids must not collide there.
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return withPointTitles(prefixIds(svg, idPrefix));
  } finally {
    view.finalize();
  }
}

function prefixIds(svg: string, prefix: string): string {
  const safe = prefix.replace(/[^\w-]/g, '-');
  return svg.replace(/\bid="([^"]+)"/g, `id="${safe}-$1"`).replace(/url\(#([^)]+)\)/g, `url(#${safe}-$1)`);
}

/**
 * Vega shows tooltips with a script; a static page has none. A `<title>` inside each point gives the
 * browser's own hover text the same label the point already carries as its `aria-label`.
 */
function withPointTitles(svg: string): string {
  return svg.replace(/<path aria-label="([^"]*)"([^>]*?aria-roledescription="point"[^>]*?)\/>/g, '<path aria-label="$1"$2><title>$1</title></path>');
}
