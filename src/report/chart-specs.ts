/**
 * The contention charts as vega-lite specs, built from {@link RunMetrics} rows with the data inline, so a
 * spec is the whole chart and renders the same anywhere.
 *
 * Every chart has one line per allocator (per allocator and run, when two runs are compared: run A
 * solid, run B dashed) in the allocator's {@link colorOf} color, with a point per measurement whose
 * label (`aria-label` in the SVG, a tooltip in the page) says allocator, threads and value. Latency
 * charts are on log axes and draw the timer floor as a dashed rule, because a latency near it is the
 * clock, not the allocator.
 */
import type { TopLevelSpec } from 'vega-lite';
import { formatInt, formatNs, formatPerOp, plural } from './format.ts';
import { colorOf } from './palette.ts';
import type { CurvePoint, RunMetrics, RunSide } from './run-metrics.ts';

export interface Chart {
  /** File-name part: `report-<name>.svg`. */
  name: string;
  title: string;
  spec: TopLevelSpec;
}

export interface ChartContext {
  /** Allocators in legend order; fixes the color scale, so every chart lists the same ones. */
  allocators: string[];
  /** Cores of the machine that ran: more threads than this is oversubscription. */
  cpus: number;
  /** Two runs on the same axes: adds the solid/dashed run encoding. */
  compare: boolean;
  /** What the lines are and what is timed, when not allocators' allocs (an object's operations). */
  wording?: ChartWording;
}

/** The words a chart uses for its subject: the same shapes draw allocators and objects. */
export interface ChartWording {
  /** The legend's title: what one line is. */
  series: string;
  /** What a latency chart times, lower case: `alloc`, `call`. */
  latencyOf: string;
  throughput: { unit: string; yTitle: string; subtitle: string };
}

const allocatorWording: ChartWording = {
  series: 'allocator',
  latencyOf: 'alloc',
  throughput: { unit: 'ops/s', yTitle: 'ops/s (all threads)', subtitle: 'operations per second in the measured phase, all threads together; higher is better' },
};

/** A latency percentile drawn against threads. */
export type Percentile = 'p50' | 'p99' | 'p999';
export const percentileNames: Record<Percentile, string> = { p50: 'p50', p99: 'p99', p999: 'p99.9' };

/** One allocator's (and run's) percentile curve at one thread count. */
export interface Curve {
  allocator: string;
  side?: RunSide;
  points: CurvePoint[];
}

const width = 420;
const height = 240;
const sideDash: Record<RunSide, number[]> = { A: [1, 0], B: [6, 4] };
const runLegendTitle = 'run';
const runLegendLabels = "datum.label === 'A' ? 'A (solid)' : 'B (dashed)'";

// Data rows as the specs see them: flat, with the label precomputed so the SVG and the page agree.
interface Row {
  allocator: string;
  side: string;
  threads: number;
  value: number;
  label: string;
}

export function throughputChart(rows: RunMetrics[], context: ChartContext): Chart {
  const { throughput } = context.wording ?? allocatorWording;
  return threadChart('throughput', 'Throughput', rows, context, {
    value: (row) => row.opsPerSec,
    show: (value) => `${formatInt(value)} ${throughput.unit}`,
    yTitle: throughput.yTitle,
    format: '~s',
    subtitle: throughput.subtitle,
  });
}

/** p50, p99 or p99.9 of alloc latency against threads; `domain` keeps the three charts on one scale. */
export function latencyChart(rows: RunMetrics[], context: ChartContext, percentile: Percentile, domain: [number, number]): Chart {
  const name = percentileNames[percentile];
  const timed = rows.filter((row) => row.alloc);
  const floor = timerFloor(timed);
  const { latencyOf } = context.wording ?? allocatorWording;
  return threadChart(`latency-${percentile}`, `${latencyOf.charAt(0).toUpperCase()}${latencyOf.slice(1)} latency ${name}`, timed, context, {
    value: (row) => row.alloc![percentile],
    show: (value) => `${name} ${formatNs(value)}`,
    yTitle: `${latencyOf} latency ${name}, ns (log)`,
    subtitle: `${floorNote(floor, timed.length)}; lower is better`,
    log: true,
    domain,
    ...(floor !== undefined ? { floor } : {}),
  });
}

/** The y range the percentile charts share: the lowest p50 or floor to the highest p99.9. */
export function latencyDomain(rows: RunMetrics[]): [number, number] {
  const timed = rows.flatMap((row) => (row.alloc ? [row.alloc] : []));
  if (timed.length === 0) return [1, 10];
  const low = Math.min(...timed.map((a) => Math.min(a.p50, a.timerFloorNs)));
  const high = Math.max(...timed.map((a) => a.p999));
  return [Math.max(1, low * 0.8), high * 1.25];
}

export function casChart(rows: RunMetrics[], context: ChartContext): Chart {
  return threadChart('cas-failures', 'CAS failures per operation', rows, context, {
    value: (row) => row.casPerOp,
    show: (value) => `${formatPerOp(value)} failed CAS per op`,
    yTitle: 'failed compareExchange per op',
    format: '~r',
    subtitle: 'races lost on a bitmap byte or word; a global-lock allocator loses them on the lock instead',
  });
}

export function lockChart(rows: RunMetrics[], context: ChartContext): Chart {
  return threadChart('lock-waits', 'Lock waits per operation', rows, context, {
    value: (row) => row.lockWaitsPerOp,
    show: (value) => `${formatPerOp(value)} contended lock acquisitions per op`,
    yTitle: 'contended lock acquisitions per op',
    format: '~r',
    subtitle: 'calls that found the global lock taken and had to wait; 0 for lock-free allocators',
  });
}

export function scannedChart(rows: RunMetrics[], context: ChartContext): Chart {
  return threadChart('bytes-scanned', 'Bitmap scanned per operation', rows, context, {
    value: (row) => row.scannedPerOp,
    show: (value) => `${formatPerOp(value)} bytes or words scanned per op`,
    yTitle: 'bitmap bytes (or words) read per op',
    format: '~r',
    subtitle: 'how far the search walked; a search that restarts too far back shows here first',
  });
}

/** Alloc latency by percentile at one thread count, the way HdrHistogram plots it. */
export function distributionChart(curves: Curve[], context: ChartContext, threads: number, floor: number | undefined): Chart {
  const rows = curves.flatMap(({ allocator, side, points }) =>
    points.map((point) => ({
      allocator,
      side: side ?? '',
      x: point.x,
      ns: point.ns,
      label: `${seriesName(allocator, side)} · ${plural(threads, 'thread')} · ${percentLabel(point.q)} at ${formatNs(point.ns)}`,
    })),
  );
  const maxX = Math.max(10, ...rows.map((row) => row.x));
  // 1 (the minimum, 0 %) is left unlabelled: it sits too close to 2 (50 %) for both labels to fit.
  const ticks: number[] = [2];
  for (let tick = 10; tick <= maxX * 1.0001; tick *= 10) ticks.push(tick);
  const nsValues = rows.map((row) => row.ns).concat(floor ?? []);
  const domain: [number, number] = [Math.max(1, Math.min(...nsValues) * 0.8), Math.max(...nsValues) * 1.25];
  const encoding = {
    x: {
      field: 'x',
      type: 'quantitative',
      scale: { type: 'log', domain: [1, maxX], nice: false },
      axis: {
        values: ticks,
        // 1/(1-q) back to q: 2 is 50%, 10 is 90%, 1000 is 99.9%.
        labelExpr: "format(100 - 100 / datum.value, '.6~r') + '%'",
        title: 'percentile (log scale of 1/(1-q): each step right is one more nine)',
        grid: true,
      },
    },
    y: { field: 'ns', type: 'quantitative', scale: { type: 'log', domain, nice: false }, axis: { title: 'alloc latency, ns (log)' } },
    color: colorEncoding(context),
    ...(context.compare ? { strokeDash: dashEncoding() } : {}),
  } as const;
  return {
    name: 'distribution',
    title: `Alloc latency distribution at ${plural(threads, 'thread')}`,
    spec: base(`Alloc latency distribution at ${plural(threads, 'thread')}`, `each step is a histogram bucket (≤6.25 % wide); ${floorNote(floor, curves.length)}`, {
      layer: [
        { data: { values: rows }, mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2, aria: false }, encoding },
        {
          data: { values: rows },
          mark: { type: 'point', filled: true, size: 14, opacity: 0.8 },
          encoding: { ...encoding, description: { field: 'label' }, tooltip: { field: 'label' } },
        },
        ...floorLayers(floor),
      ],
    }),
  };
}

interface ThreadChartOptions {
  value: (row: RunMetrics) => number;
  show: (value: number) => string;
  yTitle: string;
  subtitle: string;
  log?: boolean;
  domain?: [number, number];
  /** d3 format of the y axis labels. */
  format?: string;
  floor?: number;
}

function threadChart(name: string, title: string, metrics: RunMetrics[], context: ChartContext, options: ThreadChartOptions): Chart {
  const rows: Row[] = metrics.map((row) => {
    const value = options.value(row);
    return {
      allocator: row.allocator,
      side: row.side ?? '',
      threads: row.threads,
      value,
      label: `${seriesName(row.allocator, row.side)} · ${plural(row.threads, 'thread')} · ${options.show(value)}`,
    };
  });
  const threads = [...new Set(rows.map((row) => row.threads))].sort((a, b) => a - b);
  const low = threads[0] ?? 1;
  const high = threads.at(-1) ?? 1;
  const encoding = {
    x: {
      field: 'threads',
      type: 'quantitative',
      // Log 2, padded, so that 1, 2, 4, 8 sit evenly and no point sits on the frame.
      scale: { type: 'log', base: 2, domain: [low / 1.25, high * 1.25], nice: false },
      axis: { values: threads, format: 'd', title: `threads (log scale; ${plural(context.cpus, 'core')}, beyond is oversubscribed)`, grid: true },
    },
    y: {
      field: 'value',
      type: 'quantitative',
      // A linear axis of all zeros (no CAS ever failed) still needs a range to draw its line in.
      scale: options.log ? { type: 'log', ...(options.domain ? { domain: options.domain, nice: false } : {}) } : rows.every((row) => row.value === 0) ? { domain: [0, 1] } : { zero: true },
      axis: { title: options.yTitle, ...(options.format ? { format: options.format } : {}) },
    },
    color: colorEncoding(context),
    ...(context.compare ? { strokeDash: dashEncoding() } : {}),
  } as const;
  const cores = context.cpus >= low && context.cpus < high ? coresLayers(context.cpus) : [];
  return {
    name,
    title,
    spec: base(title, options.subtitle, {
      layer: [
        ...cores,
        { data: { values: rows }, mark: { type: 'line', strokeWidth: 2, aria: false }, encoding },
        {
          data: { values: rows },
          mark: { type: 'point', filled: true, size: 50, opacity: 1 },
          encoding: {
            ...encoding,
            // Same field and legend title as the dashes: vega-lite draws one legend for both.
            ...(context.compare ? { shape: { field: 'side', type: 'nominal', scale: { domain: ['A', 'B'], range: ['circle', 'triangle-up'] }, legend: { title: runLegendTitle, labelExpr: runLegendLabels } } } : {}),
            description: { field: 'label' },
            tooltip: { field: 'label' },
          },
        },
        ...(options.floor !== undefined ? floorLayers(options.floor) : []),
      ],
    }),
  };
}

function base(title: string, subtitle: string, body: { layer: unknown[] }): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    // Vega sizes the SVG to fit its title, so a long subtitle on one line would widen the whole chart.
    title: { text: title, subtitle: wrap(subtitle, 72) },
    width,
    height,
    background: 'white',
    padding: 8,
    config: {
      font: 'sans-serif',
      title: { anchor: 'start', fontSize: 14, subtitleFontSize: 11, subtitleColor: '#555' },
      axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', gridColor: '#eee' },
      legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 220 },
    },
    ...body,
  } as TopLevelSpec;
}

function colorEncoding(context: ChartContext) {
  return {
    field: 'allocator',
    type: 'nominal',
    scale: { domain: context.allocators, range: context.allocators.map(colorOf) },
    legend: { title: (context.wording ?? allocatorWording).series },
  } as const;
}

function dashEncoding() {
  return {
    field: 'side',
    type: 'nominal',
    scale: { domain: ['A', 'B'], range: [sideDash.A, sideDash.B] },
    legend: { title: runLegendTitle, labelExpr: runLegendLabels },
  } as const;
}

/** The dashed timer-floor rule, labelled at its right end. */
function floorLayers(floor: number | undefined): unknown[] {
  if (floor === undefined) return [];
  const data = { values: [{ floor, label: `timer floor ${formatNs(floor)}` }] };
  return [
    { data, mark: { type: 'rule', strokeDash: [4, 4], color: '#666', strokeWidth: 1.5 }, encoding: { y: { field: 'floor', type: 'quantitative' }, description: { field: 'label' } } },
    { data, mark: { type: 'text', align: 'right', baseline: 'bottom', dy: -3, color: '#444', fontSize: 10, aria: false }, encoding: { y: { field: 'floor', type: 'quantitative' }, x: { value: width - 4 }, text: { field: 'label' } } },
  ];
}

/** A dotted vertical rule where threads outnumber cores. */
function coresLayers(cpus: number): unknown[] {
  const data = { values: [{ threads: cpus, label: `${plural(cpus, 'core')}` }] };
  return [
    { data, mark: { type: 'rule', strokeDash: [2, 3], color: '#999' }, encoding: { x: { field: 'threads', type: 'quantitative' }, description: { field: 'label' } } },
    { data, mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, y: 3, color: '#777', fontSize: 10, aria: false }, encoding: { x: { field: 'threads', type: 'quantitative' }, text: { field: 'label' } } },
  ];
}

/** The timer floor a chart draws: the median of its runs' calibrations (they differ by a few ns). */
export function timerFloor(rows: RunMetrics[]): number | undefined {
  const floors = rows.flatMap((row) => (row.alloc ? [row.alloc.timerFloorNs] : [])).sort((a, b) => a - b);
  if (floors.length === 0) return undefined;
  const middle = floors.length >> 1;
  return floors.length % 2 ? floors[middle]! : (floors[middle - 1]! + floors[middle]!) / 2;
}

function floorNote(floor: number | undefined, runs: number): string {
  if (floor === undefined) return 'no run timed its calls, so no latency to draw';
  return `dashed: timer floor ${formatNs(floor)} (median of ${plural(runs, 'run')}), latencies near it are clock noise`;
}

function seriesName(allocator: string, side: RunSide | undefined): string {
  return side ? `${allocator} (run ${side})` : allocator;
}

function wrap(text: string, columns: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= columns) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

function percentLabel(q: number): string {
  return `${Number((q * 100).toPrecision(6))}%`;
}
