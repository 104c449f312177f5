/**
 * What a module must default-export to be a program, checked where the module is imported (a worker,
 * never the main thread). Only plain values are copied out; every problem is one line naming the field.
 */
import { MAX_EXPLORE_THREADS } from '../../harness/limits.ts';
import type { ProgramDefinition } from './contract.ts';
import { objectHooksOf } from '../object/object-hooks.ts';

/** The most shared memory a program may ask for: more than any test of a few threads needs. */
export const MAX_PROGRAM_BYTES = 256 * 2 ** 20;

/** What the main thread may know of a program: its plain fields. */
export interface ProgramInfo {
  name: string;
  threads: number;
  sharedBytes: number;
  scratchBytes: number;
  description?: string;
  hasCheck: boolean;
  /** Set for a program defineObject made: its operations and the thread counts it works at. */
  object?: { operations: string[]; threadCounts: number[] };
}

/** Whether a default export looks like a program at all (it has a `thread` function). */
export function looksLikeProgram(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { thread?: unknown }).thread === 'function';
}

/** The program, or an Error whose message says in one line what is wrong with it. */
export function checkProgram(value: unknown, where: string): ProgramDefinition {
  const fail = (problem: string): never => {
    throw new Error(`${where}: ${problem}`);
  };
  if (typeof value !== 'object' || value === null) fail(`the module must default-export a program (defineProgram({...})), got ${value === null ? 'null' : typeof value}`);
  const p = value as Record<string, unknown>;
  if (typeof p['name'] !== 'string' || p['name'].length === 0 || p['name'].length > 200) fail('name: expected a non-empty string of at most 200 characters');
  const threads = p['threads'];
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > MAX_EXPLORE_THREADS) fail(`threads: expected an integer from 1 to ${MAX_EXPLORE_THREADS}, got ${String(threads)}`);
  const bytes = p['sharedBytes'];
  if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 1 || bytes > MAX_PROGRAM_BYTES) fail(`sharedBytes: expected an integer from 1 to ${MAX_PROGRAM_BYTES}, got ${String(bytes)}`);
  const scratch = p['scratchBytes'];
  if (scratch !== undefined && (typeof scratch !== 'number' || !Number.isInteger(scratch) || scratch < 0 || scratch > MAX_PROGRAM_BYTES)) fail(`scratchBytes: expected an integer from 0 to ${MAX_PROGRAM_BYTES}, got ${String(scratch)}`);
  if (typeof p['thread'] !== 'function') fail('thread: expected a function thread(memory, thread)');
  for (const optional of ['init', 'check', 'describe'] as const) {
    if (p[optional] !== undefined && typeof p[optional] !== 'function') fail(`${optional}: expected a function or nothing`);
  }
  if (p['description'] !== undefined && typeof p['description'] !== 'string') fail('description: expected a string or nothing');
  const hooks = objectHooksOf(value as ProgramDefinition);
  if (hooks) {
    const counts: unknown = hooks.threadCounts;
    if (!Array.isArray(counts) || counts.length === 0 || counts.length > MAX_EXPLORE_THREADS || !counts.every((n) => Number.isInteger(n) && n >= 1 && n <= MAX_EXPLORE_THREADS)) {
      fail(`threadCounts: expected thread counts from 1 to ${MAX_EXPLORE_THREADS}, got ${String(counts).slice(0, 80)}`);
    }
    const names: unknown = hooks.operations;
    if (!Array.isArray(names) || names.length === 0 || names.length > 64 || !names.every((n) => typeof n === 'string' && n.length > 0 && n.length <= 80)) {
      fail('operations: expected 1 to 64 operations, each with a name of at most 80 characters');
    }
    if (new Set(names as string[]).size !== (names as string[]).length) fail('operations: two operations have the same name');
  }
  return value as ProgramDefinition;
}

export function programInfo(program: ProgramDefinition): ProgramInfo {
  const hooks = objectHooksOf(program);
  return {
    name: program.name,
    threads: program.threads,
    sharedBytes: program.sharedBytes,
    scratchBytes: program.scratchBytes ?? 0,
    ...(typeof program.description === 'string' ? { description: program.description.slice(0, 500) } : {}),
    hasCheck: typeof program.check === 'function',
    ...(hooks ? { object: { operations: [...hooks.operations], threadCounts: [...hooks.threadCounts] } } : {}),
  };
}

/** The first line of what a throw threw, cut to a line's length. */
export function thrownText(error: unknown): string {
  let text: string;
  try {
    text = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  } catch {
    text = 'a value that cannot be shown';
  }
  const line = text.split('\n')[0]!;
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}
