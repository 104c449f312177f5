/**
 * A history as columns, one per thread, one row per operation in the order they were called, as
 * Lincheck prints them: what ran beside what is read across a row. A check's failure marks the
 * operation whose return makes the history impossible and leaves out what was called after it.
 */
import { type History, type Operation, describeOperation } from './history.ts';

export interface FormatOptions {
  /** The operation to mark with `>`: the end of the shortest prefix that cannot be linearized. */
  culprit?: Operation;
  /** Operations called after this time are left out (the rest of the round cannot make it right). */
  until?: number;
}

export function formatHistory(history: History, options: FormatOptions = {}): string {
  const until = options.until ?? Infinity;
  const shown = history.filter((op) => op.call <= until).sort((a, b) => a.call - b.call || a.thread - b.thread);
  const threads = [...new Set(history.map((op) => op.thread))].sort((a, b) => a - b);
  const cells = shown.map((op) => `${op === options.culprit ? '> ' : ''}${describeOperation(op)}${op.ret > until ? ' (running)' : ''}  [${op.call}..${op.ret}]`);
  const width = threads.map((t) => Math.max(`thread ${t}`.length, ...shown.map((op, i) => (op.thread === t ? cells[i]!.length : 0))));
  const line = (columns: string[]) => columns.map((c, i) => c.padEnd(width[i]!)).join(' | ').trimEnd();
  const rows = [line(threads.map((t) => `thread ${t}`)), line(width.map((w) => '-'.repeat(w)))];
  shown.forEach((op, i) => rows.push(line(threads.map((t) => (t === op.thread ? cells[i]! : '')))));
  const hidden = history.length - shown.length;
  if (hidden > 0) rows.push(`(${hidden} operation${hidden === 1 ? '' : 's'} called later left out)`);
  return rows.join('\n');
}
