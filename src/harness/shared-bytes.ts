/**
 * What `sharedBytes(pages)` may return: a whole number of bytes the harness can give. A negative, NaN,
 * fractional or non-number answer is the module's mistake, and so is one no machine could hold: left
 * unchecked, -1 and NaN made a RangeError (exit 3) in SharedArrayBuffer's constructor and 1e300 an
 * attempt to allocate it.
 */

/** Fixed allowance on top of the per-page one: headers, tables, a lock of the allocator's own. */
export const SHARED_BYTES_BASE = 16 * 2 ** 20;
/**
 * Bytes of allocator state per page at most: 64 times what a byte-per-page allocator needs and 256
 * times the 1 bit of byte-cas. A 4 KiB page with more bookkeeping than this is a bug.
 */
export const SHARED_BYTES_PER_PAGE = 256;

/** Why `value` is not a valid answer to `sharedBytes(pages)`, or undefined when it is one. */
export function checkSharedBytes(value: unknown, pages: number): string | undefined {
  const call = `sharedBytes(${pages})`;
  if (typeof value !== 'number') return `${call} returned ${typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : `a ${typeof value}`}, not a number of bytes`;
  if (!Number.isInteger(value) || value < 0) return `${call} returned ${value}: it must be a whole number of bytes, 0 or more`;
  const limit = SHARED_BYTES_BASE + SHARED_BYTES_PER_PAGE * pages;
  if (value > limit) return `${call} returned ${value}: more than the ${limit} bytes the harness gives ${pages} pages (16 MiB + ${SHARED_BYTES_PER_PAGE} bytes a page)`;
  return undefined;
}
