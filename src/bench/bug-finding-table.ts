/**
 * The bug-finding benchmark as a person reads it: one row per subject and strategy, with the seeds
 * that found the bug, the median and worst schedules to it (`> 100` where a seed ran out of budget)
 * and the exploration speed; then one line per strategy over every subject.
 */
import { type BugFindingCell, medianSchedules } from './bug-finding.ts';

const count = (n: number | null, budget: number) => (n === null ? `> ${budget}` : Number.isInteger(n) ? String(n) : n.toFixed(1));
const rate = (r: number | null) => (r === null ? '-' : Math.round(r).toLocaleString('en-US'));

export function formatBugFindingTable(cells: readonly BugFindingCell[]): string {
  const header = ['subject', 'strategy', 'found', 'median', 'worst', 'steps/s'];
  const rows: string[][] = [];
  let previous = '';
  let unexpected = false;
  for (const cell of cells) {
    const subject = `${cell.scenario} on ${cell.allocator}`;
    const other = cell.runs.filter((r) => r.schedulesToBug !== undefined && !r.expectedKind);
    if (other.length > 0) unexpected = true;
    rows.push([
      subject === previous ? '' : subject,
      cell.strategy,
      `${cell.found}/${cell.runs.length}${other.length > 0 ? '*' : ''}`,
      count(cell.median, cell.budget),
      count(cell.worst, cell.budget),
      rate(cell.stepsPerSecond),
    ]);
    previous = subject;
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const right = new Set([2, 3, 4, 5]);
  const line = (r: string[]) => r.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  out.push('', ...overall(cells));
  if (unexpected) out.push('', '* some seeds found a violation of a kind the scenario does not expect first (the kinds are in --json); they count as found.');
  return out.join('\n');
}

/** Per strategy, over every subject and seed: how many found the bug, and the median schedules to it. */
function overall(cells: readonly BugFindingCell[]): string[] {
  const strategies = [...new Set(cells.map((c) => c.strategy))];
  return strategies.map((strategy) => {
    const runs = cells.filter((c) => c.strategy === strategy).flatMap((c) => c.runs);
    const median = medianSchedules(runs);
    const found = runs.filter((r) => r.schedulesToBug !== undefined).length;
    return `${strategy}: found ${found}/${runs.length}, median ${Number.isFinite(median) ? median : '> budget'} schedules to the first bug`;
  });
}
