/**
 * Flag parsing for every command, on node:util's parseArgs in strict mode, with its errors turned into
 * one-line {@link UsageError}s.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { parseDuration } from '../scenario/units.ts';
import { UsageError } from '../io/usage-error.ts';

export function parseFlags<const T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  allowPositionals: boolean,
) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals, strict: true, tokens: true });
  } catch (error) {
    const message = String((error as Error).message);
    // `--threads -1`: parseArgs will not take a value that starts with a dash, for fear it is a flag.
    const ambiguous = /^Option '(--[\w-]+)' argument is ambiguous/.exec(message);
    if (ambiguous) {
      const flag = ambiguous[1]!;
      const value = args[args.indexOf(flag) + 1] ?? '';
      throw new UsageError(`${flag} ${value}: a value that starts with "-" reads as a flag; if you mean it, write ${flag}=${value}`);
    }
    // parseArgs's messages already name the flag; keep only their first line.
    throw new UsageError(message.split('\n')[0]!);
  }
  // parseArgs keeps the last of a repeated flag; `--ops 10 ... --ops 20` is more likely a mistake
  // (an edited command line, a pasted one) than a wish for 20, so it is refused.
  const seen = new Map<string, string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    const shown = token.value === undefined ? token.rawName : `${token.rawName} ${token.value}`;
    const before = seen.get(token.name);
    if (before !== undefined) throw new UsageError(`--${token.name} given twice (${before}, then ${shown}); give it once`);
    seen.set(token.name, shown);
  }
  return { values: parsed.values, positionals: parsed.positionals };
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

/**
 * `--duration 10s`: a duration with its unit. A scenario file may give a number of milliseconds, but a
 * bare number on the command line is refused, since `10` reads as seconds to some and as milliseconds
 * to others; the message offers only what a flag takes.
 */
export function parseDurationFlag(flag: string, value: string): number {
  if (/^\s*\d+(?:\.\d+)?\s*$/.test(value)) {
    throw new UsageError(`--${flag} ${value}: give a unit, such as ${value.trim()}s or ${value.trim()}ms (a bare number could mean either)`);
  }
  try {
    return parseDuration(value);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new UsageError(`--${flag} ${JSON.stringify(value)}: expected a duration such as "500ms", "10s", "1.5s", "2m" or "1h"`);
  }
}

/** A flag naming a file or folder: an empty value is refused, not taken as "no file". */
export function parsePathFlag(flag: string, value: string): string {
  if (value.trim() === '') throw new UsageError(`--${flag} '': expected a path`);
  return value;
}
