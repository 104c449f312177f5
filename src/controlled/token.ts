/**
 * Replay tokens: everything needed to run one controlled interleaving again, in one pasteable word.
 *
 *   pagerace1.<base64url of deflated JSON>.<8 hex digits of its SHA-256>
 *
 * The JSON carries the scenario file, the allocator, the run's size, the workload seed, the strategy
 * that found the schedule, the schedule itself (run-length encoded), one hash byte per step so that a
 * replay notices the moment it departs from the recording, and the trace digest to compare at the end.
 * The checksum catches a token cut short or mangled in transit; a hash of the scenario's settings
 * catches a token made before the scenario file changed.
 *
 * A token is data from outside (a chat, a CI log, a bug report), and a checksum anyone can compute
 * proves nothing about who made it. So {@link decodeToken} checks it whole before anything is done with
 * it, and every step costs time and memory bounded by the limits below, whatever the input: the text's
 * length, the inflated size, the JSON's shape (one flat object), every field's type and range, the
 * schedule's step count (refused before anything is allocated for it) and the files it names.
 */
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import * as v from 'valibot';
import { UsageError } from '../io/usage-error.ts';
import type { Scenario } from '../scenario/schema.ts';
import { MIN_PAGES } from '../scenario/schema.ts';
import { violationKinds, type ViolationKind } from '../scenario/violation-kind.ts';
import { MAX_EXPLORE_OPS, MAX_EXPLORE_PAGES, MAX_EXPLORE_THREADS, MAX_STEP_BUDGET } from '../harness/limits.ts';
import { type PointsMode, pointsModes } from './plain-access-mode.ts';
import { defaultPlaces, resolveTokenFiles, type TokenFiles, type TokenPlaces } from './token-files.ts';
import { quote } from './untrusted-text.ts';

export const TOKEN_PREFIX = 'pagerace';
export const TOKEN_VERSION = 1;

/**
 * The longest token accepted, in characters. A token at the step cap is about 1.45 characters a step
 * (5.8 million at MAX_STEP_BUDGET); eight threads switching at every step, about 1.9.
 */
export const MAX_TOKEN_CHARS = 8 * 1024 * 1024;

/** Longest scenario path, allocator name or path, and seed. */
const MAX_TEXT_CHARS = 4096;
/** `random #12`, `pct d=3 #4711`, `shrunk`. */
const MAX_STRATEGY_CHARS = 256;
/** Every step its own run (`3,`) is the longest a schedule of MAX_STEP_BUDGET steps can be written. */
const MAX_SCHEDULE_CHARS = 2 * MAX_STEP_BUDGET;
/** One byte a step, in base64. */
const MAX_HASHES_CHARS = 4 * Math.ceil(MAX_STEP_BUDGET / 3);
/**
 * The most the JSON may inflate to: every field at its longest, every character of the free-text ones
 * written as a 6-byte `\uXXXX` escape, and room for the keys and punctuation. Inflating stops there.
 */
const MAX_JSON_BYTES = MAX_SCHEDULE_CHARS + MAX_HASHES_CHARS + 6 * (3 * MAX_TEXT_CHARS + MAX_STRATEGY_CHARS) + 4096;
/** The token's JSON has 16 keys; anything with many more is not one. */
const MAX_MEMBERS = 32;

export interface ReplayToken {
  v: number;
  /** The scenario file, relative to the project root (or absolute, when outside it). */
  scenario: string;
  /** The allocator: a registry name, or a module path relative to the project root (or absolute). */
  allocator: string;
  threads: number;
  ops: number;
  pages: number;
  maxHeldPages: number;
  /** The workload seed. */
  seed: string;
  lock: boolean;
  /** The scheduling points it was made with (`--points`); a token without it was made with Atomics calls only. */
  points?: PointsMode;
  /** How the schedule was found, for the record: `random`, `pct d=3`, `shrunk`. */
  strategy: string;
  /** The thread of every step. */
  schedule: number[];
  /** One byte per step: the call that step made. */
  hashes: Uint8Array;
  /** Digest of the whole trace. */
  digest: string;
  /** The kind of the violation the recorded run ended with. */
  kind: ViolationKind;
  /** Hash of the scenario's normalized settings when the token was made (a program's: its name, threads and bytes). */
  settings: string;
  /**
   * `program`: `scenario` is a program's module (src/subjects/program/), `allocator` is PROGRAM_ALLOCATOR,
   * and ops, pages, maxHeldPages and seed carry nothing. Absent: a scenario and an allocator.
   */
  subject?: 'program';
}

/** What a program token has where an allocator token names its allocator. */
export const PROGRAM_ALLOCATOR = '-';

/** A token that passed every check, with the files a replay of it will load. */
export interface CheckedToken extends ReplayToken {
  files: TokenFiles;
}

/** A short hash of a scenario's settings, so a replay can tell that the file changed. */
export function settingsHash(scenario: Scenario): string {
  return createHash('sha256').update(JSON.stringify(scenario)).digest('hex').slice(0, 12);
}

function runLengths(schedule: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < schedule.length; ) {
    let j = i;
    while (j < schedule.length && schedule[j] === schedule[i]) j++;
    parts.push(j - i === 1 ? `${schedule[i]}` : `${schedule[i]}x${j - i}`);
    i = j;
  }
  return parts.join(',');
}

const checksum = (body: string) => createHash('sha256').update(body).digest('hex').slice(0, 8);

export function encodeToken(token: Omit<ReplayToken, 'v'>): string {
  const json = JSON.stringify({ ...token, v: TOKEN_VERSION, schedule: runLengths(token.schedule), hashes: Buffer.from(token.hashes).toString('base64') });
  const body = deflateRawSync(json).toString('base64url');
  return `${TOKEN_PREFIX}${TOKEN_VERSION}.${body}.${checksum(body)}`;
}

// Every message reads "expected X, got Y", with Y shown inert and short (see quote).
const got = (expected: string) => (issue: v.BaseIssue<unknown>) => `expected ${expected}, got ${quote(issue.input)}`;

function integerIn(min: number, max: number) {
  const message = got(`an integer from ${min} to ${max.toLocaleString('en-US')}`);
  return v.pipe(v.number(message), v.integer(message), v.minValue(min, message), v.maxValue(max, message));
}

function text(expected: string, max: number) {
  return v.pipe(v.string(got(expected)), v.nonEmpty(got(expected)), v.maxLength(max, got(`${expected} of at most ${max.toLocaleString('en-US')} characters`)));
}

const hex = (pattern: RegExp, expected: string) => v.pipe(v.string(got(expected)), v.regex(pattern, got(expected)));

const fields = {
  v: v.literal(TOKEN_VERSION, got(`${TOKEN_VERSION}`)),
  scenario: text('a scenario path', MAX_TEXT_CHARS),
  allocator: text('an allocator name or module path', MAX_TEXT_CHARS),
  threads: integerIn(1, MAX_EXPLORE_THREADS),
  ops: integerIn(1, MAX_EXPLORE_OPS),
  pages: integerIn(MIN_PAGES, MAX_EXPLORE_PAGES),
  maxHeldPages: integerIn(1, MAX_EXPLORE_PAGES),
  seed: text('a seed', MAX_TEXT_CHARS),
  // Tokens always carry it; the first ones could leave it out, meaning the scenario's lock was on.
  lock: v.optional(v.boolean(got('true or false')), true),
  strategy: text('a strategy', MAX_STRATEGY_CHARS),
  // Only bounded here; its runs are read (and refused) one by one in expandSchedule.
  schedule: v.pipe(v.string(got('a run-length schedule')), v.maxLength(MAX_SCHEDULE_CHARS, got(`a schedule of at most ${MAX_STEP_BUDGET.toLocaleString('en-US')} steps`))),
  hashes: v.pipe(v.string(got('base64 step hashes')), v.maxLength(MAX_HASHES_CHARS, got(`at most ${MAX_STEP_BUDGET.toLocaleString('en-US')} step hashes`))),
  digest: hex(/^[0-9a-f]{16}$/, 'a trace digest (16 hex digits)'),
  kind: v.picklist(violationKinds, got(`a violation kind (${violationKinds.join(', ')})`)),
  settings: hex(/^[0-9a-f]{12}$/, 'a settings hash (12 hex digits)'),
  points: v.optional(v.picklist(pointsModes, got(`${pointsModes.map((p) => `"${p}"`).join(' or ')}`))),
  subject: v.optional(v.literal('program', got('"program"'))),
};
const knownKeys = Object.keys(fields).join(', ');

const tokenSchema = v.strictObject(fields, (issue) => {
  if (issue.expected === 'never') return `unknown key ${quote(issue.input)} (known keys: ${knownKeys})`;
  if (issue.path) return 'required, but missing';
  return `expected an object, got ${quote(issue.input)}`;
});

const invalid = (problem: string) => new UsageError(`replay token is invalid: ${problem}`);
const corrupted = (problem: string) => new UsageError(`replay token is corrupted: ${problem}`);

/**
 * Decodes a token and checks it whole, or throws a one-line UsageError that says what is wrong with it.
 * Nothing is loaded: the files it names are only found and checked against `places`.
 */
export function decodeToken(text: string, places: TokenPlaces = defaultPlaces()): CheckedToken {
  const token = text.trim();
  if (token.length > MAX_TOKEN_CHARS) {
    throw new UsageError(`not a replay token: ${token.length.toLocaleString('en-US')} characters, and a token is at most ${MAX_TOKEN_CHARS.toLocaleString('en-US')}`);
  }
  // The version as the writer writes it, with no leading zero: pagerace01. is a damaged pagerace1., not version 1.
  const match = /^pagerace(0|[1-9]\d{0,8})\.([A-Za-z0-9_-]+)\.([0-9a-f]{8})$/.exec(token);
  if (!match) {
    const hint = token.startsWith(TOKEN_PREFIX) ? 'its parts are damaged (was it cut short when pasted?)' : `expected a word starting with ${TOKEN_PREFIX}${TOKEN_VERSION}. (or a file that holds one)`;
    throw new UsageError(`not a replay token: ${hint}`);
  }
  const [, version, body, sum] = match;
  if (Number(version) !== TOKEN_VERSION) {
    throw new UsageError(`replay token version ${version} is not one this pagerace reads (version ${TOKEN_VERSION}); explore again to get a new token`);
  }
  if (checksum(body!) !== sum) throw corrupted('its checksum does not match (was it cut short or changed when pasted?)');
  const raw = parseFields(inflate(body!));
  const schedule = expandSchedule(raw.schedule, raw.threads, stepsOf(raw.hashes));
  const decoded: ReplayToken = {
    v: raw.v,
    scenario: raw.scenario,
    allocator: raw.allocator,
    threads: raw.threads,
    ops: raw.ops,
    pages: raw.pages,
    maxHeldPages: raw.maxHeldPages,
    seed: raw.seed,
    lock: raw.lock,
    strategy: raw.strategy,
    schedule,
    hashes: new Uint8Array(Buffer.from(raw.hashes, 'base64')),
    digest: raw.digest,
    kind: raw.kind,
    settings: raw.settings,
    ...(raw.points !== undefined ? { points: raw.points } : {}),
    ...(raw.subject !== undefined ? { subject: raw.subject } : {}),
  };
  if (decoded.subject === 'program' && decoded.allocator !== PROGRAM_ALLOCATOR) throw invalid(`allocator: a program's token has ${quote(PROGRAM_ALLOCATOR)} there, got ${quote(decoded.allocator)}`);
  return { ...decoded, files: resolveTokenFiles(decoded.scenario, decoded.allocator, places, decoded.subject) };
}

/** The body's JSON text: inflated at most to MAX_JSON_BYTES, and valid UTF-8. */
function inflate(body: string): string {
  let bytes: Buffer;
  try {
    bytes = inflateRawSync(Buffer.from(body, 'base64url'), { maxOutputLength: MAX_JSON_BYTES });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw invalid(`its data inflates to more than ${MAX_JSON_BYTES.toLocaleString('en-US')} bytes, more than any token of ${MAX_STEP_BUDGET.toLocaleString('en-US')} steps`);
    }
    throw corrupted(`its data does not inflate (${quote(String((error as Error).message))})`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw corrupted('its data is not UTF-8 text');
  }
}

/** The token's fields, each checked by the schema; the JSON is first checked to be one flat object, so that parsing it is bounded. */
function parseFields(json: string): v.InferOutput<typeof tokenSchema> {
  const shape = flatObjectProblem(json);
  if (shape) throw invalid(shape);
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    // V8's message quotes a piece of the input, which may hold anything; the position is enough.
    throw corrupted('its data is not JSON');
  }
  const result = v.safeParse(tokenSchema, raw, { abortEarly: true });
  if (result.success) return result.output;
  const issue = result.issues[0];
  const key = issue.expected !== 'never' ? issue.path?.[0]?.key : undefined;
  throw invalid(typeof key === 'string' ? `${key}: ${issue.message}` : issue.message);
}

/**
 * Why `json` is not a single object of at most MAX_MEMBERS plain values, or undefined. JSON.parse of
 * nested input costs far more memory than its text (8 million nested `[` take more than 256 MB), so
 * nesting is refused before parsing, by scanning the text once outside its strings.
 */
function flatObjectProblem(json: string): string | undefined {
  let depth = 0;
  let members = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22) {
      // Jump to the string's closing quote: one not escaped, so preceded by an even number of
      // backslashes. Each run of backslashes is walked back over once, so this stays linear.
      let end = i;
      for (;;) {
        end = json.indexOf('"', end + 1);
        if (end < 0) return undefined; // unterminated: JSON.parse says so
        let backslashes = 0;
        while (json.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
        if (backslashes % 2 === 0) break;
      }
      i = end;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > 1) return 'its data has nested values; a token is one flat object';
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2c && ++members >= MAX_MEMBERS) return `its data has more than ${MAX_MEMBERS} fields; a token has 16`;
  }
  return undefined;
}

/** Steps the base64 `hashes` decode to, from its length alone; the schema has bounded that length. */
function stepsOf(hashes: string): number {
  if (hashes.length % 4 !== 0 || Buffer.from(hashes, 'base64').toString('base64') !== hashes) throw invalid('hashes: expected base64 step hashes');
  const padding = hashes.endsWith('==') ? 2 : hashes.endsWith('=') ? 1 : 0;
  return (hashes.length / 4) * 3 - padding;
}

/**
 * The schedule `t,txN,...` as one thread number a step. Each run is checked before it is written out
 * (its thread below `threads`, its count refused as soon as the total would pass the number of step
 * hashes, itself at most MAX_STEP_BUDGET), so the only memory taken is for the steps the hashes count.
 */
function expandSchedule(text: string, threads: number, hashedSteps: number): number[] {
  const steps = new Uint8Array(hashedSteps);
  const countDigits = String(MAX_STEP_BUDGET).length;
  const threadDigits = String(MAX_EXPLORE_THREADS).length;
  const bad = (what: string, at: number) => invalid(`schedule: expected ${what} at character ${at}, got ${quote(text.slice(at, at + 12))}`);
  let total = 0;
  let i = 0;
  while (i < text.length) {
    if (i > 0) {
      if (text.charCodeAt(i) !== 0x2c) throw bad('","', i);
      i++;
    }
    // The thread: at most as many digits as MAX_EXPLORE_THREADS has; a longer number is too big unread.
    const at = i;
    while (i < text.length && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
    if (i === at || (i - at > 1 && text.charCodeAt(at) === 0x30)) throw bad('a thread number', at);
    const thread = i - at <= threadDigits ? Number(text.slice(at, i)) : Infinity;
    if (thread >= threads) throw invalid(`schedule: step ${total} runs thread ${quote(text.slice(at, i))}, but the token has ${threads} thread${threads === 1 ? '' : 's'}`);
    let count = 1;
    if (text.charCodeAt(i) === 0x78) {
      const countAt = ++i;
      while (i < text.length && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
      if (i === countAt || (i - countAt > 1 && text.charCodeAt(countAt) === 0x30)) throw bad('a step count', countAt);
      // Too many digits is too many steps: the number itself need not be read.
      count = i - countAt > countDigits ? Infinity : Number(text.slice(countAt, i));
      if (count < 1) throw invalid(`schedule: a run of 0 steps at character ${countAt}`);
    }
    if (total + count > MAX_STEP_BUDGET) throw invalid(`schedule: more than ${MAX_STEP_BUDGET.toLocaleString('en-US')} steps, the most explore runs`);
    if (total + count > hashedSteps) throw invalid(`schedule and hashes differ in length (more than the ${hashedSteps.toLocaleString('en-US')} steps hashed)`);
    if (count === 1) steps[total] = thread;
    else steps.fill(thread, total, total + count);
    total += count;
  }
  if (total !== hashedSteps) throw invalid(`schedule and hashes differ in length (${total.toLocaleString('en-US')} steps, ${hashedSteps.toLocaleString('en-US')} hashed)`);
  const schedule = new Array<number>(total);
  for (let k = 0; k < total; k++) schedule[k] = steps[k]!;
  return schedule;
}
