/**
 * The checks every result file's fields go through, allocator sweeps' and programs' alike: finite
 * figures, text without control characters, histograms of bounded size.
 */
import * as v from 'valibot';
import { escapeControl, hasControl } from '../io/terminal-text.ts';
import { BUCKETS } from '../metrics/histogram.ts';

// Every figure is finite: JSON cannot write Infinity, but it reads 1e999 as Infinity, which would draw
// axes from NaN to NaN and ratios of "Infinityx".
export const finite = (expected: string) => (issue: v.BaseIssue<unknown>) => `expected ${expected}, got ${issue.received}`;
export const count = v.pipe(v.number(finite('a number >= 0')), v.finite(finite('a finite number >= 0')), v.minValue(0, finite('a number >= 0')));
export const positiveInt = (max: number) => v.pipe(v.number(finite(`an integer from 1 to ${max}`)), v.integer(finite(`an integer from 1 to ${max}`)), v.minValue(1, finite(`an integer from 1 to ${max}`)), v.maxValue(max, finite(`an integer from 1 to ${max}`)));
// Strings from a file are printed to a terminal and drawn into SVG: a control character (an ANSI
// escape that recolors or rewrites the terminal, a NUL that breaks the XML) or a bidi override (which
// makes text read in another order than it runs) has no business in a name.
export const text = v.pipe(
  v.string(finite('a string')),
  v.maxLength(4096, 'expected a string of at most 4096 characters'),
  v.check((value) => !hasControl(value), (issue) => `expected text without control characters, got one (${escapeControl(String(issue.input)).slice(0, 80)})`),
);
export const histogram = v.looseObject({
  count,
  min: count,
  max: count,
  p50: count,
  p90: count,
  p99: count,
  p999: count,
  // The length first, so that a huge array is refused before each of its items is checked.
  buckets: v.pipe(v.array(v.unknown()), v.maxLength(BUCKETS, `expected at most ${BUCKETS} buckets`), v.array(v.tuple([count, count, count]))),
});

/** Text that may run over lines (a description, a check's message with its history): tabs and newlines allowed. */
export const longText = (max: number) =>
  v.pipe(v.string(finite('a string')), v.maxLength(max, `expected a string of at most ${max} characters`), v.check((value) => !hasControl(value.replace(/[\n\t]/g, ' ')), 'expected text without control characters, got one'));

/** The machine a sweep ran on (sweep-head.ts). */
export const machine = v.looseObject({ cpus: positiveInt(1 << 16), cpuModel: text, node: text, platform: text });

export const runsOf = <T extends v.GenericSchema>(item: T, max: number) => v.pipe(v.array(v.unknown()), v.maxLength(max, `expected at most ${max} runs`), v.array(item));
