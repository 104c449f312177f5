/**
 * Sizes and durations as people write them in scenario files and on the command line.
 *
 * Both parsers are exact: a decimal such as `1.5GiB` is scaled with integers, never with floating point,
 * so a size either names a whole number of pages or is rejected; nothing is rounded behind the user's back.
 */
import { UsageError } from '../io/usage-error.ts';

/** Bytes in one page. Every allocator in pagerace manages 4 KiB pages, as the seeds' figures assume. */
export const PAGE_SIZE = 4096;

// Binary units only: "8GB" could mean 8 * 10^9 bytes, which is not a whole number of pages, so it is
// refused with a hint rather than guessed at.
const memoryUnits: Record<string, bigint> = {
  kib: 1024n,
  mib: 1024n ** 2n,
  gib: 1024n ** 3n,
  tib: 1024n ** 4n,
};

const durationUnits: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const memoryHint = 'expected a page count such as 4096 or a size in KiB, MiB, GiB or TiB such as "8GiB"';
const durationHint = 'expected milliseconds as a number or a duration such as "500ms", "10s", "1.5s", "2m" or "1h"';

/**
 * Converts a memory size to a count of {@link PAGE_SIZE}-byte pages.
 *
 * @param value A page count (a positive integer, or a string of digits), or a size with a binary unit:
 *   `'512KiB'`, `'8GiB'`, `'1.5GiB'`. The size must come to a whole number of pages.
 * @returns the number of pages, at least 1.
 * @throws UsageError naming the value and what would have been valid.
 */
export function parseMemory(value: number | string): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 1) return value;
    throw new UsageError(`bad memory size ${show(value)}: ${memoryHint}`);
  }
  const text = value.trim();
  if (/^\d+$/.test(text)) return parseMemory(Number(text));
  const match = /^(\d+(?:\.\d+)?) ?([A-Za-z]+)$/.exec(text);
  const unit = match ? memoryUnits[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    const decimal = match && /^[kmgt]b$/i.test(match[2]!) ? ` (did you mean "${match[1]}${match[2]![0]}iB"?)` : '';
    throw new UsageError(`bad memory size ${show(value)}: ${memoryHint}${decimal}`);
  }
  const { mantissa, scale } = decimalParts(match[1]!);
  const bytes = mantissa * unit;
  const divisor = scale * BigInt(PAGE_SIZE);
  if (bytes % divisor !== 0n) {
    throw new UsageError(`bad memory size ${show(value)}: not a whole number of ${PAGE_SIZE}-byte pages`);
  }
  const pages = bytes / divisor;
  if (pages < 1n || pages > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new UsageError(`bad memory size ${show(value)}: ${memoryHint}`);
  }
  return Number(pages);
}

/**
 * Converts a duration to milliseconds.
 *
 * @param value Milliseconds as a number, or a string with a unit: `'500ms'`, `'10s'`, `'1.5s'`, `'2m'`,
 *   `'1h'`. A string without a unit is refused: `'10'` reads as seconds to some people and as
 *   milliseconds to others.
 * @returns the duration in milliseconds, a finite number >= 0.
 * @throws UsageError naming the value and what would have been valid.
 */
export function parseDuration(value: number | string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
    throw new UsageError(`bad duration ${show(value)}: ${durationHint}`);
  }
  const match = /^(\d+(?:\.\d+)?) ?([A-Za-z]+)$/.exec(value.trim());
  const unit = match ? durationUnits[match[2]!] : undefined;
  if (!match || unit === undefined) {
    throw new UsageError(`bad duration ${show(value)}: ${durationHint}`);
  }
  const { mantissa, scale } = decimalParts(match[1]!);
  // Integer arithmetic first, one division last: 1.1s is 11 * 1000 / 10 = 1100, not 1100.0000000000002.
  return Number(mantissa * BigInt(unit)) / Number(scale);
}

/** `'1.25'` as `{ mantissa: 125n, scale: 100n }`, so that the value is exactly `mantissa / scale`. */
function decimalParts(digits: string): { mantissa: bigint; scale: bigint } {
  const [whole, fraction = ''] = digits.split('.');
  return { mantissa: BigInt(whole! + fraction), scale: 10n ** BigInt(fraction.length) };
}

// JSON quoting keeps a stray newline or quote in the value from breaking the one-line message.
function show(value: number | string): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
