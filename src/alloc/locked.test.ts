import { describe, expect, it } from 'vitest';
import { PAGES_PER_BLOCK, byteCas } from './byte-cas.ts';
import { GlobalLock, LOCK_BYTES } from './global-lock.ts';
import { withGlobalLock } from './locked.ts';

describe('withGlobalLock', () => {
  it('forwards the optional members an allocator has, under the lock, and only those', () => {
    const pages = 2 * PAGES_PER_BLOCK;
    const buffer = new SharedArrayBuffer(LOCK_BYTES + byteCas.sharedBytes(pages));
    const memory = { buffer, byteOffset: LOCK_BYTES, byteLength: byteCas.sharedBytes(pages) };
    byteCas.init(memory, pages);
    const lockRegion = { buffer, byteOffset: 0, byteLength: LOCK_BYTES };
    GlobalLock.init(lockRegion);
    const lock = new GlobalLock(lockRegion, 0);
    const locked = withGlobalLock(byteCas.attach(memory, pages, 0), lock);
    expect(locked.removeMemory!(PAGES_PER_BLOCK, PAGES_PER_BLOCK)).toBe(true);
    locked.addMemory!(PAGES_PER_BLOCK, PAGES_PER_BLOCK);
    expect(locked.counters).toEqual({ casFailures: 0, bytesScanned: 0 });
    expect(lock.counters.acquisitions).toBe(2);
    expect(GlobalLock.owner(lockRegion)).toBe(-1); // released after each call
    const plain = withGlobalLock({ alloc: () => 0, free: () => {}, isAllocated: () => false }, lock);
    expect(plain.addMemory).toBeUndefined();
    expect(plain.removeMemory).toBeUndefined();
  });
});
