/**
 * Reading result files back for reports and comparisons. Charts are drawn from these files, never from
 * memory, so a file is checked before anything is drawn from it: every problem (missing, cut short, not
 * JSON, JSON of something else, a result without the fields a chart reads) becomes a one-line
 * {@link UsageError} that starts with the file, because the fix is to give another file.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import * as v from 'valibot';
import { UsageError } from '../io/usage-error.ts';
import { escapeControl } from '../io/terminal-text.ts';
import { shownPath, userCwd } from '../io/user-cwd.ts';
import { count, histogram, longText, machine, positiveInt, runsOf as runsUpTo, text } from './result-fields.ts';
import { MAX_THREADS } from '../scenario/schema.ts';
import { RESULT_VERSION, type SweepRun, runVerdict } from '../stress/result.ts';
import type { SweepResult } from '../stress/sweep.ts';
import { resultsDir } from './result-file.ts';

/**
 * A file larger than this is refused before it is read: a real sweep's file is well under a megabyte
 * per run, and reading a file means holding it, and its parsed JSON, in memory at once.
 */
export const MAX_RESULT_BYTES = 16 * 1024 * 1024;
/** More runs than any sweep makes (allocators x thread counts); a chart of more would not be read. */
export const MAX_RUNS = 1024;
/** Deeper than any result file nests (a run's violation's history's operations is 7 levels). */
export const MAX_DEPTH = 32;

export interface LoadedResult {
  /** The file as messages and pages name it: relative to the working directory when inside it. */
  file: string;
  result: SweepResult;
}

const run = {
  allocator: text,
  threads: positiveInt(MAX_THREADS),
  ops: count,
  seconds: count,
  opsPerSec: count,
  totalOps: count,
  ok: v.boolean(),
  violationCount: count,
  checks: v.boolean(),
  lock: v.boolean(),
  counters: v.looseObject({ casFailures: count, bytesScanned: count, lockAcquisitions: count, lockContended: count, oom: count }),
  latency: v.optional(v.looseObject({ sampleEvery: count, timerFloorNs: count, alloc: histogram, free: histogram })),
  stopped: v.optional(v.picklist(['interrupted', 'crash', 'hang', 'violations'])),
};
const verdicts = ['pass', 'fail', 'unchecked', 'interrupted'] as const;

// Loose objects: only what reports read is required, so a result written by a newer pagerace with more
// fields still loads. Whatever a chart reads must be in here, or a file without it would draw NaN.
const sweep = {
  scenario: text,
  description: longText(4096),
  seed: text,
  interrupted: v.boolean(),
  startedAt: text,
  settings: v.looseObject({ pages: v.optional(count), ops: v.optional(count), durationMs: v.optional(count) }),
  machine,
};
const runsOf = <T extends v.GenericSchema>(item: T) => runsUpTo(item, MAX_RUNS);

/** Version 1: no `complete`, verdicts pass or fail, runs without a verdict of their own. */
const version1 = v.looseObject({ ...sweep, verdict: v.picklist(['pass', 'fail']), runs: runsOf(v.looseObject(run)) });
/** Version 2 ({@link RESULT_VERSION}): `complete`, and a verdict on every run. */
const version2 = v.looseObject({ ...sweep, verdict: v.picklist(verdicts), complete: v.boolean(), plannedRuns: v.optional(count), runs: runsOf(v.looseObject({ ...run, verdict: v.picklist(verdicts) })) });
const schemas: Record<number, v.GenericSchema> = { 1: version1, [RESULT_VERSION]: version2 };

/**
 * Reads and checks one stress result file, of this version or an older one; an older one is brought to
 * this version's shape (a version 1 file says nothing of completeness, and is taken as complete).
 * @param file as the user typed it, relative to the folder they typed it in.
 */
export function loadResultFile(file: string, cwd = userCwd()): LoadedResult {
  return allocatorResult(readResultRecord(file, cwd));
}

/** A result file read and parsed, not yet checked as any kind: its JSON object, and how to refuse it. */
export interface ResultRecord {
  where: string;
  record: Record<string, unknown>;
  /** Refuses the file in one line that starts with it. */
  fail: (problem: string) => never;
}

/** Reads `file` as a result file of any kind: bounded, whole, JSON, an object. */
export function readResultRecord(file: string, cwd = userCwd()): ResultRecord {
  const absolute = path.resolve(cwd, file);
  const where = shownPath(absolute, cwd);
  const fail = (problem: string): never => {
    throw new UsageError(`${where}: ${problem}`.replace(/\s*[\r\n]+\s*/g, ' '));
  };
  let text = '';
  try {
    const size = statSync(absolute).size;
    if (size > MAX_RESULT_BYTES) fail(`${size.toLocaleString('en-US')} bytes; a stress result is at most ${MAX_RESULT_BYTES.toLocaleString('en-US')}`);
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    fail(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a result file' : `cannot read: ${(error as Error).message}`);
  }
  if (text.trim() === '') fail('empty file, not a stress result');
  // Before parsing: a file of 200,000 nested arrays parses, but whatever walks it later recursing
  // (JSON.stringify, a schema) overflows the stack, far from the file that caused it.
  const depth = nestingDepth(text);
  if (depth > MAX_DEPTH) fail(`nested ${depth.toLocaleString('en-US')} levels deep; a stress result nests at most ${MAX_DEPTH}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    // Result files are written whole (temp file + rename), so JSON that stops early was cut by something
    // else: a copy, an editor, a full disk. Say so, because "Unexpected end" alone does not.
    fail(endsEarly(text, message) ? `truncated: the JSON stops before its end (${message})` : `not valid JSON: ${message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    fail(`not a pagerace stress result: the file holds ${Array.isArray(json) ? 'an array' : json === null ? 'null' : `a ${typeof json}`}, not an object`);
  }
  return { where, record: json as Record<string, unknown>, fail };
}

/** An allocator sweep's file, checked field by field and brought to this version's shape. */
export function allocatorResult({ where, record, fail }: ResultRecord): LoadedResult {
  if (record['kind'] !== 'pagerace-stress') {
    fail(
      record['kind'] === undefined
        ? `not a pagerace stress result: no "kind": "pagerace-stress" (keys: ${Object.keys(record).slice(0, 5).join(', ') || 'none'})`
        : `not a pagerace stress result: kind is ${JSON.stringify(record['kind'])}, expected "pagerace-stress"`,
    );
  }
  const version = record['version'];
  const schema = typeof version === 'number' ? schemas[version] : undefined;
  if (!schema) {
    const known = Object.keys(schemas).join(' and ');
    fail(`stress result version ${escapeControl(JSON.stringify(version) ?? 'none').slice(0, 40)}; this pagerace reads versions ${known}`);
  }
  const parsed = v.safeParse(schema!, record);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const field = v.getDotPath(issue);
    const more = parsed.issues.length > 1 ? ` (and ${parsed.issues.length - 1} more)` : '';
    fail(`not a well-formed stress result: ${field ? `${escapeControl(field).slice(0, 120)}: ` : ''}${escapeControl(issue.message).slice(0, 200)}${more}`);
  }
  // Everything a report reads has just been checked; the rest of the file is as runSweep wrote it.
  const result = record as unknown as SweepResult;
  return { file: where, result: version === 1 ? fromVersion1(result) : result };
}

/** A version 1 file in this version's shape: every run's verdict from what version 1 recorded. */
function fromVersion1(result: SweepResult): SweepResult {
  const runs: SweepRun[] = result.runs.map((run) => ({
    ...run,
    // Version 1 kept the violations; where a damaged file lost them, `ok` still says how the run went.
    verdict: Array.isArray(run.violations) ? runVerdict(run) : run.stopped === 'interrupted' ? 'interrupted' : run.ok ? (run.checks ? 'pass' : 'unchecked') : 'fail',
  }));
  const verdict = result.interrupted && result.verdict === 'fail' && runs.every((run) => run.verdict !== 'fail') ? 'interrupted' : result.verdict;
  return { ...result, version: RESULT_VERSION, verdict, complete: true, plannedRuns: runs.length, runs };
}



/** The newest `stress-*.json` in `dir`, by the time in its name (the sweep's start). */
export function latestResultFile(dir = resultsDir, cwd = userCwd()): string {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // No results folder yet: the same advice as an empty one.
  }
  const stamped = names
    .map((name) => ({ name, stamp: /^stress-.+-(\d{8}T\d{6})(\d{3})?Z(?:-(\d+))?\.json$/.exec(name) }))
    .filter((entry) => entry.stamp !== null)
    // `-2`, `-3`: a sweep that started in the same millisecond as another, and later than it.
    .map(({ name, stamp }) => ({ name, key: `${stamp![1]}${stamp![2] ?? '000'}-${(stamp![3] ?? '1').padStart(3, '0')}`, mtime: statSync(path.join(dir, name)).mtimeMs }));
  if (stamped.length === 0) {
    throw new UsageError(`no stress result files in ${displayPath(dir, cwd)}; run npm start or npm run stress first, or name a file`);
  }
  stamped.sort((a, b) => a.key.localeCompare(b.key) || a.mtime - b.mtime);
  return displayPath(path.join(dir, stamped.at(-1)!.name), cwd);
}

/** The deepest nesting of [ and { in JSON text, brackets inside strings not counted. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character, a quote included
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

// V8 says "Unexpected end of JSON input" for most cuts, and "Expected ',' or ']' ... at position N" or
// "Unterminated string ... at position N" for the rest, with N at the end of the text.
function endsEarly(text: string, message: string): boolean {
  if (/end of JSON input/i.test(message)) return true;
  const position = /at position (\d+)/.exec(message);
  return position !== null && Number(position[1]) >= text.trimEnd().length;
}

/** A file as messages name it: {@link shownPath}, relative to the user's folder when inside it. */
export function displayPath(file: string, cwd = userCwd()): string {
  return shownPath(file, cwd);
}
