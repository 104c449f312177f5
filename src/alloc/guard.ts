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

/**
 * Why `result` is not something `alloc(count)` may return over `pages` pages, or undefined when it is
 * one: -1 (no such run is free), or the first page of a run that lies inside the pages. Any other
 * negative number, a fraction, NaN or a non-number is the allocator's bug, never an out-of-memory.
 */
export function allocResultProblem(result: unknown, count: number, pages: number): string | undefined {
  if (typeof result === 'number' && Number.isInteger(result) && result >= -1 && (result === -1 || result + count <= pages)) return undefined;
  const shown = typeof result === 'number' ? String(result) : typeof result === 'string' ? JSON.stringify(result.slice(0, 40)) : `a ${typeof result}`;
  return `alloc(${count}) returned ${shown}, which is neither -1 (no run free) nor the first page of a run inside pages 0..${pages - 1}`;
}
