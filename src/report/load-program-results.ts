/**
 * Reading a program's or an object's stress result file back (src/subjects/program/program-result.ts),
 * and telling it from an allocator sweep's: every field a report or comparison reads is checked first,
 * and any problem is one line that starts with the file, as load-results.ts does for allocator files.
 */
import * as v from 'valibot';
import { escapeControl } from '../io/terminal-text.ts';
import { userCwd } from '../io/user-cwd.ts';
import { MAX_EXPLORE_THREADS } from '../harness/limits.ts';
import { PROGRAM_RESULT_KIND, PROGRAM_RESULT_VERSION, type ProgramSweepResult } from '../subjects/program/program-result.ts';
import { type LoadedResult, type ResultRecord, allocatorResult, readResultRecord } from './load-results.ts';
import { count, finite, histogram, longText, machine, positiveInt, runsOf, text } from './result-fields.ts';

/** More thread counts than --threads can list. */
const MAX_PROGRAM_RUNS = 64;
/** More operations than an object defines. */
const MAX_OPERATIONS = 64;

export interface LoadedProgramResult {
  file: string;
  result: ProgramSweepResult;
}

/** A result file of either kind. */
export type LoadedAnyResult = { kind: 'allocator'; loaded: LoadedResult } | { kind: 'program'; loaded: LoadedProgramResult };

const outcomes = ['pass', 'assertion', 'check', 'deadlock', 'crash'] as const;
const verdicts = ['pass', 'fail', 'interrupted'] as const;

const outcome = v.looseObject({
  outcome: v.picklist(outcomes),
  rounds: count,
  // A check's message holds the history as columns: lines, but no other control character.
  first: v.optional(v.looseObject({ round: count, message: longText(64 * 1024), threads: v.pipe(v.array(positiveIntOrZero()), v.maxLength(MAX_EXPLORE_THREADS)) })),
});

function positiveIntOrZero() {
  return v.pipe(v.number(finite('a thread number')), v.integer(finite('a thread number')), v.minValue(0, finite('a thread number')), v.maxValue(MAX_EXPLORE_THREADS, finite('a thread number')));
}

const operationHistograms = v.pipe(
  v.record(text, histogram),
  v.check((value) => Object.keys(value).length <= MAX_OPERATIONS, `expected at most ${MAX_OPERATIONS} operations`),
);

const run = v.pipe(
  v.looseObject({
    threads: positiveInt(MAX_EXPLORE_THREADS),
    rounds: count,
    completed: count,
    seconds: count,
    roundsPerSec: count,
    ops: count,
    opsPerSec: count,
    outcomes: v.pipe(v.array(v.unknown()), v.maxLength(outcomes.length, `expected at most ${outcomes.length} outcomes`), v.array(outcome)),
    failed: count,
    verdict: v.picklist(verdicts),
    interrupted: v.boolean(),
    stopped: v.optional(longText(4096)),
    stoppedKind: v.optional(v.picklist(['hang', 'crash'])),
    latency: v.optional(v.looseObject({ sampleEvery: count, timerFloorNs: count, operations: operationHistograms })),
    reproduce: text,
  }),
  // What the file claims must add up: no more rounds counted than ended, none ended beyond those asked.
  v.check((r) => r.outcomes.reduce((n, o) => n + o.rounds, 0) === r.completed, 'its outcomes do not add up to its completed rounds'),
  v.check((r) => r.completed <= r.rounds, 'it completed more rounds than it was asked for'),
  v.check((r) => r.failed === r.outcomes.filter((o) => o.outcome !== 'pass').reduce((n, o) => n + o.rounds, 0), 'its failed rounds are not the rounds of its failing outcomes'),
);

const schema = v.looseObject({
  kind: v.literal(PROGRAM_RESULT_KIND),
  version: v.literal(PROGRAM_RESULT_VERSION),
  subject: v.picklist(['object', 'program']),
  program: text,
  programFile: text,
  description: longText(4096),
  verdict: v.picklist(verdicts),
  interrupted: v.boolean(),
  complete: v.boolean(),
  plannedRuns: count,
  startedAt: text,
  machine,
  settings: v.looseObject({ rounds: count, durationMs: v.optional(count), threads: v.pipe(v.array(positiveInt(MAX_EXPLORE_THREADS)), v.maxLength(MAX_PROGRAM_RUNS)) }),
  operations: v.optional(v.pipe(v.array(text), v.maxLength(MAX_OPERATIONS, `expected at most ${MAX_OPERATIONS} operations`))),
  runs: runsOf(run, MAX_PROGRAM_RUNS),
});

/** Reads a result file of either kind, checked as its kind says. */
export function loadAnyResultFile(file: string, cwd = userCwd()): LoadedAnyResult {
  const read = readResultRecord(file, cwd);
  if (read.record['kind'] === PROGRAM_RESULT_KIND) return { kind: 'program', loaded: programResult(read) };
  return { kind: 'allocator', loaded: allocatorResult(read) };
}

/** A program's result file, checked field by field. */
export function programResult({ where, record, fail }: ResultRecord): LoadedProgramResult {
  if (record['version'] !== PROGRAM_RESULT_VERSION) {
    fail(`program stress result version ${escapeControl(JSON.stringify(record['version']) ?? 'none').slice(0, 40)}; this pagerace reads version ${PROGRAM_RESULT_VERSION}`);
  }
  const parsed = v.safeParse(schema, record);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const field = v.getDotPath(issue);
    const more = parsed.issues.length > 1 ? ` (and ${parsed.issues.length - 1} more)` : '';
    fail(`not a well-formed program stress result: ${field ? `${escapeControl(field).slice(0, 120)}: ` : ''}${escapeControl(issue.message).slice(0, 200)}${more}`);
  }
  const result = record as unknown as ProgramSweepResult;
  // Latency of an operation the object does not have would be drawn as a line of its own.
  for (const [i, r] of result.runs.entries()) {
    const unknown = Object.keys(r.latency?.operations ?? {}).find((name) => !(result.operations ?? []).includes(name));
    if (unknown !== undefined) fail(`not a well-formed program stress result: runs.${i}.latency.operations: ${escapeControl(unknown).slice(0, 80)} is not one of the object's operations`);
  }
  return { file: where, result };
}
