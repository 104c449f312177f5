/**
 * Flag parsing for every command, on node:util's parseArgs in strict mode, with its errors turned into
 * one-line {@link UsageError}s.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './usage-error.ts';

export function parseFlags<const T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  allowPositionals: boolean,
) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    // parseArgs's messages already name the flag; keep only their first line.
    throw new UsageError(String((error as Error).message).split('\n')[0]);
  }
}

/** `--threads 1,2,8` and the like: a comma-separated list of positive integers. */
export function parseIntList(flag: string, value: string, max = Number.MAX_SAFE_INTEGER): number[] {
  const items = value.split(',').map((s) => s.trim());
  const numbers = items.map(Number);
  const bad = items.find((s, i) => !/^\d+$/.test(s) || numbers[i]! < 1 || numbers[i]! > max);
  if (bad !== undefined) throw new UsageError(`--${flag} ${value}: "${bad}" is not an integer from 1 to ${max}`);
  return [...new Set(numbers)].sort((a, b) => a - b);
}

/** `--ops 500` and the like: one positive integer, at most `max`. */
export function parsePositiveInt(flag: string, value: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > max) throw new UsageError(`--${flag} ${value}: expected an integer from 1 to ${max}`);
  return n;
}
