import { describe, expect, test } from 'vitest';
import { UsageError } from '../io/usage-error.ts';
import { PAGE_SIZE, parseDuration, parseMemory } from './units.ts';

function usageErrorOf(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError, but nothing was thrown');
}

describe('parseMemory', () => {
  test('pages are 4 KiB', () => {
    expect(PAGE_SIZE).toBe(4096);
  });

  test.each([
    [4096, 4096],
    ['4096', 4096],
    ['4KiB', 1],
    ['512KiB', 128],
    ['1MiB', 256],
    ['8GiB', 2_097_152],
    ['64GiB', 16_777_216],
    ['1.5GiB', 393_216],
    ['1TiB', 268_435_456],
    ['8 gib', 2_097_152],
  ] as const)('%j is %i pages', (value, pages) => {
    expect(parseMemory(value)).toBe(pages);
  });

  test.each([0, -8, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects the page count %s', (value) => {
    expect(usageErrorOf(() => parseMemory(value)).message).toContain(`bad memory size ${value}`);
  });

  test.each(['8GB', '8gigs', 'GiB', '-1GiB', '', '8 PiB', '1e3KiB', '8\nGiB'])(
    'rejects %j, naming it and the valid units',
    (value) => {
      const { message } = usageErrorOf(() => parseMemory(value));
      expect(message).toContain(JSON.stringify(value));
      expect(message).toContain('GiB');
      expect(message).not.toContain('\n');
    },
  );

  test('suggests the binary unit for a decimal one', () => {
    expect(usageErrorOf(() => parseMemory('8GB')).message).toContain('did you mean "8GiB"');
  });

  test('rejects sizes that are not whole pages instead of rounding', () => {
    expect(usageErrorOf(() => parseMemory('2KiB')).message).toMatch(/"2KiB".*whole number of 4096-byte pages/);
    expect(usageErrorOf(() => parseMemory('0.1MiB')).message).toContain('"0.1MiB"');
    expect(usageErrorOf(() => parseMemory('0KiB')).message).toContain('"0KiB"');
  });
});

describe('parseDuration', () => {
  test.each([
    [250, 250],
    [0, 0],
    ['500ms', 500],
    ['10s', 10_000],
    ['1.5s', 1500],
    ['1.1s', 1100],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['0.5ms', 0.5],
  ] as const)('%j is %d ms', (value, ms) => {
    expect(parseDuration(value)).toBe(ms);
  });

  test.each(['10', '10sec', '1.5', 's', '-1s', '10 minutes', ''])('rejects %j, naming it and the valid units', (value) => {
    const { message } = usageErrorOf(() => parseDuration(value));
    expect(message).toContain(`bad duration ${JSON.stringify(value)}`);
    expect(message).toContain('"10s"');
    expect(message).not.toContain('\n');
  });

  test.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects %s ms', (value) => {
    expect(usageErrorOf(() => parseDuration(value)).message).toContain(`bad duration ${value}`);
  });

  test('keeps a newline in a bad value from breaking the message onto two lines', () => {
    const { message } = usageErrorOf(() => parseDuration('1\ns'));
    expect(message).toContain('"1\\ns"');
    expect(message).not.toContain('\n');
  });
});
