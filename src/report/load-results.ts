/**
 * Reading result files back for reports and comparisons. Charts are drawn from these files, never from
 * memory, so a file is checked before anything is drawn from it: every problem (missing, cut short, not
 * JSON, JSON of something else, a result without the fields a chart reads) becomes a one-line
 * {@link UsageError} that starts with the file, because the fix is to give another file.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import * as v from 'valibot';
import { UsageError } from '../cli/usage-error.ts';
import type { SweepResult } from '../stress/sweep.ts';
import { resultsDir } from './result-file.ts';

export interface LoadedResult {
  /** The file as messages and pages name it: relative to the working directory when inside it. */
  file: string;
  result: SweepResult;
}

const count = v.pipe(v.number(), v.minValue(0));
const histogram = v.looseObject({
  count,
  min: count,
  max: count,
  p50: count,
  p90: count,
  p99: count,
  p999: count,
  buckets: v.array(v.tuple([count, count, count])),
});

// Loose objects: only what reports read is required, so a result written by a newer pagerace with more
// fields still loads. Whatever a chart reads must be in here, or a file without it would draw NaN.
const resultSchema = v.looseObject({
  scenario: v.string(),
  description: v.string(),
  seed: v.string(),
  verdict: v.picklist(['pass', 'fail']),
  interrupted: v.boolean(),
  startedAt: v.string(),
  settings: v.looseObject({ pages: v.optional(count), ops: v.optional(count), durationMs: v.optional(count) }),
  machine: v.looseObject({ cpus: v.pipe(v.number(), v.integer(), v.minValue(1)), cpuModel: v.string(), node: v.string(), platform: v.string() }),
  runs: v.array(
    v.looseObject({
      allocator: v.string(),
      threads: v.pipe(v.number(), v.integer(), v.minValue(1)),
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
      stopped: v.optional(v.string()),
    }),
  ),
});

/** Reads and checks one stress result file. */
export function loadResultFile(file: string, cwd = process.cwd()): LoadedResult {
  const where = displayPath(path.resolve(cwd, file), cwd);
  const fail = (problem: string): never => {
    throw new UsageError(`${where}: ${problem}`.replace(/\s*[\r\n]+\s*/g, ' '));
  };
  let text = '';
  try {
    text = readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    fail(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a result file' : `cannot read: ${(error as Error).message}`);
  }
  if (text.trim() === '') fail('empty file, not a stress result');
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
  const record = json as Record<string, unknown>;
  if (record['kind'] !== 'pagerace-stress') {
    fail(
      record['kind'] === undefined
        ? `not a pagerace stress result: no "kind": "pagerace-stress" (keys: ${Object.keys(record).slice(0, 5).join(', ') || 'none'})`
        : `not a pagerace stress result: kind is ${JSON.stringify(record['kind'])}, expected "pagerace-stress"`,
    );
  }
  if (record['version'] !== 1) fail(`stress result version ${JSON.stringify(record['version'])}; this pagerace reads version 1`);
  const parsed = v.safeParse(resultSchema, record);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const field = v.getDotPath(issue);
    const more = parsed.issues.length > 1 ? ` (and ${parsed.issues.length - 1} more)` : '';
    fail(`not a well-formed stress result: ${field ? `${field}: ` : ''}${issue.message}${more}`);
  }
  // Everything a report reads has just been checked; the rest of the file is as runSweep wrote it.
  return { file: where, result: record as unknown as SweepResult };
}

/** The newest `stress-*.json` in `dir`, by the time in its name (the sweep's start). */
export function latestResultFile(dir = resultsDir, cwd = process.cwd()): string {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // No results folder yet: the same advice as an empty one.
  }
  const stamped = names
    .map((name) => ({ name, stamp: /^stress-.+-(\d{8}T\d{6})(\d{3})?Z\.json$/.exec(name) }))
    .filter((entry) => entry.stamp !== null)
    .map(({ name, stamp }) => ({ name, key: `${stamp![1]}${stamp![2] ?? '000'}`, mtime: statSync(path.join(dir, name)).mtimeMs }));
  if (stamped.length === 0) {
    throw new UsageError(`no stress result files in ${displayPath(dir, cwd)}; run npm start or npm run stress first, or name a file`);
  }
  stamped.sort((a, b) => a.key.localeCompare(b.key) || a.mtime - b.mtime);
  return displayPath(path.join(dir, stamped.at(-1)!.name), cwd);
}

// V8 says "Unexpected end of JSON input" for most cuts, and "Expected ',' or ']' ... at position N" or
// "Unterminated string ... at position N" for the rest, with N at the end of the text.
function endsEarly(text: string, message: string): boolean {
  if (/end of JSON input/i.test(message)) return true;
  const position = /at position (\d+)/.exec(message);
  return position !== null && Number(position[1]) >= text.trimEnd().length;
}

// Paths under the working directory read better relative (`results/x.json`); others stay absolute.
export function displayPath(file: string, cwd = process.cwd()): string {
  const relative = path.relative(cwd, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
