/**
 * An allocator on a buffer of its own, formatted and attached for one thread: what the contract tests
 * and the single-thread benchmark need. The stress harness lays out its own, larger buffer instead.
 */
import type { AllocatorDefinition, PageAllocator, SharedRegion } from './contract.ts';
import { GlobalLock, LockLayout } from './global-lock.ts';
import { withGlobalLock } from './locked.ts';

export interface Standalone {
  memory: SharedRegion;
  allocator: PageAllocator;
  /** The allocator's own audit, or `[]` when it has none. */
  audit(): string[];
}

/**
 * @param locked wrap a `'global-lock'` allocator in the global lock, as the harness runs it (default true).
 */
export function standalone(definition: AllocatorDefinition, pages: number, locked = true): Standalone {
  const bytes = (definition.sharedBytes(pages) + 7) & ~7;
  const buffer = new SharedArrayBuffer(bytes + LockLayout.bytes);
  const memory: SharedRegion = { buffer, byteOffset: 0, byteLength: bytes };
  definition.init(memory, pages);
  let allocator = definition.attach(memory, pages, 0);
  if (locked && definition.locking === 'global-lock') {
    const lockRegion: SharedRegion = { buffer, byteOffset: bytes, byteLength: LockLayout.bytes };
    GlobalLock.init(lockRegion);
    allocator = withGlobalLock(allocator, new GlobalLock(lockRegion));
  }
  return { memory, allocator, audit: () => definition.audit?.(memory, pages) ?? [] };
}
