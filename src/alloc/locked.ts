/**
 * Serializes every call of a `'global-lock'` allocator with the harness's {@link GlobalLock}: how such an
 * allocator runs in a kernel, and how the baselines run here.
 */
import type { PageAllocator } from './contract.ts';
import type { GlobalLock } from './global-lock.ts';

export function withGlobalLock(inner: PageAllocator, lock: GlobalLock): PageAllocator {
  const held = <T,>(call: () => T): T => {
    lock.lock();
    try {
      return call();
    } finally {
      lock.unlock();
    }
  };
  // The hot calls are written out: a closure per call is what a bench would measure.
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
  // Optional members are forwarded only when the allocator has them, under the lock like the rest.
  if (inner.addMemory) locked.addMemory = (first, count) => held(() => inner.addMemory!(first, count));
  if (inner.removeMemory) locked.removeMemory = (first, count) => held(() => inner.removeMemory!(first, count));
  if (inner.counters) Object.defineProperty(locked, 'counters', { get: () => inner.counters, enumerable: true });
  return locked;
}
