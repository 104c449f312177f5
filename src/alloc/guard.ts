/**
 * Argument checks shared by every built-in allocator, so that a bad call gets the same clear
 * `RangeError` whichever allocator it reaches. They sit off the hot path: callers test the common
 * case first (`count === 1`, a page in range) and only call in here when that test fails.
 */
import type { RunSizes } from './contract.ts';

/** Throws unless `count` is a run length `alloc` accepts. */
export function checkRunLength(name: string, count: number, maxRun: number, runSizes: RunSizes = 'any'): void {
  if (!Number.isInteger(count) || count < 1 || count > maxRun) {
    throw new RangeError(`${name}: alloc(${String(count)}): count must be an integer from 1 to ${maxRun}`);
  }
  if (runSizes === 'power-of-two' && (count & (count - 1)) !== 0) {
    throw new RangeError(`${name}: alloc(${count}): count must be a power of two (1, 2, 4, ... ${maxRun})`);
  }
}

/** Throws unless `first .. first + count - 1` lies inside `0 .. pages - 1`. */
export function checkRange(name: string, op: string, first: number, count: number, pages: number): void {
  if (!Number.isInteger(first) || !Number.isInteger(count) || count < 1) {
    throw new RangeError(`${name}: ${op}(${String(first)}, ${String(count)}): page and count must be integers, count >= 1`);
  }
  if (first < 0 || first + count > pages) {
    throw new RangeError(
      `${name}: ${op}(${first}, ${count}): pages ${first}..${first + count - 1} are out of range 0..${pages - 1}`,
    );
  }
}

/** Throws unless `page` is an integer page number inside `0 .. pages - 1`. */
export function checkPage(name: string, page: number, pages: number): void {
  if (!Number.isInteger(page) || page < 0 || page >= pages) {
    throw new RangeError(`${name}: isAllocated(${String(page)}): page is out of range 0..${pages - 1}`);
  }
}
