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
 */
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { UsageError } from '../cli/usage-error.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { PointsMode } from './plain-access-mode.ts';

export const TOKEN_PREFIX = 'pagerace';
export const TOKEN_VERSION = 1;

export interface ReplayToken {
  v: number;
  /** The scenario file, relative to the repository. */
  scenario: string;
  /** The allocator, as it was given: a registry name or a module path. */
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
  kind: string;
  /** Hash of the scenario's normalized settings when the token was made. */
  settings: string;
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

function expand(text: string): number[] {
  if (text === '') return [];
  return text.split(',').flatMap((part) => {
    const [thread, count] = part.split('x').map(Number);
    if (!Number.isInteger(thread) || (count !== undefined && !Number.isInteger(count))) throw new Error(`bad schedule run "${part}"`);
    return new Array<number>(count ?? 1).fill(thread!);
  });
}

const checksum = (body: string) => createHash('sha256').update(body).digest('hex').slice(0, 8);

export function encodeToken(token: Omit<ReplayToken, 'v'>): string {
  const json = JSON.stringify({ ...token, v: TOKEN_VERSION, schedule: runLengths(token.schedule), hashes: Buffer.from(token.hashes).toString('base64') });
  const body = deflateRawSync(json).toString('base64url');
  return `${TOKEN_PREFIX}${TOKEN_VERSION}.${body}.${checksum(body)}`;
}

/** Decodes a token, or throws a UsageError that says what is wrong with it. */
export function decodeToken(text: string): ReplayToken {
  const token = text.trim();
  const match = /^pagerace(\d+)\.([A-Za-z0-9_-]+)\.([0-9a-f]{8})$/.exec(token);
  if (!match) {
    const hint = token.startsWith(TOKEN_PREFIX) ? 'its parts are damaged (was it cut short when pasted?)' : `expected a word starting with ${TOKEN_PREFIX}${TOKEN_VERSION}.`;
    throw new UsageError(`not a replay token: ${hint}`);
  }
  const [, version, body, sum] = match;
  if (Number(version) !== TOKEN_VERSION) {
    throw new UsageError(`replay token version ${version} is not one this pagerace reads (version ${TOKEN_VERSION}); explore again to get a new token`);
  }
  if (checksum(body!) !== sum) throw new UsageError('replay token is corrupted: its checksum does not match (was it cut short or changed when pasted?)');
  try {
    const raw = JSON.parse(inflateRawSync(Buffer.from(body!, 'base64url')).toString('utf8')) as Record<string, unknown>;
    const schedule = expand(String(raw.schedule));
    const hashes = new Uint8Array(Buffer.from(String(raw.hashes), 'base64'));
    if (hashes.length !== schedule.length) throw new Error('schedule and hashes differ in length');
    for (const key of ['scenario', 'allocator', 'seed', 'strategy', 'digest', 'settings', 'kind'] as const) {
      if (typeof raw[key] !== 'string') throw new Error(`${key} missing`);
    }
    for (const key of ['threads', 'ops', 'pages', 'maxHeldPages'] as const) {
      if (!Number.isInteger(raw[key])) throw new Error(`${key} missing`);
    }
    return { ...(raw as unknown as ReplayToken), schedule, hashes, lock: raw.lock !== false };
  } catch (error) {
    throw new UsageError(`replay token is corrupted: ${(error as Error).message}`);
  }
}
