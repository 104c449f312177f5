/**
 * Serializes every call of a `'global-lock'` allocator with the harness's {@link GlobalLock}: how such an
 * allocator runs in a kernel, and how the baselines run here.
 */
import type { PageAllocator } from './contract.ts';
import type { GlobalLock } from './global-lock.ts';

export function withGlobalLock(inner: PageAllocator, lock: GlobalLock): PageAllocator {
  const locked: PageAllocator = {
    alloc(count) {
      lock.lock();
      try {
        return inner.alloc(count);
      } finally {
        lock.unlock();
      }
    },
    free(first, count) {
      lock.lock();
      try {
        inner.free(first, count);
      } finally {
        lock.unlock();
      }
    },
    isAllocated(page) {
      lock.lock();
      try {
        return inner.isAllocated(page);
      } finally {
        lock.unlock();
      }
    },
  };
  if (inner.counters) Object.defineProperty(locked, 'counters', { get: () => inner.counters, enumerable: true });
  return locked;
}
