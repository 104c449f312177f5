/**
 * Damaged copies of a real result file, for the hostile-input tests of every kind of result file
 * (allocator sweeps, program and object sweeps): each is written as it is, so it may be anything but
 * JSON, and each refusal is held to the same rule, one short line naming the file, with no control
 * character in it, within a time bound.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { UsageError } from '../io/usage-error.ts';

type FieldPath = (string | number)[];

export interface DamagedFiles {
  /** A damaged file on disk, named `damaged-N.json` in the folder. */
  write(text: string): string;
  /** The real file with the value at `at` replaced by `value` (`undefined`: the key removed). */
  withField(at: FieldPath, value: unknown): Record<string, unknown>;
  /** `withField`, with `raw` spliced in as JSON text where the value goes: 1e999, NaN, deep nesting. */
  withRawField(at: FieldPath, raw: string): string;
}

export function damagedFiles(dir: string, real: Record<string, unknown>): DamagedFiles {
  let cases = 0;
  const withField = (at: FieldPath, value: unknown): Record<string, unknown> => {
    const copy = structuredClone(real);
    let node = copy as Record<string | number, unknown>;
    for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    if (value === undefined) delete node[at.at(-1)!];
    else node[at.at(-1)!] = value;
    return copy;
  };
  return {
    write(text) {
      const file = path.join(dir, `damaged-${++cases}.json`);
      writeFileSync(file, text);
      return file;
    },
    withField,
    withRawField(at, raw) {
      const marker = '\u0000marker\u0000';
      return JSON.stringify(withField(at, marker)).replace(JSON.stringify(marker), raw);
    },
  };
}

/**
 * Loading `file` is refused with a UsageError whose message is one line, starts with the file's name,
 * holds no control or bidi character and is short, and comes within `withinMs` (a load is
 * milliseconds; the rest of the bound is room for a machine shared by the whole suite). Returns the
 * message.
 */
export function expectRefused(load: (file: string) => unknown, file: string, withinMs = 5_000): string {
  const started = performance.now();
  let error: unknown;
  try {
    load(file);
  } catch (caught) {
    error = caught;
  }
  const ms = performance.now() - started;
  expect(error, 'the file loaded').toBeInstanceOf(UsageError);
  const message = (error as UsageError).message;
  expect(message).not.toMatch(/[\n\r]/);
  expect(message).not.toMatch(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/u);
  expect(message.startsWith(file)).toBe(true);
  expect(message.length).toBeLessThan(600);
  expect(ms).toBeLessThan(withinMs);
  return message;
}
