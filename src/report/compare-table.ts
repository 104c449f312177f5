/**
 * The compare table, one row per paired run: B/A ratios of throughput and alloc latency percentiles,
 * then the per-operation counters of both sides, where a defect that only costs work (a search that
 * walks back over full bytes) shows even when the times are lost in noise. The same cells go to the
 * terminal and to compare.html.
 */
import type { ComparedRow } from './compare-runs.ts';
import { formatInt, formatPerOp, formatRatio } from './format.ts';
import type { PageTable } from './report-page.ts';

export function compareTable(rows: ComparedRow[]): PageTable {
  return {
    caption: 'B/A per allocator and thread count: ops/s below 1x means B is slower; latency above 1x means B is slower',
    head: ['allocator', 'threads', 'ops/s A', 'ops/s B', 'ops/s B/A', 'p50 B/A', 'p99 B/A', 'p99.9 B/A', 'CAS fail/op A', 'CAS fail/op B', 'scanned/op A', 'scanned/op B'],
    numeric: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    rows: rows.map((row) => [
      ...throughputCells(row),
      ...latencyRatioCells(row),
      formatPerOp(row.a.casPerOp),
      formatPerOp(row.b.casPerOp),
      formatPerOp(row.a.scannedPerOp),
      formatPerOp(row.b.scannedPerOp),
    ]),
  };
}

/** A row's first cells, allocators' and programs' alike: what it is, its threads, ops/s A and B, and B/A. */
export function throughputCells(row: ComparedRow): string[] {
  return [row.label, String(row.threads), formatInt(row.a.opsPerSec), formatInt(row.b.opsPerSec), formatRatio(row.ratio.opsPerSec)];
}

/** B/A of the p50, p99 and p99.9 latency. */
export function latencyRatioCells(row: ComparedRow): string[] {
  return [formatRatio(row.ratio.p50), formatRatio(row.ratio.p99), formatRatio(row.ratio.p999)];
}

/** A table as fixed-width text: text columns left-aligned, numbers right-aligned. */
export function textTable(table: PageTable): string {
  const numeric = new Set(table.numeric ?? []);
  const all = [table.head, ...table.rows];
  const widths = table.head.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  return all.map((row) => row.map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}
